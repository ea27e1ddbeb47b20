"""Turn :class:`~ilb_eval.analysis.AnalysisResults` into the report: document, figures, tables.

:func:`build_report` returns a :class:`~ilb_eval.report.context.ReportContent`:
the :class:`~ilb_eval.report.document.Report` (the title page of
:mod:`~ilb_eval.report.sections.cover`, then every section of
:data:`ilb_eval.report.sections.SECTIONS` in order) plus every figure and
table under a file name, so the run folder can hold them as PNG/SVG and
CSV/Markdown/LaTeX.

Every number passes through :mod:`ilb_eval.formatting`; every count, share,
mean, correlation and model passes the minimum cell size rule (suppressed
values show ``•`` and a note). German by default, English with ``lang="en"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ilb_eval.analysis.pipeline import AnalysisResults
from ilb_eval.formatting import Lang
from ilb_eval.report.context import ReportContent, ReportContext
from ilb_eval.report.sections import SECTIONS
from ilb_eval.report.sections.cover import make_report

__all__ = ["ReportContent", "build_report"]


def build_report(results: AnalysisResults, *, lang: Lang = "de",
                 provenance: Mapping[str, Any] | None = None) -> ReportContent:
    """Build the report from the analysis results.

    Parameters
    ----------
    results:
        Output of :func:`ilb_eval.analysis.run_analysis`.
    lang:
        ``"de"`` (default) or ``"en"``.
    provenance:
        Optional manifest-like record (``inputs`` with name/bytes/sha256,
        ``study`` with ``sha256``, ``versions``, ``synthetic``) for the
        methods and provenance sections.

    Returns
    -------
    ReportContent
    """
    if lang not in ("de", "en"):
        raise ValueError(f"lang must be 'de' or 'en', got {lang!r}")
    ctx = ReportContext(results, lang, provenance)
    content = ctx.start(make_report(ctx))
    for section in SECTIONS:
        section.build(ctx)
    return content
