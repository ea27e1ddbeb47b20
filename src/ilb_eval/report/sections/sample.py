"""Sample and response: persons per wave and group, attrition, the sample table.

The waves, their note (e.g. a planned wave without a survey), the linkage key
and the table's characteristics come from the study definition; a statement
that the groups are similar is made only from the standardised differences
of the shares the table shows.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ilb_eval.analysis.pipeline import StudyResults
from ilb_eval.formatting import MISSING, format_count, format_number, format_percent
from ilb_eval.report import figures as F
from ilb_eval.report.context import ReportContext
from ilb_eval.report.document import Section
from ilb_eval.report.phrases import joined

__all__ = ["KEY", "SMD_SIMILAR", "build"]

KEY = "sample"

#: Groups whose shares differ by less than this standardised difference are called similar.
SMD_SIMILAR = 0.1


def build(ctx: ReportContext) -> None:
    """The sample section: response and attrition figures and the sample table per study."""
    sec = ctx.section(ctx.t("Stichprobe und Rücklauf", "Sample and response"))
    lang = ctx.lang
    sec.paragraph(_intro(ctx))
    for name, s in ctx.studies.items():
        sec.heading(f"{name}: {ctx.t('Rücklauf', 'Response')}")
        if not s.split:
            k = format_count(ctx.rule.min_cell_size, lang)
            sec.paragraph(ctx.t(f"iLB- und Kontrollgruppe werden nicht getrennt gezeigt: eine der beiden Gruppen hat "
                                f"weniger als {k} Personen, und jede Zahl der einen ließe sich aus der Gesamtzahl und "
                                "der anderen zurückrechnen. Rücklauf und Verbleib gelten für alle Befragten.",
                                f"The iLB and control groups are not shown apart: one of them has fewer than {k} "
                                "persons, and every number of one could be recovered from the total and the other. "
                                "Response and attrition are those of all respondents."))
        fig = F.wave_response(s.response, lang=lang, rule=ctx.rule)
        per_group = s.study.has_control_group and s.split
        ctx.figure(sec, f"{name.lower()}_response", fig,
                   ctx.t(f"Befragte Personen je Welle{' und Gruppe' if per_group else ''} ({name})",
                         f"Persons surveyed per wave{' and group' if per_group else ''} ({name})"))
        fig = F.attrition_flow(s.attrition, lang=lang, rule=ctx.rule)
        ctx.figure(sec, f"{name.lower()}_attrition", fig,
                   ctx.t(f"Verbleib zwischen den Wellen ({name})", f"Attrition between waves ({name})"),
                   ctx.t("Weiter dabei: in beiden Wellen befragt; ausgeschieden: nur in der früheren; "
                         "neu hinzugekommen: nur in der späteren Welle.",
                         "Retained: surveyed in both waves; dropped out: only in the earlier; joined: only in "
                         "the later wave."))
        _demographics_table(ctx, sec, s)
        if s.study.has_control_group and s.split:
            text = _groups_text(ctx, s)
            if text:
                sec.paragraph(text)


def _intro(ctx: ReportContext) -> str:
    lang = ctx.lang
    studies = [s.study for s in ctx.studies.values()]
    keys = {s.person_id.kind for s in studies}
    key = ctx.t("den selbst generierten Code", "the self-generated code") if keys == {"self_generated_code"} else \
        ctx.t("das Pseudonym", "the pseudonym") if keys == {"pseudonym"} else ctx.t("die Personenkennung", "the person key")
    text = ctx.t(f"Gezählt werden Personen nach der Verknüpfung der Wellen über {key}.",
                 f"Persons are counted after linking the waves through {key}.")
    described = {(s.wave_names, (s.time_note or {}).get(lang, "")) for s in studies}
    for names, note in sorted(described):
        who = "" if len(described) == 1 else f" ({', '.join(s.name for s in studies if s.wave_names == names)})"
        waves = joined(list(names), lang)
        text += ctx.t(f" Die Wellen{who} heißen {waves}", f" The waves{who} are called {waves}")
        text += f" ({note.rstrip('.')})." if note else "."
    return text


def _groups_text(ctx: ReportContext, s: StudyResults) -> str:
    """How many used iLB and whether the groups differ in the shares of the table (standardised differences)."""
    lang = ctx.lang
    d = s.demographics
    persons = d[(d["characteristic"] == "persons")].set_index("group")["value"]
    text = ""
    users, total = persons.get("ilb", np.nan), persons.get("total", np.nan)
    if ctx.rule.allows(users) and ctx.rule.allows(total) and ctx.rule.allows(total - users):
        text = ctx.t(f"Von {format_count(total, lang)} Personen nutzten {format_count(users, lang)} "
                     f"({format_percent(users / total, 0, lang)}) die iLB.",
                     f"Of {format_count(total, lang)} persons, {format_count(users, lang)} "
                     f"({format_percent(users / total, 0, lang)}) used iLB.")
    compared, differ = [], []
    for _ch, part in d[~d["characteristic"].isin(["persons", "mean_age"])].groupby("characteristic", sort=False):
        values = part.set_index("group")["value"]
        p1, p2 = float(values.get("ilb", np.nan)), float(values.get("control", np.nan))
        if not (np.isfinite(p1) and np.isfinite(p2)):
            continue
        spread = math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / 2)
        label = str(part[f"label_{lang}"].iloc[0])
        compared.append(label)
        if spread > 0 and abs(p1 - p2) / spread >= SMD_SIMILAR:
            differ.append(f"{label} ({format_percent(p1, 0, lang)} ggü. {format_percent(p2, 0, lang)})"
                          if lang == "de" else f"{label} ({format_percent(p1, 0, lang)} vs {format_percent(p2, 0, lang)})")
    if not compared:
        return text
    limit = format_number(SMD_SIMILAR, 1, lang)
    if differ:
        text += ctx.t(f" Unterschiede zwischen iLB- und Kontrollgruppe (standardisierte Differenz ab {limit}) bei: "
                      f"{joined(differ, lang)}.",
                      f" The iLB and control groups differ (standardised difference of {limit} or more) in: "
                      f"{joined(differ, lang)}.")
    else:
        text += ctx.t(f" In den verglichenen Anteilen der Tabelle sind sich iLB- und Kontrollgruppe ähnlich "
                      f"(standardisierte Differenzen unter {limit}).",
                      f" The iLB and control groups are similar in the shares of the table that can be compared "
                      f"(standardised differences below {limit}).")
    return text.strip()


def _demographics_table(ctx: ReportContext, sec: Section, s: StudyResults) -> None:
    lang = ctx.lang
    d = s.demographics
    groups = [g for g in ("ilb", "control", "total") if g in set(d["group"])]
    rows, suppressed = [], False
    for ch, part in d.groupby("characteristic", sort=False):
        cells = [str(part[f"label_{lang}"].iloc[0])]
        for g in groups:
            hit = part[part["group"] == g]
            if hit.empty:
                cells.append(MISSING)
                continue
            value, n = float(hit["value"].iloc[0]), hit["n"].iloc[0]
            if ch == "persons":
                text, sup = ctx.count(value if np.isfinite(value) else np.nan)
                sup = sup or not np.isfinite(value)
                text = ctx.mark if sup else text
            elif ch == "mean_age":
                sup = not np.isfinite(value)
                text = ctx.mark if sup else format_number(value, 1, lang)
            else:
                text, sup = ctx.share(value, n)
            suppressed |= sup
            cells.append(text)
        rows.append(cells)
    group_names = {"ilb": ctx.words["ilb"], "control": ctx.words["control"],
                   "total": ctx.words["total"] if s.study.has_control_group else ctx.t("Alle Befragten",
                                                                                      "All respondents")}
    frame = pd.DataFrame(rows, columns=[ctx.words["characteristic"], *[group_names[g] for g in groups]])
    table = ctx.simple(frame, ctx.t(f"Stichprobe ({s.study.name})", f"Sample ({s.study.name})"),
                       ctx.t("Anteile bezogen auf Personen mit gültiger Angabe.",
                             "Shares of persons with a valid answer."), suppressed=suppressed)
    ctx.table(sec, f"{s.study.name.lower()}_sample", d, table)
