"""Competence development: one section per study, with the iLB effects or the mean development.

A study with control group gets the iLB effects of the conditional models,
the trajectories and likelihood-ratio tests of the multi-group models and the
parameter tables; a study without one the mean intercept and slope of the
unconditional models. Waves, time scores, the first wave and the control
variables come from the study definition; an analysis that could not run is
replaced by a sentence saying why (:mod:`ilb_eval.analysis.gaps`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ilb_eval.analysis.models import model_options
from ilb_eval.analysis.pipeline import StudyResults
from ilb_eval.formatting import format_count, format_interval, format_number, format_p
from ilb_eval.report import figures as F
from ilb_eval.report.context import ReportContext
from ilb_eval.report.document import Section
from ilb_eval.report.phrases import controls, slope_unit, time_scores, wave_list
from ilb_eval.report.sections import invariance
from ilb_eval.report.tables import fit_table, format_fit_table, format_growth_table, growth_table
from ilb_eval.report.text import Effect, describe_growth_effect, describe_trend
from ilb_eval.stats import adjust_pvalues

__all__ = ["KEY", "build", "effect_sentence", "estimated_effects", "status_text", "trends", "unconditional_means"]

KEY = "growth"


def build(ctx: ReportContext) -> None:
    """One section per study: with a control group the iLB effects, without one the mean development."""
    for name, s in ctx.studies.items():
        if s.study.has_control_group:
            _with_control(ctx, ctx.section(ctx.t(f"Kompetenzentwicklung: iLB und Kontrollgruppe ({name})",
                                                 f"Competence development: iLB and control group ({name})")), s)
        else:
            _without_control(ctx, ctx.section(ctx.t(f"Kompetenzentwicklung ohne Kontrollgruppe ({name})",
                                                    f"Competence development without control group ({name})")), s)


def estimated_effects(s: StudyResults) -> pd.DataFrame:
    """The rows of the iLB-effects table that hold an estimate."""
    e = s.effects
    return e[np.isfinite(e["estimate"].astype(float))] if len(e) else e


def unconditional_means(s: StudyResults) -> pd.DataFrame:
    """Mean intercept and slope of each unconditional model that was estimated.

    Columns ``dimension``, ``factor`` (``i``, ``s``), ``est``, ``se``, ``pvalue``, ``ci_lower``,
    ``ci_upper``, ``n``.
    """
    rows = []
    for dim, m in s.models.items():
        rec = m.records.get("unconditional")
        if rec is None or not rec.ok:
            continue
        p = rec.results.params
        for factor in ("i", "s"):
            r = p[(p["lhs"] == factor) & (p["op"] == "~1")].iloc[0]
            rows.append({"dimension": dim, "factor": factor, "est": float(r["est"]), "se": float(r["se"]),
                         "pvalue": float(r["pvalue"]), "ci_lower": float(r["ci_lower"]),
                         "ci_upper": float(r["ci_upper"]), "n": rec.n})
    return pd.DataFrame(rows, columns=["dimension", "factor", "est", "se", "pvalue", "ci_lower", "ci_upper", "n"])


def trends(s: StudyResults, adjust: str) -> pd.DataFrame:
    """:func:`unconditional_means` with ``p_adjusted`` (over the slopes of the estimated dimensions)."""
    raw = unconditional_means(s)
    raw["p_adjusted"] = np.nan
    mask = raw["factor"] == "s"
    if mask.any():
        raw.loc[mask, "p_adjusted"] = adjust_pvalues(raw.loc[mask, "pvalue"].to_numpy(float), adjust)
    return raw


def status_text(ctx: ReportContext, status: str) -> str:
    """A model status in the report's words."""
    return {"failed": ctx.t("Modell fehlgeschlagen", "model failed"),
            "not_converged": ctx.t("nicht konvergiert", "not converged")}.get(
                str(status).split(":")[0], ctx.t("nicht geschätzt", "not fitted"))


def effect_sentence(ctx: ReportContext, s: StudyResults, dim: str) -> str | None:
    """The plain-language reading of the iLB effects of one dimension (``None`` without estimates)."""
    e = s.effects
    rows = {f: e[(e["dimension"] == dim) & (e["factor"] == f)] for f in ("i", "s")}
    if any(r.empty or not np.isfinite(r["estimate"].iloc[0]) for r in rows.values()):
        return None
    effects = {f: Effect(float(r["estimate"].iloc[0]), float(r["se"].iloc[0]),
                         float(r["p_adjusted"].iloc[0]), int(r["n"].iloc[0])) for f, r in rows.items()}
    return describe_growth_effect(ctx.label(s, dim), intercept=effects["i"], slope=effects["s"],
                                  lang=ctx.lang, rule=ctx.rule, time_unit=slope_unit(s.study, ctx.lang))


def _model_text(ctx: ReportContext, s: StudyResults) -> str:
    """How the growth model is specified for this study's waves (two waves: the restricted model)."""
    study = s.study
    first = study.wave_names[0]
    text = ctx.t(f"Für jede Kompetenzfacette wurde ein lineares latentes Wachstumskurvenmodell über die Wellen "
                 f"{wave_list(study, 'de')} geschätzt (Zeitwerte {time_scores(study, 'de')}): Ausgangsniveau (i, bei "
                 f"{first}) und Veränderung (s, je Zeiteinheit) jeder Person.",
                 f"For each competence dimension a linear latent growth curve model over the waves "
                 f"{wave_list(study, 'en')} was fitted (time scores {time_scores(study, 'en')}): each person's "
                 f"intercept (i, at {first}) and slope (s, per time unit).")
    if model_options(len(study.waves)):
        text += ctx.t(" Bei zwei Wellen haben die Modelle eine gemeinsame Residualvarianz und keine Varianz der "
                      "Veränderung (sonst wären sie nicht identifiziert).",
                      " With two waves the models have one residual variance and no slope variance (otherwise "
                      "they would not be identified).")
    return text


def _with_control(ctx: ReportContext, sec: Section, s: StudyResults) -> None:
    lang, name = ctx.lang, s.study.name
    labels = ctx.labels(s)
    listed = controls(s.study, lang)
    sec.paragraph(_model_text(ctx, s) + ctx.t(
        f" Im konditionalen Modell sagen die iLB-Teilnahme und die Kontrollvariablen ({listed}) i und s vorher; der "
        "Koeffizient der iLB-Teilnahme ist der Unterschied zur Kontrollgruppe bei gleichen Kontrollvariablen.",
        f" In the conditional model, iLB participation and the controls ({listed}) predict i and s; the coefficient of "
        "iLB participation is the difference from the control group at equal controls."))
    sec.heading(ctx.t("Effekte der iLB auf Ausgangsniveau und Veränderung", "Effects of iLB on intercept and slope"))
    gap = s.gap("ilb_effects")
    if gap is not None:
        ctx.gap(sec, gap, only="ilb_effects")
    else:
        _effects(ctx, sec, s, listed)

    sec.page_break()
    sec.heading(ctx.t("Verläufe der iLB- und der Kontrollgruppe", "Trajectories of the iLB and control groups"))
    gap = s.gap("group_comparison")
    if gap is not None:
        ctx.gap(sec, gap, only="group_comparison")
    else:
        implied = [m.implied for m in s.models.values() if len(m.implied)]
        if implied:
            observed = pd.concat([m.observed for m in s.models.values() if len(m.observed)], ignore_index=True)
            waves = dict(zip(s.study.wave_names, s.study.time_scores, strict=True))
            fig = F.trajectories(pd.concat(implied, ignore_index=True), observed, waves=waves, lang=lang,
                                 labels=labels, rule=ctx.rule, ncols=3)
            ctx.figure(sec, f"{name.lower()}_trajectories", fig,
                       ctx.t(f"Modellimplizierte Verläufe je Kompetenzfacette: iLB und Kontrollgruppe ({name})",
                             f"Model-implied trajectories per competence dimension: iLB and control group ({name})"),
                       ctx.t("Mehrgruppenmodell ohne Kovariaten (freie Mittelwerte je Gruppe).",
                             "Multi-group model without covariates (free means per group)."))
        else:
            sec.paragraph(ctx.t("Kein Mehrgruppenmodell konnte geschätzt werden (Gründe im Abschnitt „Warnungen und "
                                "Modellstatus“).", "No multi-group model could be estimated (reasons in the section "
                                "'Warnings and model status')."))
    sec.page_break()
    sec.heading(ctx.t("Mehrgruppenvergleich: Likelihood-Quotienten-Tests",
                      "Multi-group comparison: likelihood-ratio tests"))
    if gap is not None:
        ctx.gap(sec, gap, analyses=False)
    else:
        _lr_tests(ctx, sec, s)
    sec.heading(ctx.t("Parameter und Modellgüte der konditionalen Modelle",
                      "Parameters and fit of the conditional models"))
    gap = s.gap("ilb_effects")
    if gap is not None:
        ctx.gap(sec, gap, analyses=False)
    else:
        _growth_tables(ctx, sec, s, "conditional")


def _effects(ctx: ReportContext, sec: Section, s: StudyResults, listed: str) -> None:
    lang, name = ctx.lang, s.study.name
    e = s.effects
    rows, suppressed = [], False
    factor_names = {"i": ctx.t("Ausgangsniveau (i)", "Intercept (i)"), "s": ctx.t("Veränderung (s)", "Slope (s)")}
    caveat = invariance.not_scalar(s)
    for dim in dict.fromkeys(e["dimension"]):
        for factor in ("i", "s"):
            label = ctx.label(s, dim) + (" †" if dim in caveat else "")
            cells = [label if factor == "i" else "", factor_names[factor]]
            hit = e[(e["dimension"] == dim) & (e["factor"] == factor)].iloc[0]
            if not np.isfinite(hit["estimate"]):
                cells += [status_text(ctx, hit["status"]), "", "", "", ""]
            elif not ctx.rule.allows(hit["n"]):
                suppressed = True
                cells += [ctx.mark] * 5
            else:
                cells += [format_number(hit["estimate"], 3, lang), format_number(hit["se"], 3, lang),
                          format_interval(hit["ci_lower"], hit["ci_upper"], 3, lang),
                          format_p(hit["pvalue"], lang, prefix=False),
                          format_p(hit["p_adjusted"], lang, prefix=False)]
            rows.append(cells)
    adj = ctx.adjust
    ci = ctx.t("95 %-KI", "95% CI")
    columns = [ctx.words["dimension"], ctx.t("Faktor", "Factor"), "b", "SE", ci, "p", f"p ({adj})"]
    frame = pd.DataFrame(rows, columns=columns)
    n_model = int(e["n"].dropna().max()) if e["n"].notna().any() else 0
    n_tests = format_count(int(e["pvalue"].notna().sum()), lang)
    table = ctx.simple(frame, ctx.t(f"Unterschied iLB − Kontrollgruppe in Ausgangsniveau (i) und "
                                    f"Veränderung (s) ({name})",
                                    f"Difference iLB − control group in intercept (i) and slope (s) ({name})"),
                       ctx.t(f"b = unstandardisierter Koeffizient der iLB-Teilnahme im konditionalen Modell "
                             f"(Kontrollvariablen: {listed}); s in Skalenpunkten pro Zeiteinheit "
                             f"(Zeitwerte {time_scores(s.study, 'de')}). p ({adj}) = für {n_tests} "
                             f"Tests adjustiert. N bis {format_count(n_model, lang)}.",
                             f"b = unstandardised coefficient of iLB participation in the conditional model "
                             f"(controls: {listed}); s in scale points per time unit (time scores "
                             f"{time_scores(s.study, 'en')}). p ({adj}) = adjusted over {n_tests} "
                             f"tests. N up to {format_count(n_model, lang)}.") + invariance.caveat_note(ctx, s),
                       suppressed=suppressed)
    table.align = ("left", "left", "right", "right", "right", "right", "right")
    ctx.table(sec, f"{name.lower()}_ilb_effects", e, table)
    if not len(estimated_effects(s)):
        sec.paragraph(ctx.t("Kein konditionales Modell konnte geschätzt werden (Gründe im Abschnitt „Warnungen und "
                            "Modellstatus“).", "No conditional model could be estimated (reasons in the section "
                            "'Warnings and model status')."))
        return
    forest = e.rename(columns={"p_adjusted": "p_holm"})
    construct = invariance.second_order_effects(s, ctx.results.settings.adjust)
    fig = F.forest_plot(forest, lang=lang, labels=ctx.labels(s), rule=ctx.rule,
                        second_order=construct.rename(columns={"p_adjusted": "p_holm"}) if len(construct) else None,
                        caveat=invariance.not_scalar(s))
    if ctx.results.settings.adjust != "holm" and fig.legends:
        fig.legends[0].texts[0].set_text(ctx.t("signifikant nach Benjamini-Hochberg (p ≤ ,05)",
                                               "significant after Benjamini-Hochberg (p ≤ .05)"))
    ctx.figure(sec, f"{name.lower()}_forest", fig,
               ctx.t(f"Effekte der iLB-Teilnahme auf Ausgangsniveau und Veränderung ({name})",
                     f"Effects of iLB participation on intercept and slope ({name})"),
               ctx.t("Punkte: Schätzung mit 95 %-Konfidenzintervall; gefüllt: signifikant nach "
                     f"{adj}-Korrektur.", f"Points: estimate with 95% confidence interval; filled: "
                     f"significant after {adj} correction.")
               + (ctx.t(" Rauten: dieselben Effekte im Wachstumsmodell zweiter Ordnung (latentes Konstrukt, "
                        f"Metrik des Skalenmittelwerts, {adj} über diese Modelle; Anhang).",
                        " Diamonds: the same effects in the second-order growth model (latent construct, "
                        f"metric of the scale mean, {adj} over these models; appendix).") if len(construct) else ""))
    sentences = [x for x in (effect_sentence(ctx, s, d) for d in dict.fromkeys(e["dimension"])) if x]
    if sentences:
        sec.heading(ctx.t("Lesart", "Reading"), level=3)
        sec.bullets(sentences)
        sec.paragraph(ctx.t(f"p-Werte in diesen Sätzen: {adj}-adjustiert.",
                            f"p-values in these sentences: {adj}-adjusted."), "note")


#: lavaan's names of likelihood-ratio test methods, as the report names them.
LR_METHODS = {
    "standard": ("Chi-Quadrat-Differenztest", "Chi-square difference test"),
    "satorra.bentler.2001": ("Skalierter Chi-Quadrat-Differenztest (Satorra & Bentler, 2001)",
                             "Scaled chi-square difference test (Satorra & Bentler, 2001)"),
    "satorra.bentler.2010": ("Skalierter Chi-Quadrat-Differenztest (Satorra & Bentler, 2010)",
                             "Scaled chi-square difference test (Satorra & Bentler, 2010)"),
}


def _lr_method(ctx: ReportContext, lr: pd.DataFrame) -> str:
    """The name of the test the table's rows used (lavaan's default for the estimator of the fits)."""
    methods = [m for m in dict.fromkeys(lr["method"]) if m in LR_METHODS]
    names = [ctx.t(*LR_METHODS[m]) for m in methods] or [ctx.t(*LR_METHODS["standard"])]
    return "; ".join(names)


def _lr_tests(ctx: ReportContext, sec: Section, s: StudyResults) -> None:
    lang, name = ctx.lang, s.study.name
    lr = s.lr_tests
    rows = []
    for dim in dict.fromkeys(lr["dimension"]):
        cells = [ctx.label(s, dim)]
        for test in ("intercepts", "slopes"):
            hit = lr[(lr["dimension"] == dim) & (lr["test"] == test)].iloc[0]
            if hit["status"] != "ok":
                cells += [status_text(ctx, hit["status"]), ""]
                continue
            cells += [f"{format_number(hit['chisq'], 2, lang)} ({format_count(hit['df'], lang)})",
                      format_p(hit["pvalue"], lang, prefix=False)]
        rows.append(cells)
    chi = "χ² (df)"
    frame = pd.DataFrame(rows, columns=[ctx.words["dimension"], f"i: {chi}", "p", f"s: {chi}", "p "])
    table = ctx.simple(frame, ctx.t(f"Tests gleicher Mittelwerte von Ausgangsniveau und Veränderung in "
                                    f"iLB- und Kontrollgruppe ({name})",
                                    f"Tests of equal intercept and slope means in the iLB and control group ({name})"),
                       ctx.t("i: Test gleicher Mittelwerte des Ausgangsniveaus; s: gleicher Mittelwerte der "
                             f"Veränderung. {_lr_method(ctx, lr)} des restringierten gegen das freie "
                             "Mehrgruppenmodell (ohne Kovariaten, unadjustiert).",
                             "i: test of equal intercept means; s: of equal slope means. "
                             f"{_lr_method(ctx, lr)} of the restricted against the free multi-group model (no "
                             "covariates, unadjusted)."))
    ctx.table(sec, f"{name.lower()}_lr_tests", lr, table)


def _growth_tables(ctx: ReportContext, sec: Section, s: StudyResults, kind: str) -> None:
    lang, name = ctx.lang, s.study.name
    params, fits, n = {}, {}, {}
    failed = []
    for dim, m in s.models.items():
        rec = m.records.get(kind)
        if rec is not None and rec.ok:
            params[dim] = rec.results.params
            fits[dim] = dict(rec.results.fit)
            n[dim] = rec.n
        elif rec is not None:
            failed.append(f"{ctx.label(s, dim)} ({status_text(ctx, rec.status)})")
    labels = ctx.labels(s)
    labels["ilb"] = {"de": "iLB-Teilnahme", "en": "iLB participation"}
    if params:
        raw = growth_table(params)
        caption = ctx.t(f"Parameterschätzungen der Wachstumskurvenmodelle ({name})",
                        f"Parameter estimates of the growth curve models ({name})")
        table = format_growth_table(raw, labels=labels, lang=lang, rule=ctx.rule, n=n, caption=caption)
        ctx.content.tables[f"{name.lower()}_growth_parameters"] = (raw, table)
        raw_fit = fit_table(fits)
        fit = format_fit_table(raw_fit, labels=labels, lang=lang, rule=ctx.rule,
                               caption=ctx.t(f"Modellgüte der Wachstumskurvenmodelle ({name})",
                                             f"Fit of the growth curve models ({name})"))
        ctx.table(sec, f"{name.lower()}_growth_fit", raw_fit, fit)
        for dim in params:
            part = format_growth_table(raw[raw["outcome"] == dim], labels=labels, lang=lang, rule=ctx.rule,
                                       n=n, caption=f"{caption}: {ctx.label(s, dim)}")
            part.add_to(sec)
    if failed:
        sec.paragraph(ctx.t("Nicht geschätzt bzw. nicht berichtet (Gründe im Abschnitt „Warnungen und "
                            "Modellstatus“): ", "Not estimated or not reported (reasons in the section 'Warnings "
                            "and model status'): ") + "; ".join(failed) + ".")


def _without_control(ctx: ReportContext, sec: Section, s: StudyResults) -> None:
    lang, name = ctx.lang, s.study.name
    labels = ctx.labels(s)
    everyone = s.study.ilb_use is not None and s.study.ilb_use.kind == "everyone"
    who = ctx.t(f"In der Stichprobe {name} nutzten alle Befragten die iLB; es gibt keine Kontrollgruppe, Effekte der "
                "iLB lassen sich daher nicht isolieren. " if everyone else
                f"Die Stichprobe {name} hat keine Kontrollgruppe. ",
                f"In the sample {name} all respondents used iLB; there is no control group, so effects of iLB "
                "cannot be isolated. " if everyone else
                f"The sample {name} has no control group. ")
    sec.paragraph(who + _model_text(ctx, s) + ctx.t(
        " Berichtet wird das unkonditionale Wachstumskurvenmodell je Kompetenzfacette: mittleres Ausgangsniveau "
        "und mittlere Veränderung.",
        " Reported is the unconditional growth curve model per competence dimension: mean intercept and mean "
        "slope."))
    rows, sentences = [], []
    unit = slope_unit(s.study, lang)
    raw = trends(s, ctx.results.settings.adjust)
    caveat = invariance.not_scalar(s)
    for dim, m in s.models.items():
        rec = m.records.get("unconditional")
        cells = [ctx.label(s, dim) + (" †" if dim in caveat else "")]
        if rec is None or not rec.ok:
            cells += [status_text(ctx, rec.status if rec is not None else "failed"), "", "", "", ""]
            rows.append(cells)
            continue
        i, sl = (raw[(raw["dimension"] == dim) & (raw["factor"] == f)].iloc[0] for f in ("i", "s"))
        if not ctx.rule.allows(rec.n):
            rows.append(cells + [ctx.mark] * 5)
            continue
        cells += [format_number(i["est"], 2, lang),
                  f"{format_number(sl['est'], 3, lang)} {format_interval(sl['ci_lower'], sl['ci_upper'], 3, lang)}",
                  format_p(sl["pvalue"], lang, prefix=False), format_p(sl["p_adjusted"], lang, prefix=False),
                  format_count(rec.n, lang)]
        rows.append(cells)
        sentences.append(describe_trend(ctx.label(s, dim), Effect(float(sl["est"]), float(sl["se"]),
                                                                  float(sl["pvalue"]), rec.n),
                                        lang=lang, rule=ctx.rule, time_unit=unit))
    ci = ctx.t("95 %-KI", "95% CI")
    first = s.study.wave_names[0]
    frame = pd.DataFrame(rows, columns=[ctx.words["dimension"], "i", f"s [{ci}]", "p", f"p ({ctx.adjust})", "N"])
    table = ctx.simple(frame, ctx.t(f"Mittleres Ausgangsniveau und mittlere Veränderung ({name})",
                                    f"Mean intercept and mean slope ({name})"),
                       ctx.t(f"i = mittleres Ausgangsniveau ({first}), s = mittlere Veränderung in Skalenpunkten pro "
                             f"Zeiteinheit (Zeitwerte {time_scores(s.study, 'de')}). Unkonditionales lineares "
                             "Wachstumskurvenmodell (FIML).",
                             f"i = mean intercept ({first}), s = mean slope in scale points per time unit (time "
                             f"scores {time_scores(s.study, 'en')}). Unconditional linear growth curve model (FIML).")
                       + invariance.caveat_note(ctx, s),
                       suppressed=any(ctx.mark in c for c in rows))
    ctx.table(sec, f"{name.lower()}_growth_means", raw, table)
    implied = [m.implied for m in s.models.values() if len(m.implied)]
    if implied:
        observed = pd.concat([m.observed for m in s.models.values() if len(m.observed)], ignore_index=True)
        waves = dict(zip(s.study.wave_names, s.study.time_scores, strict=True))
        fig = F.trajectories(pd.concat(implied, ignore_index=True), observed, waves=waves, lang=lang,
                             labels=dict(labels), rule=ctx.rule, ncols=3)
        ctx.figure(sec, f"{name.lower()}_trajectories", fig,
                   ctx.t(f"Modellimplizierte Verläufe je Kompetenzfacette ({name}, "
                         f"{'alle iLB-Teilnehmende' if everyone else 'alle Befragten'})",
                         f"Model-implied trajectories per competence dimension ({name}, "
                         f"{'all iLB participants' if everyone else 'all respondents'})"))
    if sentences:
        sec.heading(ctx.t("Lesart", "Reading"), level=3)
        sec.bullets(sentences)
        sec.paragraph(ctx.t("p-Werte in diesen Sätzen: unadjustiert; die Tabelle zeigt zusätzlich die "
                            f"{ctx.adjust}-adjustierten.", "p-values in these sentences: unadjusted; the table "
                            f"also shows the {ctx.adjust}-adjusted ones."), "note")
    sec.page_break()
    sec.heading(ctx.t("Parameter und Modellgüte", "Parameters and fit"))
    _growth_tables(ctx, sec, s, "unconditional")
