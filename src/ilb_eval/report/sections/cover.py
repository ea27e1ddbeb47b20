"""The title page: title and subtitle by what the studies contain, the studies reported, the disclosure notice."""

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
        "title_growth": "Kompetenzentwicklung im Längsschnitt",
        "subtitle_growth": "Auswertung der Längsschnittbefragung: Kompetenzentwicklung",
        "study": "iLB-Begleitforschung",
        "notice": ("Alle Zahlen beruhen auf mindestens {k} Personen (Mindestzellgröße); kleinere "
                   "Zellen und die Zellen, aus denen sie sich zurückrechnen ließen, sind mit {mark} unterdrückt. "
                   "Der Bericht enthält keine Personenkennungen."),
        "synthetic": ("Datengrundlage: die mit dem Paket ausgelieferte synthetische Beispielstudie "
                      "(simuliert, an den veröffentlichten Kennzahlen kalibriert) – keine echten Befragungsdaten."),
    },
    "en": {
        "title": "Effects of individual learning support (iLB)",
        "subtitle": "Analysis of the longitudinal survey: competence development, satisfaction and benefit",
        "title_growth": "Competence development over time",
        "subtitle_growth": "Analysis of the longitudinal survey: competence development",
        "study": "iLB accompanying research",
        "notice": ("Every number rests on at least {k} persons (minimum cell size); smaller cells, and the "
                   "cells they could be recovered from, are suppressed and marked {mark}. The report contains no "
                   "person identifiers."),
        "synthetic": ("Data: the synthetic example study shipped with the package (simulated, "
                      "calibrated to the published figures) – not real survey data."),
    },
}


def make_report(ctx: ReportContext) -> Report:
    """The document with its title page; the sections follow.

    The title speaks of iLB only when a study says who used iLB; the subtitle
    names satisfaction and benefit only when a study asked about them.
    """
    lang, words = ctx.lang, _WORDS[ctx.lang]
    notice = words["notice"].format(k=format_count(ctx.rule.min_cell_size, lang), mark=ctx.mark)
    if ctx.rule.lowered:
        notice += " " + suppression_note(ctx.rule, lang).split(". ", 1)[-1]
    if ctx.provenance.get("synthetic"):
        notice += " " + words["synthetic"]
    studies = [s.study for s in ctx.studies.values()]
    ilb = any(s.ilb_use is not None for s in studies)
    feedback = any(key in s.item_blocks for s in studies for key in ("satisfaction", "benefit"))
    subtitle = words["subtitle"] if feedback else words["subtitle_growth"]
    return Report(title=words["title"] if ilb else words["title_growth"], subtitle=subtitle,
                  study=words["study"] if ilb else "; ".join(s.title[lang] for s in studies),
                  sample=", ".join(ctx.studies), lang=lang, notice=notice)
