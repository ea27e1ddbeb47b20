"""Selection and weighting: how iLB users differed at t1, and controls weighted to resemble them (issue 16).

Fed by :class:`ilb_eval.weighting.summary.WeightingSummary` on each study with
a control group (``StudyResults.weighting``): the propensity covariates, the
balance table before and after weighting, a love plot (|SMD|, threshold .1),
the overlap of the propensity scores, the effective sample sizes and the
weighting variants (inverse probability weights, trimmed, overlap weights).
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from ilb_eval.analysis.pipeline import StudyResults
from ilb_eval.formatting import Lang, format_number
from ilb_eval.report.context import ReportContext
from ilb_eval.report.document import Section
from ilb_eval.report.figures import GROUP_COLORS
from ilb_eval.weighting.diagnostics import SMD_THRESHOLD
from ilb_eval.weighting.study import covariate_labels
from ilb_eval.weighting.summary import WeightingSummary

__all__ = ["KEY", "build", "effects_plot", "love_plot", "overlap_plot"]

KEY = "selection"

_STYLE = {"font.family": ["DejaVu Sans"], "font.size": 8.5, "axes.titlesize": 9, "axes.spines.top": False,
          "axes.spines.right": False}
_GREY = "#6b6b6b"
_VARIANTS = {
    "entropy": {"de": "Entropy Balancing (Hauptanalyse)", "en": "entropy balancing (main analysis)"},
    "ipw": {"de": "Inverse Wahrscheinlichkeitsgewichte", "en": "inverse probability weights"},
    "ipw_trimmed": {"de": "… am 99. Perzentil gekappt", "en": "… trimmed at the 99th percentile"},
    "overlap": {"de": "Overlap-Gewichte (ATO)", "en": "overlap weights (ATO)"},
}


def love_plot(love: pd.DataFrame, labels: list[str], lang: Lang) -> Figure:
    """|SMD| before (open) and after weighting (filled) per covariate, with the .1 threshold line."""
    words = {"de": ("vor der Gewichtung", "nach der Gewichtung", "|standardisierte Mittelwertdifferenz|"),
             "en": ("before weighting", "after weighting", "|standardised mean difference|")}[lang]
    with matplotlib.rc_context(_STYLE):
        fig = Figure(figsize=(6.3, 1.0 + 0.22 * len(love)), layout="constrained")
        ax = fig.subplots()
        y = np.arange(len(love))
        color = GROUP_COLORS["control"]
        ax.scatter(love["abs_smd_before"], y, s=22, facecolors="white", edgecolors=color, linewidths=1.1)
        ax.scatter(love["abs_smd_after"], y, s=22, color=color)
        ax.axvline(SMD_THRESHOLD, color=_GREY, lw=0.8, ls=(0, (3, 2)))
        ax.set_yticks(y, labels)
        ax.set_ylim(len(love) - 0.5, -0.5)
        ax.set_xlim(0, max(0.25, float(love["abs_smd_before"].max()) * 1.1))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v, 2, lang)))
        ax.set_xlabel(words[2])
        handles = [Line2D([], [], marker="o", ls="", mfc="white", mec=color, label=words[0]),
                   Line2D([], [], marker="o", ls="", color=color, label=words[1])]
        fig.legend(handles=handles, loc="outside upper center", ncols=2)
    return fig


def overlap_plot(overlap: pd.DataFrame, lang: Lang) -> Figure:
    """Densities of the propensity scores: iLB users, controls, controls weighted."""
    words = {"de": ("iLB", "Kontrollgruppe", "Kontrollgruppe, gewichtet", "geschätzte Teilnahmewahrscheinlichkeit",
                    "Dichte"),
             "en": ("iLB", "control group", "control group, weighted", "estimated propensity of taking up iLB",
                    "density")}[lang]
    with matplotlib.rc_context(_STYLE):
        fig = Figure(figsize=(6.3, 2.4), layout="constrained")
        ax = fig.subplots()
        users = overlap[overlap["group"] == "treated"]
        controls = overlap[overlap["group"] == "control"]
        ax.plot(users["propensity"], users["density"], color=GROUP_COLORS["ilb"], lw=1.4, label=words[0])
        ax.plot(controls["propensity"], controls["density"], color=GROUP_COLORS["control"], lw=1.4, label=words[1])
        ax.plot(controls["propensity"], controls["density_weighted"], color=GROUP_COLORS["control"], lw=1.4,
                ls=(0, (4, 2)), label=words[2])
        ax.set_xlim(0, 1)
        ax.set_ylim(bottom=0)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v, 1, lang)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v, 1, lang)))
        ax.set_xlabel(words[3])
        ax.set_ylabel(words[4])
        fig.legend(loc="outside upper center", ncols=3)
    return fig


_KINDS = {"unweighted": {"de": "ungewichtet", "en": "unweighted"},
          "adjusted": {"de": "kovariatenadjustiert", "en": "covariate-adjusted"},
          "weighted": {"de": "gewichtet (ATT)", "en": "weighted (ATT)"}}
_KIND_STYLE = {"unweighted": ("o", "white"), "adjusted": ("s", "white"), "weighted": ("o", None)}


def effects_plot(effects: pd.DataFrame, labels: dict[str, str], lang: Lang) -> Figure:
    """The iLB effects on intercept and slope per dimension: unweighted, adjusted, weighted side by side."""
    titles = {"de": ("Ausgangsniveau (i)", "Veränderung (s)"), "en": ("Intercept (i)", "Slope (s)")}[lang]
    dims = list(dict.fromkeys(effects["dimension"]))
    color = GROUP_COLORS["ilb"]
    offsets = {"unweighted": -0.22, "adjusted": 0.0, "weighted": 0.22}
    with matplotlib.rc_context(_STYLE):
        fig = Figure(figsize=(6.3, 1.3 + 0.32 * len(dims)), layout="constrained")
        axes = fig.subplots(1, 2, sharey=True)
        for ax, factor, title in zip(axes, ("i", "s"), titles, strict=True):
            part = effects[effects["factor"] == factor]
            for kind, offset in offsets.items():
                rows = part[part["kind"] == kind].set_index("dimension").reindex(dims)
                y = np.arange(len(dims)) + offset
                marker, face = _KIND_STYLE[kind]
                ax.errorbar(rows["estimate"], y, xerr=[rows["estimate"] - rows["ci_lower"],
                                                       rows["ci_upper"] - rows["estimate"]],
                            fmt=marker, ms=3.8, color=color, mfc=face or color, elinewidth=0.9, capsize=1.5)
            ax.axvline(0, color=_GREY, lw=0.7, ls=(0, (3, 2)))
            ax.set_title(title, loc="left")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v, 2, lang)))
        axes[0].set_yticks(range(len(dims)), [labels.get(d, d) for d in dims])
        axes[0].set_ylim(len(dims) - 0.5, -0.5)
        handles = [Line2D([], [], marker=_KIND_STYLE[k][0], ls="", color=color, mfc=_KIND_STYLE[k][1] or color,
                          label=_KINDS[k][lang]) for k in offsets]
        fig.legend(handles=handles, loc="outside upper center", ncols=3)
    return fig


def build(ctx: ReportContext) -> None:
    """One section for the studies with a control group (nothing when there is none)."""
    studies = [s for s in ctx.studies.values() if s.weighting is not None]
    if not studies:
        return
    sec = ctx.section(ctx.t("Selektion und Gewichtung", "Selection and weighting"))
    sec.paragraph(ctx.t(
        "Die iLB wurde freiwillig genutzt. Wer sie nutzte, kann sich schon vor Beginn von der Kontrollgruppe "
        "unterschieden haben; ein Unterschied in der Veränderung ist dann nicht allein Wirkung der iLB. Deshalb "
        "wird die Kontrollgruppe so gewichtet, dass sie den iLB-Teilnehmenden in allem gleicht, was bei t1 "
        "gemessen wurde (Schätzgröße ATT: der Effekt bei den Teilnehmenden): Entropy Balancing (Hainmueller 2012) "
        "gibt den Personen der Kontrollgruppe Gewichte, mit denen ihre Mittelwerte denen der Teilnehmenden genau "
        "gleichen, und hält die Gewichte dabei so gleichmäßig wie möglich.",
        "iLB was taken up voluntarily. Those who took it up may have differed from the control group before it "
        "began; a difference in change is then not the effect of iLB alone. The control group is therefore "
        "weighted to resemble the iLB participants in everything measured at t1 (estimand ATT: the effect among "
        "the participants): entropy balancing (Hainmueller 2012) gives the control persons weights under which "
        "their means equal the participants' exactly, keeping the weights as even as possible."))
    for s in studies:
        _study(ctx, sec, s, s.weighting)
    sec.paragraph(ctx.t(
        "Gewichtung gleicht nur aus, was gemessen wurde. Hängt die Teilnahme an Merkmalen, die bei t1 nicht "
        "erhoben wurden und zugleich die Entwicklung beeinflussen, bleibt eine Verzerrung möglich.",
        "Weighting only balances what was measured. If taking up iLB depends on characteristics not measured "
        "at t1 that also affect development, a bias can remain."), style="note")


def _study(ctx: ReportContext, sec: Section, s: StudyResults, w: WeightingSummary) -> None:
    lang, name = ctx.lang, s.study.name
    sec.heading(name)
    if w.status != "ok":
        sec.paragraph(ctx.t(f"Die Gewichtung war nicht möglich: {w.reason}", f"Weighting was not possible: {w.reason}"))
        ctx.warn(sec, f"{name} weighting: {w.reason}")
        return
    labels = covariate_labels(s.study, w.covariates, lang)
    sec.paragraph(ctx.t("Merkmale bei t1 (Propensity-Kovariaten): ", "Characteristics at t1 (propensity covariates): ")
                  + ", ".join(labels) + ".")
    excluded = w.excluded
    n_late, sup1 = ctx.count(sum(excluded["no_first_wave"].values()))
    n_missing, sup2 = ctx.count(sum(excluded["missing_covariates"].values()))
    n1, sup3 = ctx.count(w.n["treated"])
    n0, sup4 = ctx.count(w.n["control"])
    sec.paragraph(ctx.t(
        f"Gewichtet wurden {n1} iLB-Teilnehmende und {n0} Personen der Kontrollgruppe mit einem t1-Datensatz "
        f"und allen Merkmalen; nicht einbezogen: {n_late} Personen ohne t1-Datensatz (später eingestiegen, kein "
        f"Ausgangswert) und {n_missing} mit fehlendem Merkmal. Effektive Stichprobengröße der gewichteten "
        f"Kontrollgruppe (Kish): {format_number(w.ess['control'], 0, lang)} von {n0}.",
        f"Weighted: {n1} iLB participants and {n0} control persons with a t1 record and every characteristic; "
        f"not included: {n_late} persons without a t1 record (joined later, no baseline) and {n_missing} with a "
        f"missing characteristic. Effective sample size of the weighted control group (Kish): "
        f"{format_number(w.ess['control'], 0, lang)} of {n0}."))
    _balance_table(ctx, sec, s, w, labels, suppressed=sup1 or sup2 or sup3 or sup4)
    love_labels = covariate_labels(s.study, list(w.love["covariate"]), lang)
    ctx.figure(sec, f"{name.lower()}_love_plot", love_plot(w.love, love_labels, lang),
               ctx.t(f"Balance vor und nach der Gewichtung ({name})", f"Balance before and after weighting ({name})"),
               ctx.t(f"Gestrichelt: |SMD| = {format_number(SMD_THRESHOLD, 1, lang)}, die übliche Grenze "
                     "ausreichender Balance.",
                     f"Dashed: |SMD| = {format_number(SMD_THRESHOLD, 1, lang)}, the usual limit of adequate balance."))
    ctx.figure(sec, f"{name.lower()}_propensity_overlap", overlap_plot(w.overlap, lang),
               ctx.t(f"Überlappung der Teilnahmewahrscheinlichkeiten ({name})",
                     f"Overlap of the propensity scores ({name})"),
               ctx.t("Logistische Regression der iLB-Teilnahme auf die Merkmale bei t1; Kerndichteschätzungen. "
                     "Gewichtet gleicht die Verteilung der Kontrollgruppe der der Teilnehmenden, wo sich beide "
                     "überlappen.",
                     "Logistic regression of iLB participation on the characteristics at t1; kernel density "
                     "estimates. Weighted, the control group's distribution resembles the participants' where "
                     "both overlap."))
    _variants_table(ctx, sec, s, w)
    if len(w.effects):
        _effects(ctx, sec, s, w)
    for text in w.warnings:
        sec.paragraph(ctx.t("Hinweis: ", "Note: ") + text, style="note")
        ctx.warn(sec, f"{name} weighting: {text}")


def _balance_table(ctx: ReportContext, sec: Section, s: StudyResults, w: WeightingSummary, labels: list[str], *,
                   suppressed: bool) -> None:
    lang, name = ctx.lang, s.study.name
    kinds = {"binary": ctx.t("binär", "binary"), "continuous": ctx.t("stetig", "continuous")}
    rows = []
    for label, r in zip(labels, w.balance.itertuples(), strict=True):
        rows.append([label, kinds[r.type], format_number(r.smd_before, 2, lang, sign=True),
                     format_number(r.smd_after, 2, lang, sign=True), format_number(r.variance_ratio_before, 2, lang),
                     format_number(r.variance_ratio_after, 2, lang)])
    columns = [ctx.words["characteristic"], ctx.t("Typ", "Type"), ctx.t("SMD vorher", "SMD before"),
               ctx.t("SMD nachher", "SMD after"), ctx.t("VR vorher", "VR before"), ctx.t("VR nachher", "VR after")]
    table = ctx.simple(pd.DataFrame(rows, columns=columns),
                       ctx.t(f"Balance der Merkmale bei t1 ({name})", f"Balance of the characteristics at t1 ({name})"),
                       ctx.t("SMD: standardisierte Mittelwertdifferenz (iLB − Kontrollgruppe) / SD der "
                             "iLB-Teilnehmenden, vor und nach der Gewichtung mit derselben SD; Ziel |SMD| < "
                             f"{format_number(SMD_THRESHOLD, 1, lang)}. VR: Varianzverhältnis iLB / Kontrollgruppe "
                             "(nur stetige Merkmale).",
                             "SMD: standardised mean difference (iLB − control) / SD of the iLB participants, before "
                             "and after weighting with the same SD; target |SMD| < "
                             f"{format_number(SMD_THRESHOLD, 1, lang)}. VR: variance ratio iLB / control "
                             "(continuous characteristics only)."),
                       suppressed=suppressed, align=("left", "left", "right", "right", "right", "right"))
    ctx.table(sec, f"{name.lower()}_balance", w.balance, table)


def _variants_table(ctx: ReportContext, sec: Section, s: StudyResults, w: WeightingSummary) -> None:
    lang, name = ctx.lang, s.study.name
    rows = []
    for r in w.variants.itertuples():
        label = _VARIANTS.get(r.variant, {}).get(lang, r.variant)
        if r.status != "ok":
            rows.append([label, r.estimand, ctx.t("nicht möglich", "not possible"), "", ""])
            continue
        rows.append([label, r.estimand, format_number(r.ess_control, 0, lang), format_number(r.ess_treated, 0, lang),
                     format_number(r.max_abs_smd, 2, lang)])
    columns = [ctx.t("Gewichtung", "Weighting"), ctx.t("Schätzgröße", "Estimand"),
               ctx.t("ESS Kontrolle", "ESS control"), ctx.t("ESS iLB", "ESS iLB"), ctx.t("max. |SMD|", "max |SMD|")]
    table = ctx.simple(pd.DataFrame(rows, columns=columns),
                       ctx.t(f"Gewichtungsvarianten ({name})", f"Weighting variants ({name})"),
                       ctx.t("ESS: effektive Stichprobengröße (Kish). Inverse Wahrscheinlichkeits- und Overlap-"
                             "Gewichte aus einer logistischen Regression der Teilnahme auf die Merkmale bei t1; "
                             "Overlap-Gewichte schätzen den Effekt in der Überlappungspopulation (ATO).",
                             "ESS: effective sample size (Kish). Inverse probability and overlap weights from a "
                             "logistic regression of participation on the characteristics at t1; overlap weights "
                             "estimate the effect in the overlap population (ATO)."),
                       align=("left", "left", "right", "right", "right"))
    ctx.table(sec, f"{name.lower()}_weighting_variants", w.variants.drop(columns=["reason"]), table)


def _effects(ctx: ReportContext, sec: Section, s: StudyResults, w: WeightingSummary) -> None:
    lang, name = ctx.lang, s.study.name
    sec.heading(ctx.t("iLB-Effekte ohne und mit Gewichtung", "iLB effects without and with weighting"))
    labels = {d: ctx.label(s, d) for d in dict.fromkeys(w.effects["dimension"])}
    ctx.figure(sec, f"{name.lower()}_effects_by_adjustment", effects_plot(w.effects, labels, lang),
               ctx.t(f"Effekte der iLB-Teilnahme: ungewichtet, kovariatenadjustiert und gewichtet ({name})",
                     f"Effects of iLB participation: unweighted, covariate-adjusted and weighted ({name})"),
               ctx.t("Dieselben Personen in allen drei Modellen; 95-%-Konfidenzintervalle, gewichtet robust (MLR).",
                     "The same persons in all three models; 95 % confidence intervals, weighted ones robust (MLR)."))
    slopes = w.effects[w.effects["factor"] == "s"]
    evalues = w.evalues.set_index("dimension") if len(w.evalues) else pd.DataFrame()
    rows = []
    for dim, label in labels.items():
        cells = [label]
        for kind in ("unweighted", "adjusted", "weighted"):
            hit = slopes[(slopes["dimension"] == dim) & (slopes["kind"] == kind)]
            cells.append("" if hit.empty else f"{format_number(hit['estimate'].iloc[0], 3, lang)} "
                                               f"({format_number(hit['se'].iloc[0], 3, lang)})")
        if dim in evalues.index:
            e = evalues.loc[dim]
            cells.append(f"{format_number(e['evalue'], 2, lang)} ({format_number(e['evalue_ci'], 2, lang)})")
        else:
            cells.append("")
        rows.append(cells)
    columns = [ctx.words["dimension"], _KINDS["unweighted"][lang], _KINDS["adjusted"][lang], _KINDS["weighted"][lang],
               ctx.t("E-Wert (KI)", "E-value (CI)")]
    table = ctx.simple(pd.DataFrame(rows, columns=columns),
                       ctx.t(f"Effekt der iLB-Teilnahme auf die Veränderung (s) ({name})",
                             f"Effect of iLB participation on the slope (s) ({name})"),
                       ctx.t("b (SE) je Zeiteinheit. E-Wert (VanderWeele & Ding 2017): wie stark ein nicht gemessener "
                             "Störfaktor mit Teilnahme und Entwicklung zusammenhängen müsste (als Risikoverhältnis), "
                             "um den gewichteten Effekt ganz zu erklären; in Klammern für die Grenze des 95-%-"
                             "Konfidenzintervalls (1: das Intervall enthält schon 0). Umrechnung über die Differenz "
                             "zur letzten Welle in SD der Facette, RR = exp(0,91 d).",
                             "b (SE) per time unit. E-value (VanderWeele & Ding 2017): how strongly an unmeasured "
                             "confounder would have to be associated with participation and development (as a risk "
                             "ratio) to explain the weighted effect away; in brackets for the limit of the 95 % "
                             "confidence interval (1: the interval already contains 0). Converted via the difference "
                             "at the last wave in SD of the dimension, RR = exp(0.91 d)."),
                       align=("left", "right", "right", "right", "right"))
    ctx.table(sec, f"{name.lower()}_effects_by_adjustment", w.effects, table)
