"""Satisfaction, benefit and reuse: the feedback of iLB users, and the coded interviews."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from ilb_eval.analysis.pipeline import StudyResults
from ilb_eval.formatting import format_interval, format_number, format_percent
from ilb_eval.report import figures as F
from ilb_eval.report.context import ReportContext
from ilb_eval.report.document import Section
from ilb_eval.report.phrases import joined
from ilb_eval.report.tables import FormattedTable

__all__ = ["BLOCKS", "KEY", "build", "present"]

KEY = "feedback"

#: English names of the coded interview categories of the example study (German is the source).
_INTERVIEW_EN = {
    "Selbstständigkeit": "Autonomy", "Motivation": "Motivation",
    "Umgang mit schwierigen Situationen": "Dealing with difficult situations",
    "Arbeitspensum": "Workload", "Reflexion des eigenen Handelns": "Reflection on one's own actions",
    "Selbstvertrauen": "Self-confidence", "Arbeitsorganisation": "Work organisation",
    "Inhalte des Programms": "Programme contents", "Bewältigung des Programms": "Coping with the programme",
    "Auffangen kritischer Haltungen zum ZP": "Absorbing critical attitudes towards the ZP",
    "Beratungskompetenz": "Counselling competence",
}


#: The feedback blocks of a study definition, in print order.
BLOCKS = ("satisfaction", "improvement_wish", "benefit", "acceleration", "reuse")
_LAST_ANSWER = {"satisfaction": ("Zufriedenheit", "satisfaction"),
                "improvement_wish": ("Verbesserungswünsche", "improvement wishes"),
                "reuse": ("erneute Nutzung", "reuse")}


def present(ctx: ReportContext) -> bool:
    """Whether a study asked for feedback or interviews were coded (otherwise there is no section)."""
    declared = any(key in s.study.item_blocks for s in ctx.studies.values() for key in BLOCKS)
    return declared or bool(len(ctx.results.interviews))


def build(ctx: ReportContext) -> None:
    """Satisfaction and improvement wishes, benefit and acceleration, reuse, interviews."""
    if not present(ctx):
        return
    lang = ctx.lang
    asked = {name: s for name, s in ctx.studies.items() if any(k in s.study.item_blocks for k in BLOCKS)}
    sec = ctx.section(ctx.t("Zufriedenheit, Nutzen und erneute Nutzung", "Satisfaction, benefit and reuse") if asked
                      else ctx.t("Qualitative Interviews", "Qualitative interviews"))
    if asked:
        sec.paragraph(_intro(ctx, asked))
    studies = {}
    for name, s in asked.items():
        gap = s.gap("feedback")
        if gap is None:
            studies[name] = s
            continue
        sec.heading(ctx.t(f"Angaben der iLB-Teilnehmenden ({name})", f"Answers of iLB participants ({name})"))
        ctx.gap(sec, gap, only="feedback")
    for name, s in studies.items():
        sat = s.satisfaction
        if not len(sat):
            continue
        if len(sec.blocks) > 1:
            sec.page_break()
        sec.heading(ctx.t(f"Zufriedenheit mit Aspekten der iLB ({name})",
                          f"Satisfaction with aspects of iLB ({name})"))
        data = sat.assign(aspect=sat[f"label_{lang}"])
        fig = F.satisfaction(data, lang=lang, rule=ctx.rule)
        ctx.figure(sec, f"{name.lower()}_satisfaction", fig,
                   ctx.t(f"Zufriedenheit und Verbesserungswünsche ({name})",
                         f"Satisfaction and wishes for improvement ({name})"))
        best = sat.dropna(subset=["mean"]).sort_values("mean", ascending=False)
        wish = sat.dropna(subset=["share_improve"]).sort_values("share_improve", ascending=False)
        if len(best) > 1 and len(wish):
            top, low, w0 = best.iloc[0], best.iloc[-1], wish.iloc[0]
            sec.paragraph(ctx.t(f"Am besten bewertet: {top['label_de']} (M = {format_number(top['mean'], 1, lang)}); "
                                f"am schwächsten: {low['label_de']} (M = {format_number(low['mean'], 1, lang)}). "
                                f"Den häufigsten Verbesserungswunsch gibt es bei {w0['label_de']} "
                                f"({format_percent(w0['share_improve'], 0, lang)}).",
                                f"Rated best: {top['label_en']} (M = {format_number(top['mean'], 1, lang)}); "
                                f"weakest: {low['label_en']} (M = {format_number(low['mean'], 1, lang)}). "
                                f"Improvement is wished most often for {w0['label_en'].lower()} "
                                f"({format_percent(w0['share_improve'], 0, lang)})."))
        ctx.content.tables[f"{name.lower()}_satisfaction"] = (sat, _satisfaction_table(ctx, s))
    ben = pd.concat([s.benefit for s in studies.values() if len(s.benefit)], ignore_index=True) \
        if any(len(s.benefit) for s in studies.values()) else pd.DataFrame()
    if len(ben):
        sec.page_break()
        sec.heading(ctx.t("Nutzen der iLB", "Benefit of iLB"))
        data = ben.assign(aspect=ben[f"label_{lang}"].map(lambda t: textwrap.fill(t, 34)))
        fig = F.benefit_agreement(data, lang=lang, rule=ctx.rule)
        waves = joined(list(dict.fromkeys(ben["wave"])), lang)
        names = joined(list(dict.fromkeys(ben["sample"])), lang)
        ctx.figure(sec, "benefit", fig, ctx.t(f"Zustimmung zu Nutzenaussagen zu {waves} ({names})",
                                              f"Agreement with benefit statements at {waves} ({names})"),
                   _agreement_note(ctx, studies))
        acc = pd.concat([s.acceleration for s in studies.values() if len(s.acceleration)], ignore_index=True) \
            if any(len(s.acceleration) for s in studies.values()) else pd.DataFrame()
        if len(acc):
            _acceleration_table(ctx, sec, acc)
        ctx.content.tables["benefit"] = (ben, _benefit_table(ctx, ben))
    reuse_rows = []
    for name, s in studies.items():
        share = s.reuse.get("share")
        if s.reuse.get("n"):
            text, _ = ctx.share(share if isinstance(share, float) else float("nan"), s.reuse.get("n"))
            reuse_rows.append(ctx.t(f"{name}: {text} der iLB-Teilnehmenden würden die iLB erneut nutzen "
                                    f"(n = {ctx.count(s.reuse['n'])[0]}).",
                                    f"{name}: {text} of iLB participants would use iLB again "
                                    f"(n = {ctx.count(s.reuse['n'])[0]})."))
    if reuse_rows:
        sec.heading(ctx.t("Erneute Nutzung", "Reuse"))
        sec.bullets(reuse_rows)
    inter = ctx.results.interviews
    if len(inter):
        if asked:
            sec.page_break()
            sec.heading(ctx.t("Qualitative Interviews", "Qualitative interviews"))
        data = inter.copy()
        if lang == "en":
            data["category"] = data["category"].map(lambda c: _INTERVIEW_EN.get(c, c))
        fig = F.interview_categories(data, lang=lang, rule=ctx.rule)
        ctx.figure(sec, "interview_categories", fig,
                   ctx.t("Codierte Nennungen von Veränderungen durch die iLB in den Interviews",
                         "Coded mentions of changes through iLB in the interviews"),
                   ctx.t("Inhaltsanalyse nach Mayring; Kategorien mit weniger Nennungen als die "
                         "Mindestzellgröße sind unterdrückt.",
                         "Content analysis after Mayring; categories with fewer mentions than the minimum cell "
                         "size are suppressed."))


def _intro(ctx: ReportContext, asked: dict[str, StudyResults]) -> str:
    """Whose answers at which waves, and which blocks count each person's last valid answer."""
    lang = ctx.lang
    blocks = [b for s in asked.values() for key, b in s.study.item_blocks.items() if key in BLOCKS]
    waves = joined(list(dict.fromkeys(w for b in blocks for w in b.waves)), lang)
    users = any(b.users_only for b in blocks)
    text = ctx.t(f"Antworten der {'iLB-Teilnehmenden' if users else 'Befragten'} zu {waves}.",
                 f"Answers of {'iLB participants' if users else 'respondents'} at {waves}.")
    last = [_LAST_ANSWER[k][0 if lang == "de" else 1] for k in _LAST_ANSWER
            if any(k in s.study.item_blocks for s in asked.values())]
    if last:
        text += ctx.t(f" Für {joined(last, lang)} zählt je Person die letzte gültige Antwort.",
                      f" For {joined(last, lang)} each person's last valid answer counts.")
    return text


def _agreement_note(ctx: ReportContext, studies: dict[str, StudyResults]) -> str | None:
    """What counts as agreement, from the benefit block (threshold and answer range)."""
    blocks = [s.study.item_blocks["benefit"] for s in studies.values() if "benefit" in s.study.item_blocks]
    described = {(b.agree_at_least if b.agree_at_least is not None else 4, b.range) for b in blocks}
    if len(described) != 1:
        return None
    threshold, scale = described.pop()
    lang = ctx.lang
    at_least = format_number(float(threshold), 0, lang)
    if scale is None:
        return ctx.t(f"Zustimmung = Antwort {at_least} oder höher.", f"Agreement = answer {at_least} or higher.")
    lo, hi = (format_number(v, 0, lang) for v in scale)
    return ctx.t(f"Zustimmung = Antwort {at_least} oder höher auf der Skala {lo}–{hi}.",
                 f"Agreement = answer {at_least} or higher on the scale {lo}–{hi}.")


def _acceleration_table(ctx: ReportContext, sec: Section, acc: pd.DataFrame) -> None:
    lang = ctx.lang
    codes = list(dict.fromkeys(acc["category"]))
    rows, suppressed = [], False
    for (sample, wave), part in acc.groupby(["sample", "wave"], sort=False):
        cells = [sample, wave]
        for code in codes:
            hit = part[part["category"] == code]
            text, sup = ctx.share(float(hit["share"].iloc[0]) if len(hit) else float("nan"), 1)
            suppressed |= sup
            cells.append(text)
        cells.append(ctx.count(part["n"].iloc[0])[0])
        rows.append(cells)
    cats = acc.drop_duplicates("category").set_index("category")[f"label_{lang}"]
    frame = pd.DataFrame(rows, columns=[ctx.t("Stichprobe", "Sample"), ctx.words["wave"],
                                        *[cats.get(c, c) for c in codes], "n"])
    table = ctx.simple(frame, ctx.t("Einfluss der iLB auf die Dauer des Programms",
                                    "Effect of iLB on the duration of the programme"),
                       ctx.t("„Die iLB hat das Programm …“; Anteile der Antwortenden.",
                             "'iLB made the programme …'; shares of respondents."), suppressed=suppressed)
    ctx.table(sec, "acceleration", acc, table)


def _satisfaction_table(ctx: ReportContext, s: StudyResults) -> FormattedTable:
    lang, sat, name = ctx.lang, s.satisfaction, s.study.name
    rows, suppressed = [], False
    for r in sat.itertuples():
        if not np.isfinite(r.mean):
            suppressed = True
            mean = ci = ctx.mark
        else:
            mean = format_number(r.mean, 2, lang)
            ci = format_interval(r.ci_lower, r.ci_upper, 2, lang)
        share, sup = ctx.share(r.share_improve, r.n_improve)
        suppressed |= sup
        rows.append([getattr(r, f"label_{lang}"), mean, ci, ctx.count(r.n)[0], share, ctx.count(r.n_improve)[0]])
    frame = pd.DataFrame(rows, columns=[ctx.t("Aspekt", "Aspect"), "M", ctx.t("95 %-KI", "95% CI"), "n",
                                        ctx.t("Verbesserungswunsch", "Wish for improvement"), "n "])
    return ctx.simple(frame, ctx.t(f"Zufriedenheit mit Aspekten der iLB ({name})",
                                   f"Satisfaction with aspects of iLB ({name})"),
                      _anchors(ctx, s), suppressed=suppressed)


def _anchors(ctx: ReportContext, s: StudyResults) -> str | None:
    """The satisfaction scale's ends, from the block's range."""
    scale = s.study.item_blocks["satisfaction"].range
    if scale is None:
        return None
    lo, hi = (format_number(v, 0, ctx.lang) for v in scale)
    return ctx.t(f"{lo} = sehr unzufrieden bis {hi} = sehr zufrieden.", f"{lo} = very dissatisfied to {hi} = very satisfied.")


def _benefit_table(ctx: ReportContext, ben: pd.DataFrame) -> FormattedTable:
    lang = ctx.lang
    rows, suppressed = [], False
    for r in ben.itertuples():
        share, sup = ctx.share(r.share, r.n)
        suppressed |= sup
        rows.append([getattr(r, f"label_{lang}"), r.sample, r.wave, share, ctx.count(r.n)[0]])
    frame = pd.DataFrame(rows, columns=[ctx.t("Aussage", "Statement"), ctx.t("Stichprobe", "Sample"),
                                        ctx.words["wave"], ctx.t("Zustimmung", "Agreement"), "n"])
    return ctx.simple(frame, ctx.t("Zustimmung zu Nutzenaussagen", "Agreement with benefit statements"),
                      suppressed=suppressed, align=("left", "left", "left", "right", "right"))
