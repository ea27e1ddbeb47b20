"""Sample and response: persons per wave and group, attrition, the sample table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ilb_eval.analysis.pipeline import StudyResults
from ilb_eval.formatting import MISSING, format_count, format_number, format_percent
from ilb_eval.report import figures as F
from ilb_eval.report.context import ReportContext
from ilb_eval.report.document import Section

__all__ = ["KEY", "build"]

KEY = "sample"

#: Row labels of the sample table.
_CHARACTERISTICS: dict[str, dict[str, str]] = {
    "de": {"persons": "Personen", "female": "Anteil weiblich", "degree": "Anteil mit Studium",
           "german": "Anteil deutsche Staatsangehörigkeit", "age40": "Anteil 40 Jahre und älter",
           "program": "Anteil Spezialisierungsprogramm", "mean_age": "Durchschnittsalter (Jahre)"},
    "en": {"persons": "Persons", "female": "Share female", "degree": "Share with a degree",
           "german": "Share German citizens", "age40": "Share aged 40 and over",
           "program": "Share specialisation programme", "mean_age": "Mean age (years)"},
}


def build(ctx: ReportContext) -> None:
    """The sample section: response and attrition figures and the sample table per study."""
    sec = ctx.section(ctx.t("Stichprobe und Rücklauf", "Sample and response"))
    lang = ctx.lang
    sec.paragraph(ctx.t("Gezählt werden Personen nach der Verknüpfung der Wellen über den selbst "
                        "generierten Code. Die Wellen heißen t1, t3 und t4 (t2 war ein geplanter "
                        "Zeitpunkt ohne Befragung).",
                        "Persons are counted after linking the waves through the self-generated code. The "
                        "waves are called t1, t3 and t4 (t2 was a planned point without a survey)."))
    for name, s in ctx.studies.items():
        sec.heading(f"{name}: {ctx.t('Rücklauf', 'Response')}")
        labels = {"ilb": {"de": "iLB", "en": "iLB"}} if not s.study.has_control_group else None
        fig = F.wave_response(s.response, lang=lang, labels=labels, rule=ctx.rule)
        ctx.figure(sec, f"{name.lower()}_response", fig,
                   ctx.t(f"Befragte Personen je Welle und Gruppe ({name})",
                         f"Persons surveyed per wave and group ({name})"))
        fig = F.attrition_flow(s.attrition, lang=lang, rule=ctx.rule)
        ctx.figure(sec, f"{name.lower()}_attrition", fig,
                   ctx.t(f"Verbleib zwischen den Wellen ({name})", f"Attrition between waves ({name})"),
                   ctx.t("Weiter dabei: in beiden Wellen befragt; ausgeschieden: nur in der früheren; "
                         "neu hinzugekommen: nur in der späteren Welle.",
                         "Retained: surveyed in both waves; dropped out: only in the earlier; joined: only in "
                         "the later wave."))
        _demographics_table(ctx, sec, s)
        ilb_share = s.ilb_persons / s.persons if s.persons else float("nan")
        if s.study.has_control_group:
            sec.paragraph(ctx.t(f"Von {format_count(s.persons, lang)} Personen nutzten "
                                f"{format_count(s.ilb_persons, lang)} ({format_percent(ilb_share, 0, lang)}) "
                                "die iLB. Beide Gruppen sind sich in Geschlecht, Bildung und Alter ähnlich.",
                                f"Of {format_count(s.persons, lang)} persons, {format_count(s.ilb_persons, lang)} "
                                f"({format_percent(ilb_share, 0, lang)}) used iLB. Both groups are similar in "
                                "gender, education and age."))


def _demographics_table(ctx: ReportContext, sec: Section, s: StudyResults) -> None:
    lang = ctx.lang
    d = s.demographics
    groups = [g for g in ("ilb", "control", "total") if g in set(d["group"])]
    rows, suppressed = [], False
    order = ["persons", "female", "degree", "german", "age40", "program", "mean_age"]
    for ch in order:
        part = d[d["characteristic"] == ch]
        if part.empty:
            continue
        label = _CHARACTERISTICS[lang][ch]
        if ch == "program" and s.study.name != "EAP" and "program" not in s.study.covariate_names:
            continue
        cells = [label]
        for g in groups:
            hit = part[part["group"] == g]
            if hit.empty:
                cells.append(MISSING)
                continue
            value, n = float(hit["value"].iloc[0]), int(hit["n"].iloc[0])
            if ch == "persons":
                text, sup = ctx.count(n)
            elif ch == "mean_age":
                sup = not np.isfinite(value)
                text = ctx.mark if sup else format_number(value, 1, lang)
            else:
                text, sup = ctx.share(value, n)
            suppressed |= sup
            cells.append(text)
        rows.append(cells)
    frame = pd.DataFrame(rows, columns=[ctx.words["characteristic"], *[ctx.words[g] for g in groups]])
    table = ctx.simple(frame, ctx.t(f"Stichprobe ({s.study.name})", f"Sample ({s.study.name})"),
                       ctx.t("Anteile bezogen auf Personen mit gültiger Angabe.",
                             "Shares of persons with a valid answer."), suppressed=suppressed)
    ctx.table(sec, f"{s.study.name.lower()}_sample", d, table)
