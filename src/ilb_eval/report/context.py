"""What every report section is built from: the results, the language, the rule, shared helpers.

A :class:`ReportContext` is made once per report by
:func:`ilb_eval.report.build.build_report` and handed to every section
module of :data:`ilb_eval.report.sections.SECTIONS`. It holds the analysis
results, the language, the minimum cell size rule and the growing
:class:`ReportContent`, and it offers the few helpers all sections share:
words in both languages (:meth:`ReportContext.t`), labels from the study
definition, counts and shares through the cell rule, and adding a figure or
table to a section and to the run folder's files at once.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from ilb_eval.analysis.gaps import Gap, gap_text
from ilb_eval.analysis.pipeline import AnalysisResults, StudyResults, study_labels
from ilb_eval.formatting import MISSING, SUPPRESSED, Lang, format_count, format_percent
from ilb_eval.privacy import CellRule
from ilb_eval.report.document import Report, Section
from ilb_eval.report.tables import FormattedTable, suppression_note

__all__ = ["ADJUST_NAMES", "WORDS", "ReportContent", "ReportContext", "ReportWarning", "quote", "wrapped"]


@dataclass(frozen=True)
class ReportWarning:
    """One warning of a run and the section of the report that shows it.

    Attributes
    ----------
    text:
        The warning as the manifest records it (English, one line).
    section:
        Title of the report section where the warning is shown.
    number:
        That section's number in the report (``"9"``; ``""`` when unnumbered).
    """

    text: str
    section: str
    number: str


@dataclass
class ReportContent:
    """The report and its parts.

    Attributes
    ----------
    report:
        The document (render with ``report.to_pdf_bytes()``).
    figures:
        ``{name: Figure}`` (name without extension).
    tables:
        ``{name: (raw DataFrame, FormattedTable)}``: raw numbers for CSV, the
        formatted table for Markdown and LaTeX.
    shown:
        ``(section, warning text)`` for every warning a section shows (see :attr:`warnings`; a
        warning shown in several sections is listed once, with the first of them).
    """

    report: Report
    figures: dict[str, Figure] = field(default_factory=dict)
    tables: dict[str, tuple[pd.DataFrame, FormattedTable]] = field(default_factory=dict)
    shown: list[tuple[Section, str]] = field(default_factory=list)

    @property
    def warnings(self) -> tuple[ReportWarning, ...]:
        """Every warning of the run with the title and number of the section that shows it, in report order."""
        numbers = self.report.section_numbers()
        order = {id(section): k for k, section in enumerate(self.report.sections)}
        first: dict[str, Section] = {}
        for section, text in sorted(self.shown, key=lambda item: order.get(id(item[0]), len(order))):
            first.setdefault(text, section)
        return tuple(ReportWarning(text, section.title, numbers.get(id(section), "")) for text, section in first.items())


#: Words several sections share, German and English.
WORDS: dict[str, dict[str, str]] = {
    "de": {"ilb": "iLB", "control": "Kontrollgruppe", "total": "Gesamt", "dimension": "Kompetenzfacette",
           "wave": "Welle", "characteristic": "Merkmal"},
    "en": {"ilb": "iLB", "control": "Control group", "total": "Total", "dimension": "Competence dimension",
           "wave": "Wave", "characteristic": "Characteristic"},
}

#: Report names of the multiple-testing corrections.
ADJUST_NAMES = {"holm": {"de": "Holm", "en": "Holm"}, "bh": {"de": "Benjamini-Hochberg", "en": "Benjamini-Hochberg"}}


def quote(text: str, lang: Lang) -> str:
    """``text`` in the quotation marks of the language.

    >>> quote("Lernkultur", "de"), quote("culture", "en")
    ('„Lernkultur“', '“culture”')
    """
    return f"„{text}“" if lang == "de" else f"“{text}”"


def wrapped(labels: Mapping[str, Mapping[str, str]], width: int = 30) -> dict[str, dict[str, str]]:
    """Labels broken into lines of at most ``width`` characters (for long figure tick labels).

    >>> wrapped({"x": {"de": "eine lange Beschriftung", "en": "a long label"}}, 12)["x"]["de"]
    'eine lange\\nBeschriftung'
    """
    return {k: {lang: textwrap.fill(text, width) for lang, text in v.items()} for k, v in labels.items()}


class ReportContext:
    """The inputs and shared helpers of every report section.

    Parameters
    ----------
    results:
        Output of :func:`ilb_eval.analysis.run_analysis`.
    lang:
        ``"de"`` or ``"en"``.
    provenance:
        Manifest-like record (inputs, study hashes, versions, ``synthetic``).
    """

    def __init__(self, results: AnalysisResults, lang: Lang, provenance: Mapping[str, Any] | None) -> None:
        self.results = results
        self.lang: Lang = lang
        self.rule: CellRule = results.rule
        self.provenance = dict(provenance or {})
        self.mark = SUPPRESSED[lang]
        self.adjust = ADJUST_NAMES[results.settings.adjust][lang]
        self.words = WORDS[lang]
        self._content: ReportContent | None = None

    # ------------------------------------------------------------------ the document
    @property
    def content(self) -> ReportContent:
        """The report being built (set by :meth:`start`)."""
        if self._content is None:
            raise RuntimeError("the report has not been started; call ReportContext.start first")
        return self._content

    def start(self, report: Report) -> ReportContent:
        """Begin the content with the document ``report`` (made by the cover)."""
        self._content = ReportContent(report)
        return self._content

    def section(self, title: str, *, numbered: bool = True) -> Section:
        """Append a new top-level section to the report."""
        return self.content.report.add_section(title, numbered=numbered)

    def warn(self, section: Section, text: str) -> None:
        """Record that ``section`` shows the run warning ``text`` (listed by :attr:`ReportContent.warnings`)."""
        self.content.shown.append((section, text))

    def gap(self, section: Section, gap: Gap, *, only: str | None = None, analyses: bool = True) -> None:
        """Say in ``section`` that an analysis (``only`` that one of the gap's) could not run and why.

        The gap's line is recorded as a warning shown in ``section``.
        """
        section.paragraph(gap_text(gap, self.lang, only=only, analyses=analyses))
        self.warn(section, gap.line)

    @property
    def studies(self) -> dict[str, StudyResults]:
        """The studies of the run, in order."""
        return self.results.studies

    # ------------------------------------------------------------------ words and labels
    def t(self, de: str, en: str) -> str:
        """The German or the English text, by the report language."""
        return de if self.lang == "de" else en

    def labels(self, s: StudyResults) -> dict[str, Mapping[str, str]]:
        """Labels of the study's scales, covariates and block items."""
        return dict(study_labels(s.study))

    def label(self, s: StudyResults, code: str) -> str:
        """The label of ``code`` in the report language (the code itself when unknown)."""
        entry = self.labels(s).get(code)
        return (entry.get(self.lang) or entry.get("de") or code) if entry else code

    # ------------------------------------------------------------------ figures and tables
    def figure(self, section: Section, name: str, figure: Figure, caption: str, note: str | None = None) -> None:
        """Add ``figure`` to ``section`` and to the run folder's figures under ``name``."""
        self.content.figures[name] = figure
        section.figure(figure, caption, note)

    def table(self, section: Section, name: str, raw: pd.DataFrame, table: FormattedTable) -> None:
        """Add ``table`` to ``section`` and, with its raw numbers, to the run folder's tables."""
        self.content.tables[name] = (raw, table)
        table.add_to(section)

    def simple(self, frame: pd.DataFrame, caption: str, note: str | None = None, *,
               suppressed: bool = False, align: tuple[str, ...] | None = None) -> FormattedTable:
        """A table of text cells; the suppression note is added when a cell is suppressed."""
        notes = [note] if note else []
        if suppressed or self.rule.lowered:
            notes.append(suppression_note(self.rule, self.lang))
        return FormattedTable(frame=frame.reset_index(drop=True), caption=caption,
                              note=" ".join(notes) or None, lang=self.lang,
                              align=align or ("left",) + ("right",) * (frame.shape[1] - 1))

    # ------------------------------------------------------------------ numbers under the cell rule
    def count(self, n: float | int | None) -> tuple[str, bool]:
        """A count as text and whether it is suppressed.

        ``None`` is unknown (``–``); NaN is a count the analysis suppressed (the
        mark), and so is any count below the rule.
        """
        if n is None:
            return MISSING, False
        if (isinstance(n, float) and math.isnan(n)) or not self.rule.allows(n):
            return self.mark, True
        return format_count(n, self.lang), False

    def share(self, value: float, n: float | int | None = None) -> tuple[str, bool]:
        """A share computed under the rule (NaN = suppressed when ``n`` is given) as text."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return (self.mark, True) if n is not None else (MISSING, False)
        return format_percent(value, 0, self.lang), False
