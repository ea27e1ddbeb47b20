"""Competence development: growth models per study (iLB against control, or the mean trajectory)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ilb_eval.analysis.pipeline import StudyResults
from ilb_eval.formatting import format_count, format_interval, format_number, format_p
from ilb_eval.report import figures as F
from ilb_eval.report.context import ReportContext
from ilb_eval.report.document import Section
from ilb_eval.report.tables import fit_table, format_fit_table, format_growth_table, growth_table
from ilb_eval.report.text import Effect, describe_growth_effect, describe_trend
from ilb_eval.stats import adjust_pvalues

__all__ = ["KEY", "build", "effect_sentence"]

KEY = "growth"


def build(ctx: ReportContext) -> None:
    """One section per study: with a control group the iLB effects, without one the mean development."""
    for name, s in ctx.studies.items():
        if s.study.has_control_group:
            _with_control(ctx, ctx.section(
                ctx.t("Kompetenzentwicklung: iLB und Kontrollgruppe (EAP)",
                      "Competence development: iLB and control group (EAP)") if name == "EAP" else
                ctx.t(f"Kompetenzentwicklung ({name})", f"Competence development ({name})")), s)
        else:
            _without_control(ctx, ctx.section(
                ctx.t("Kompetenzentwicklung im Zertifikatsprogramm (ZP)",
                      "Competence development in the certificate programme (ZP)") if name == "ZP" else
                ctx.t(f"Kompetenzentwicklung ({name})", f"Competence development ({name})")), s)


def effect_sentence(ctx: ReportContext, s: StudyResults, dim: str) -> str | None:
    """The plain-language reading of the iLB effects of one dimension (``None`` without estimates)."""
    e = s.effects
    rows = {f: e[(e["dimension"] == dim) & (e["factor"] == f)] for f in ("i", "s")}
    if any(r.empty or not np.isfinite(r["estimate"].iloc[0]) for r in rows.values()):
        return None
    effects = {f: Effect(float(r["estimate"].iloc[0]), float(r["se"].iloc[0]),
                         float(r["p_adjusted"].iloc[0]), int(r["n"].iloc[0])) for f, r in rows.items()}
    return describe_growth_effect(ctx.label(s, dim), intercept=effects["i"], slope=effects["s"],
                                  lang=ctx.lang, rule=ctx.rule)


def _with_control(ctx: ReportContext, sec: Section, s: StudyResults) -> None:
    lang, name = ctx.lang, s.study.name
    labels = ctx.labels(s)
    controls = ", ".join(ctx.label(s, c) for c in s.study.covariate_names)
    sec.paragraph(ctx.t("Für jede Kompetenzfacette wurde ein lineares latentes Wachstumskurvenmodell "
                        "geschätzt: Ausgangsniveau (i, bei t1) und Veränderung (s, je Zeiteinheit) jeder "
                        f"Person. Im konditionalen Modell sagen die iLB-Teilnahme und die Kontrollvariablen "
                        f"({controls}) i und s vorher; der Koeffizient der iLB-Teilnahme ist der Unterschied "
                        "zur Kontrollgruppe bei gleichen Kontrollvariablen.",
                        "For each competence dimension a linear latent growth curve model was fitted: each "
                        "person's intercept (i, at t1) and slope (s, per time unit). In the conditional model, "
                        f"iLB participation and the controls ({controls}) predict i and s; the coefficient of iLB "
                        "participation is the difference from the control group at equal controls."))
    sec.heading(ctx.t("Effekte der iLB auf Ausgangsniveau und Veränderung", "Effects of iLB on intercept and slope"))
    e = s.effects
    rows, suppressed = [], False
    factor_names = {"i": ctx.t("Ausgangsniveau (i)", "Intercept (i)"), "s": ctx.t("Veränderung (s)", "Slope (s)")}
    for dim in dict.fromkeys(e["dimension"]):
        for factor in ("i", "s"):
            cells = [ctx.label(s, dim) if factor == "i" else "", factor_names[factor]]
            hit = e[(e["dimension"] == dim) & (e["factor"] == factor)].iloc[0]
            if not np.isfinite(hit["estimate"]):
                cells += [ctx.t("Modell fehlgeschlagen", "model failed") if hit["status"] == "failed"
                          else ctx.t("nicht geschätzt", "not fitted"), "", "", "", ""]
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
                             f"(Kontrollvariablen: {controls}); s in Skalenpunkten pro Zeiteinheit "
                             f"(Zeitwerte t1 = 0, t3 = 2, t4 = 3). p ({adj}) = für {n_tests} "
                             f"Tests adjustiert. N bis {format_count(n_model, lang)}.",
                             f"b = unstandardised coefficient of iLB participation in the conditional model "
                             f"(controls: {controls}); s in scale points per time unit (time scores t1 = 0, t3 = 2, "
                             f"t4 = 3). p ({adj}) = adjusted over {n_tests} "
                             f"tests. N up to {format_count(n_model, lang)}."), suppressed=suppressed)
    table.align = ("left", "left", "right", "right", "right", "right", "right")
    ctx.table(sec, f"{name.lower()}_ilb_effects", e, table)
    forest = e.rename(columns={"p_adjusted": "p_holm"})
    fig = F.forest_plot(forest, lang=lang, labels=labels, rule=ctx.rule)
    if ctx.results.settings.adjust != "holm" and fig.legends:
        fig.legends[0].texts[0].set_text(ctx.t("signifikant nach Benjamini-Hochberg (p ≤ ,05)",
                                               "significant after Benjamini-Hochberg (p ≤ .05)"))
    ctx.figure(sec, f"{name.lower()}_forest", fig,
               ctx.t(f"Effekte der iLB-Teilnahme auf Ausgangsniveau und Veränderung ({name})",
                     f"Effects of iLB participation on intercept and slope ({name})"),
               ctx.t("Punkte: Schätzung mit 95 %-Konfidenzintervall; gefüllt: signifikant nach "
                     f"{adj}-Korrektur.", f"Points: estimate with 95% confidence interval; filled: "
                     f"significant after {adj} correction."))
    sentences = [x for x in (effect_sentence(ctx, s, d) for d in dict.fromkeys(e["dimension"])) if x]
    if sentences:
        sec.heading(ctx.t("Lesart", "Reading"), level=3)
        sec.bullets(sentences)
        sec.paragraph(ctx.t(f"p-Werte in diesen Sätzen: {adj}-adjustiert.",
                            f"p-values in these sentences: {adj}-adjusted."), "note")

    sec.page_break()
    sec.heading(ctx.t("Verläufe der iLB- und der Kontrollgruppe", "Trajectories of the iLB and control groups"))
    implied = pd.concat([m.implied for m in s.models.values() if len(m.implied)], ignore_index=True) \
        if any(len(m.implied) for m in s.models.values()) else None
    observed = pd.concat([m.observed for m in s.models.values() if len(m.observed)], ignore_index=True)
    waves = dict(zip(s.study.wave_names, s.study.time_scores, strict=True))
    if implied is not None:
        fig = F.trajectories(implied, observed, waves=waves, lang=lang, labels=labels, rule=ctx.rule, ncols=3)
        ctx.figure(sec, f"{name.lower()}_trajectories", fig,
                   ctx.t(f"Modellimplizierte Verläufe je Kompetenzfacette: iLB und Kontrollgruppe ({name})",
                         f"Model-implied trajectories per competence dimension: iLB and control group ({name})"),
                   ctx.t("Mehrgruppenmodell ohne Kovariaten (freie Mittelwerte je Gruppe).",
                         "Multi-group model without covariates (free means per group)."))
    sec.page_break()
    sec.heading(ctx.t("Mehrgruppenvergleich: Likelihood-Quotienten-Tests",
                      "Multi-group comparison: likelihood-ratio tests"))
    lr = s.lr_tests
    rows = []
    for dim in dict.fromkeys(lr["dimension"]):
        cells = [ctx.label(s, dim)]
        for test in ("intercepts", "slopes"):
            hit = lr[(lr["dimension"] == dim) & (lr["test"] == test)].iloc[0]
            if hit["status"] != "ok":
                cells += [str(hit["status"]), ""]
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
                             "Veränderung. Chi-Quadrat-Differenztest des restringierten gegen das freie "
                             "Mehrgruppenmodell (ohne Kovariaten, unadjustiert).",
                             "i: test of equal intercept means; s: of equal slope means. Chi-square difference "
                             "test of the restricted against the free multi-group model (no covariates, unadjusted)."))
    ctx.table(sec, f"{name.lower()}_lr_tests", lr, table)
    sec.heading(ctx.t("Parameter und Modellgüte der konditionalen Modelle",
                      "Parameters and fit of the conditional models"))
    _growth_tables(ctx, sec, s, "conditional")


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
            failed.append(f"{ctx.label(s, dim)}: {rec.status} ({rec.reason})")
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
        sec.paragraph(ctx.t("Nicht geschätzt bzw. nicht berichtet: ", "Not estimated or not reported: ")
                      + "; ".join(failed) + ".")


def _without_control(ctx: ReportContext, sec: Section, s: StudyResults) -> None:
    lang, name = ctx.lang, s.study.name
    labels = ctx.labels(s)
    sec.paragraph(ctx.t(f"Im {name} nutzten alle Befragten die iLB; es gibt keine Kontrollgruppe, Effekte der "
                        "iLB lassen sich daher nicht isolieren. Berichtet wird das unkonditionale "
                        "Wachstumskurvenmodell je Kompetenzfacette: mittleres Ausgangsniveau und mittlere "
                        "Veränderung.",
                        f"In the {name} all respondents used iLB; there is no control group, so effects of iLB "
                        "cannot be isolated. Reported is the unconditional growth curve model per competence "
                        "dimension: mean intercept and mean slope."))
    rows, sentences, raw_rows = [], [], []
    for dim, m in s.models.items():
        rec = m.records.get("unconditional")
        cells = [ctx.label(s, dim)]
        if rec is None or not rec.ok:
            cells += [ctx.t("Modell fehlgeschlagen", "model failed"), "", "", "", ""]
            rows.append(cells)
            continue
        p = rec.results.params
        i = p[(p["lhs"] == "i") & (p["op"] == "~1")].iloc[0]
        sl = p[(p["lhs"] == "s") & (p["op"] == "~1")].iloc[0]
        raw_rows += [{"dimension": dim, "factor": f, "est": float(r["est"]), "se": float(r["se"]),
                      "pvalue": float(r["pvalue"]), "ci_lower": float(r["ci_lower"]),
                      "ci_upper": float(r["ci_upper"]), "n": rec.n} for f, r in (("i", i), ("s", sl))]
        if not ctx.rule.allows(rec.n):
            rows.append(cells + [ctx.mark] * 5)
            continue
        cells += [format_number(i["est"], 2, lang),
                  f"{format_number(sl['est'], 3, lang)} {format_interval(sl['ci_lower'], sl['ci_upper'], 3, lang)}",
                  format_p(sl["pvalue"], lang, prefix=False), "", format_count(rec.n, lang)]
        rows.append(cells)
        sentences.append(describe_trend(ctx.label(s, dim), Effect(float(sl["est"]), float(sl["se"]),
                                                                  float(sl["pvalue"]), rec.n),
                                        lang=lang, rule=ctx.rule))
    adjust_column: dict[str, float] = {}
    raw = pd.DataFrame(raw_rows)
    if len(raw):
        raw["p_adjusted"] = np.nan
        mask = raw["factor"] == "s"
        raw.loc[mask, "p_adjusted"] = adjust_pvalues(raw.loc[mask, "pvalue"].to_numpy(float),
                                                     ctx.results.settings.adjust)
        adjust_column = {r.dimension: r.p_adjusted for r in raw[mask].itertuples()}
    for cells in rows:
        dim = next((d for d in s.models if ctx.label(s, d) == cells[0]), None)
        if adjust_column and dim in adjust_column and cells[4] == "":
            cells[4] = format_p(adjust_column[dim], lang, prefix=False)
    ci = ctx.t("95 %-KI", "95% CI")
    frame = pd.DataFrame(rows, columns=[ctx.words["dimension"], "i", f"s [{ci}]", "p", f"p ({ctx.adjust})", "N"])
    table = ctx.simple(frame, ctx.t(f"Mittleres Ausgangsniveau und mittlere Veränderung ({name})",
                                    f"Mean intercept and mean slope ({name})"),
                       ctx.t("i = mittleres Ausgangsniveau (t1), s = mittlere Veränderung in Skalenpunkten pro "
                             "Zeiteinheit. Unkonditionales lineares Wachstumskurvenmodell (FIML).",
                             "i = mean intercept (t1), s = mean slope in scale points per time unit. Unconditional "
                             "linear growth curve model (FIML)."),
                       suppressed=any(ctx.mark in c for c in rows))
    ctx.table(sec, f"{name.lower()}_growth_means", raw, table)
    implied = [m.implied for m in s.models.values() if len(m.implied)]
    if implied:
        observed = pd.concat([m.observed for m in s.models.values() if len(m.observed)], ignore_index=True)
        waves = dict(zip(s.study.wave_names, s.study.time_scores, strict=True))
        fig = F.trajectories(pd.concat(implied, ignore_index=True), observed, waves=waves, lang=lang,
                             labels=dict(labels), rule=ctx.rule, ncols=3)
        ctx.figure(sec, f"{name.lower()}_trajectories", fig,
                   ctx.t(f"Modellimplizierte Verläufe je Kompetenzfacette ({name}, alle iLB-Teilnehmende)",
                         f"Model-implied trajectories per competence dimension ({name}, all iLB participants)"))
    if sentences:
        sec.heading(ctx.t("Lesart", "Reading"), level=3)
        sec.bullets(sentences)
        sec.paragraph(ctx.t("p-Werte in diesen Sätzen: unadjustiert; die Tabelle zeigt zusätzlich die "
                            f"{ctx.adjust}-adjustierten.", "p-values in these sentences: unadjusted; the table "
                            f"also shows the {ctx.adjust}-adjusted ones."), "note")
    sec.page_break()
    sec.heading(ctx.t("Parameter und Modellgüte", "Parameters and fit"))
    _growth_tables(ctx, sec, s, "unconditional")
