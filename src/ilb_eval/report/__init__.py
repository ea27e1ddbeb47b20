"""The report: document model and PDF, run folder and manifest, tables, figures, texts.

Modules
-------
``document``
    :class:`~ilb_eval.report.document.Report` with ordered sections (headings,
    paragraphs, tables, figures, page breaks) rendered to a deterministic A4 PDF.
``runfolder``
    :class:`~ilb_eval.report.runfolder.RunFolder`: a new folder under
    ``reports/``, filled under a temporary name and renamed atomically, with
    ``manifest.json`` written last.
``tables``
    APA-style growth-model and fit tables from lavaan-vocabulary parameter
    tables; CSV, Markdown and LaTeX writers.
``figures``
    One function per figure, tidy DataFrames in, matplotlib ``Figure`` out.
``text``
    Plain-language readings of effects and correlations.

All numbers pass through :mod:`ilb_eval.formatting`; every cell and every
drawn value passes the minimum cell size rule (:class:`ilb_eval.privacy.CellRule`).
"""
