"""Satisfaction, benefit and reuse: the feedback of iLB users, and the coded interviews."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from ilb_eval.formatting import format_interval, format_number, format_percent
from ilb_eval.report import figures as F
from ilb_eval.report.context import ReportContext
from ilb_eval.report.tables import FormattedTable

__all__ = ["KEY", "build"]

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


def build(ctx: ReportContext) -> None:
    """Satisfaction and improvement wishes, benefit and acceleration, reuse, interviews."""
    sec = ctx.section(ctx.t("Zufriedenheit, Nutzen und erneute Nutzung", "Satisfaction, benefit and reuse"))
    lang = ctx.lang
    studies = ctx.studies
    sec.paragraph(ctx.t("Antworten der iLB-Teilnehmenden zu t3 und t4. Für Zufriedenheit, "
                        "Verbesserungswünsche und erneute Nutzung zählt je Person die letzte gültige Antwort.",
                        "Answers of iLB participants at t3 and t4. For satisfaction, improvement wishes and reuse "
                        "each person's last valid answer counts."))
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
        if len(best) and len(wish):
            top, low, w0 = best.iloc[0], best.iloc[-1], wish.iloc[0]
            sec.paragraph(ctx.t(f"Am besten bewertet: {top['label_de']} (M = {format_number(top['mean'], 1, lang)}); "
                                f"am schwächsten: {low['label_de']} (M = {format_number(low['mean'], 1, lang)}). "
                                f"Den häufigsten Verbesserungswunsch gibt es bei {w0['label_de']} "
                                f"({format_percent(w0['share_improve'], 0, lang)}).",
                                f"Rated best: {top['label_en']} (M = {format_number(top['mean'], 1, lang)}); "
                                f"weakest: {low['label_en']} (M = {format_number(low['mean'], 1, lang)}). "
                                f"Improvement is wished most often for {w0['label_en'].lower()} "
                                f"({format_percent(w0['share_improve'], 0, lang)})."))
        ctx.content.tables[f"{name.lower()}_satisfaction"] = (sat, _satisfaction_table(ctx, sat, name))
    ben = pd.concat([s.benefit for s in studies.values() if len(s.benefit)], ignore_index=True) \
        if any(len(s.benefit) for s in studies.values()) else pd.DataFrame()
    if len(ben):
        sec.page_break()
        sec.heading(ctx.t("Nutzen der iLB", "Benefit of iLB"))
        data = ben.assign(aspect=ben[f"label_{lang}"].map(lambda t: textwrap.fill(t, 34)))
        fig = F.benefit_agreement(data, lang=lang, rule=ctx.rule)
        ctx.figure(sec, "benefit", fig, ctx.t("Zustimmung zu Nutzenaussagen zu t3 und t4 (EAP und ZP)",
                                              "Agreement with benefit statements at t3 and t4 (EAP and ZP)"),
                   ctx.t("Zustimmung = „trifft eher zu“ oder „trifft voll zu“ (4 oder 5 auf 1–5).",
                         "Agreement = 'rather agree' or 'fully agree' (4 or 5 on 1–5)."))
        acc = pd.concat([s.acceleration for s in studies.values() if len(s.acceleration)], ignore_index=True)
        if len(acc):
            rows, suppressed = [], False
            for (sample, wave), part in acc.groupby(["sample", "wave"], sort=False):
                cells = [sample, wave]
                for code in ("1", "2", "3"):
                    hit = part[part["category"] == code]
                    text, sup = ctx.share(float(hit["share"].iloc[0]) if len(hit) else float("nan"), 1)
                    suppressed |= sup
                    cells.append(text)
                cells.append(ctx.count(int(part["n"].iloc[0]))[0])
                rows.append(cells)
            cats = acc.drop_duplicates("category").set_index("category")[f"label_{lang}"]
            frame = pd.DataFrame(rows, columns=[ctx.t("Stichprobe", "Sample"), ctx.words["wave"],
                                                *[cats.get(c, c) for c in ("1", "2", "3")], "n"])
            table = ctx.simple(frame, ctx.t("Einfluss der iLB auf die Dauer des Programms",
                                            "Effect of iLB on the duration of the programme"),
                               ctx.t("„Die iLB hat das Programm …“; Anteile der Antwortenden.",
                                     "'iLB made the programme …'; shares of respondents."), suppressed=suppressed)
            ctx.table(sec, "acceleration", acc, table)
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


def _satisfaction_table(ctx: ReportContext, sat: pd.DataFrame, name: str) -> FormattedTable:
    lang = ctx.lang
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
                      ctx.t("1 = sehr unzufrieden bis 5 = sehr zufrieden.", "1 = very dissatisfied to 5 = very satisfied."),
                      suppressed=suppressed)


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
