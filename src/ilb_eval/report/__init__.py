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
``phrases``
    Waves, time scores, samples and control variables as words, from the study definition.
``problems``
    German texts of the data-check problems, by problem code.
``pipeline``
    :func:`~ilb_eval.report.pipeline.write_report`: analysis, report and run folder in one call.
``build``, ``context``, ``sections``
    :func:`~ilb_eval.report.build.build_report` makes a
    :class:`~ilb_eval.report.context.ReportContext` (results, language, cell
    rule, shared helpers) and runs the section modules of
    :data:`ilb_eval.report.sections.SECTIONS` in order (one module per section).

All numbers pass through :mod:`ilb_eval.formatting`. The report draws and
prints only the tables the analysis layer has protected (:mod:`ilb_eval.privacy`:
primary and secondary suppression; NaN = suppressed, printed as ``•``), and
every cell and drawn value passes the minimum cell size rule again
(:class:`ilb_eval.privacy.CellRule`).
"""
