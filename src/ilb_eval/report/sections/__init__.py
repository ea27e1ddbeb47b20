"""The report's sections: one module per section, listed once in :data:`SECTIONS`.

Every section module has

``KEY``
    A stable name of the section (tests and warnings refer to it).
``build(ctx)``
    Adds the section (or one section per study, or none) to the report
    through :meth:`ilb_eval.report.context.ReportContext.section`, fed by the
    study definitions and the analysis results in ``ctx``. A section whose
    analysis does not exist in any study adds nothing.

The report is :mod:`~ilb_eval.report.sections.cover` (the title page) followed
by the sections in the order of :data:`SECTIONS`. A new section (e.g.
measurement invariance, issue 15: :mod:`invariance` after reliability, its
appendix :mod:`construct_growth` after the sensitivity analyses) is one new
module here plus its entry in :data:`SECTIONS` at the place where it belongs
in the report.
"""

from __future__ import annotations

from typing import Protocol

from ilb_eval.report.context import ReportContext
from ilb_eval.report.sections import (
    conditions,
    construct_growth,
    correlations,
    feedback,
    growth,
    invariance,
    methods,
    provenance,
    reliability,
    sample,
    selection,
    sensitivity,
    status,
    summary,
)

__all__ = ["SECTIONS", "SectionModule"]


class SectionModule(Protocol):
    """What a section module provides (see the module text)."""

    KEY: str

    def build(self, ctx: ReportContext) -> None:
        """Add the section(s) to ``ctx``'s report."""


#: The report's sections in print order.
SECTIONS: tuple[SectionModule, ...] = (
    summary,
    sample,
    reliability,
    invariance,
    growth,
    selection,
    correlations,
    feedback,
    conditions,
    methods,
    status,
    sensitivity,
    construct_growth,
    provenance,
)
