"""The title page: title, subtitle, the studies reported and the disclosure notice."""

from __future__ import annotations

from ilb_eval.formatting import format_count
from ilb_eval.report.context import ReportContext
from ilb_eval.report.document import Report
from ilb_eval.report.tables import suppression_note

__all__ = ["make_report"]

_WORDS: dict[str, dict[str, str]] = {
    "de": {
        "title": "Wirkung der individuellen Lernbegleitung (iLB)",
        "subtitle": "Auswertung der Längsschnittbefragung: Kompetenzentwicklung, Zufriedenheit und Nutzen",
        "study": "iLB-Begleitforschung",
        "notice": ("Alle Zahlen beruhen auf mindestens {k} Personen (Mindestzellgröße); kleinere "
                   "Zellen sind mit {mark} unterdrückt. Der Bericht enthält keine Personenkennungen."),
        "synthetic": ("Datengrundlage: die mit dem Paket ausgelieferte synthetische Beispielstudie "
                      "(simuliert, an den veröffentlichten Kennzahlen kalibriert) – keine echten Befragungsdaten."),
    },
    "en": {
        "title": "Effects of individual learning support (iLB)",
        "subtitle": "Analysis of the longitudinal survey: competence development, satisfaction and benefit",
        "study": "iLB accompanying research",
        "notice": ("Every number rests on at least {k} persons (minimum cell size); smaller cells are "
                   "suppressed and marked {mark}. The report contains no person identifiers."),
        "synthetic": ("Data: the synthetic example study shipped with the package (simulated, "
                      "calibrated to the published figures) – not real survey data."),
    },
}


def make_report(ctx: ReportContext) -> Report:
    """The document with its title page; the sections follow."""
    lang, words = ctx.lang, _WORDS[ctx.lang]
    notice = words["notice"].format(k=format_count(ctx.rule.min_cell_size, lang), mark=ctx.mark)
    if ctx.rule.lowered:
        notice += " " + suppression_note(ctx.rule, lang).split(". ", 1)[-1]
    if ctx.provenance.get("synthetic"):
        notice += " " + words["synthetic"]
    return Report(title=words["title"], subtitle=words["subtitle"], study=words["study"],
                  sample=", ".join(ctx.studies), lang=lang, notice=notice)
