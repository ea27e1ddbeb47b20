"""Appendix: sensitivity of the iLB slope effect (robust standard errors, model variants)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ilb_eval.analysis.pipeline import StudyResults
from ilb_eval.formatting import MISSING, format_count, format_number, format_p
from ilb_eval.report.context import ReportContext
from ilb_eval.report.document import Section
from ilb_eval.report.sections.growth import status_text

__all__ = ["KEY", "build", "present"]

KEY = "sensitivity"

#: Report names and descriptions of the engine's model variants
#: (:data:`ilb_eval.growth.variants.VARIANTS`); other variants print under their engine name.
_VARIANT_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "as specified": {"de": ("wie spezifiziert", "das konditionale Modell des Hauptteils"),
                     "en": ("as specified", "the conditional model of the main text")},
    "equal residual variances": {"de": ("gleiche Residualvarianzen", "eine Residualvarianz für alle Wellen"),
                                 "en": ("equal residual variances", "one residual variance for all waves")},
    "fixed slope (no slope variance)": {
        "de": ("feste Veränderung", "Varianz von s und Kovarianz mit i auf 0 fixiert"),
        "en": ("fixed slope", "variance of s and its covariance with i fixed at 0")},
    "latent basis (estimated time scores)": {
        "de": ("latente Basis", "Zeitwerte der mittleren Wellen geschätzt, erster und letzter fest"),
        "en": ("latent basis", "time scores of the middle waves estimated, first and last fixed")},
}

#: Short explanations of engine warning codes in the variant table.
_CODE_TEXTS = {
    "LOCAL_OPTIMUM": ("zusätzliche Startwerte führten zu abweichenden Lösungen, die Likelihood hat mehrere Maxima "
                      "oder das Modell ist empirisch nicht identifiziert",
                      "extra starting values led to differing solutions, the likelihood has several maxima or "
                      "the model is empirically not identified"),
    "NEG_LV_VARIANCE": ("negative geschätzte Varianz eines Wachstumsfaktors",
                        "negative estimated variance of a growth factor"),
    "NEG_OV_VARIANCE": ("negative geschätzte Residualvarianz einer Welle",
                        "negative estimated residual variance of a wave"),
    "NOT_FITTED": ("Variante nicht schätzbar, z. B. nicht identifiziert",
                   "variant not estimable, e.g. not identified"),
    "NOT_CONVERGED": ("Schätzung nicht konvergiert", "estimation did not converge"),
}

#: Warning code every variant of a conditional model shares (persons with a missing covariate left out).
_SHARED_CODE = "ROWS_DROPPED"


def present(ctx: ReportContext) -> bool:
    """Whether any study has sensitivity analyses (the appendix and its methods entry appear only then)."""
    return any(len(s.sensitivity_estimators) or len(s.sensitivity_variants) for s in ctx.studies.values())


def build(ctx: ReportContext) -> None:
    """The appendix (only when a study has sensitivity analyses)."""
    if not present(ctx):
        return
    sec = ctx.section(ctx.t("Anhang: Sensitivitätsanalysen", "Appendix: sensitivity analyses"))
    sec.paragraph(ctx.t("Wie stabil ist der Effekt der iLB-Teilnahme auf die Veränderung (s)? Das konditionale "
                           "Modell jeder Kompetenzfacette (iLB-Teilnahme und Kontrollvariablen sagen i und s "
                           "vorher) wird mit robusten Standardfehlern (MLR) und in Modellvarianten neu geschätzt. "
                           "p-Werte hier unadjustiert.",
                     "How stable is the effect of iLB participation on the slope (s)? The conditional model of "
                     "each competence dimension (iLB participation and the controls predict i and s) is "
                     "re-estimated with robust standard errors (MLR) and as model variants. p-values here "
                     "unadjusted."))
    for s in ctx.results.studies.values():
        est, var = s.sensitivity_estimators, s.sensitivity_variants
        if not len(est) and not len(var):
            continue
        if len(est):
            _estimator_table(ctx, sec, s, est)
        if len(var):
            _variant_table(ctx, sec, s, var)


def _estimator_table(ctx: ReportContext, sec: Section, s: StudyResults, est: pd.DataFrame) -> None:
    lang, name = ctx.lang, s.study.name
    sec.heading(ctx.t(f"Robuste Standardfehler (MLR) ({name})", f"Robust standard errors (MLR) ({name})"))
    rows, suppressed = [], False
    for r in est.itertuples():
        cells = [ctx.label(s, str(r.dimension))]
        if r.status not in ("ok", "not_converged") or not np.isfinite(r.estimate_ml):
            rows.append(cells + [status_text(ctx, str(r.status))] + [""] * 5)
            continue
        if not ctx.rule.allows(r.n):
            suppressed = True
            rows.append(cells + [ctx.mark] * 6)
            continue
        cells += [format_number(r.estimate_ml, 3, lang), format_number(r.se_ml, 3, lang)]
        if r.converged_mlr:
            cells += [format_number(r.se_mlr, 3, lang), format_p(r.pvalue_ml, lang, prefix=False),
                      format_p(r.pvalue_mlr, lang, prefix=False)]
        else:
            cells += [status_text(ctx, "not_converged"), format_p(r.pvalue_ml, lang, prefix=False), MISSING]
        cells.append(format_count(r.n, lang))
        rows.append(cells)
    frame = pd.DataFrame(rows, columns=[ctx.words["dimension"], "b", "SE (ML)", "SE (MLR)", "p (ML)", "p (MLR)", "N"])
    factors = est.loc[est["status"] == "ok", "chisq_scaling_factor"].astype(float)
    factors = factors[np.isfinite(factors)]
    scaling = ""
    if len(factors):
        scaling = ctx.t(f" Skalierungsfaktor des χ²-Tests (Yuan-Bentler) zwischen "
                           f"{format_number(factors.min(), 2, lang)} und {format_number(factors.max(), 2, lang)}.",
                     f" Scaling factor of the χ² test (Yuan-Bentler) between "
                     f"{format_number(factors.min(), 2, lang)} and {format_number(factors.max(), 2, lang)}.")
    table = ctx.simple(frame, ctx.t(f"Effekt der iLB-Teilnahme auf die Veränderung (s) unter ML und MLR ({name})",
                                  f"Effect of iLB participation on the slope (s) under ML and MLR ({name})"),
                        ctx.t("b = unstandardisierter Koeffizient im konditionalen Modell (unter ML und MLR "
                                 "gleich). SE (ML): aus der beobachteten Informationsmatrix; SE (MLR): robust "
                                 "(Huber-White-Sandwich). p zweiseitig, unadjustiert." + scaling,
                           "b = unstandardised coefficient in the conditional model (the same under ML and MLR). "
                           "SE (ML): from the observed information matrix; SE (MLR): robust (Huber-White "
                           "sandwich). p two-sided, unadjusted." + scaling),
                        suppressed=suppressed)
    ctx.table(sec, f"{name.lower()}_sensitivity_mlr", est, table)


def _variant_table(ctx: ReportContext, sec: Section, s: StudyResults, var: pd.DataFrame) -> None:
    """One row per dimension: b of iLB on s under each variant (A, B, …) and ΔBIC against the first."""
    lang, name = ctx.lang, s.study.name
    sec.heading(ctx.t(f"Modellvarianten ({name})", f"Model variants ({name})"))
    names = [str(v) for v in dict.fromkeys(var["variant"].dropna())] if "variant" in var else []
    letters = {v: chr(ord("A") + k) for k, v in enumerate(names)}
    flags: list[str] = []
    rows, suppressed = [], False
    for dim, part in var.groupby("dimension", sort=False):
        label = ctx.label(s, str(dim))
        first = part.iloc[0]
        if first["status"] != "ok":
            rows.append([label, status_text(ctx, str(first["status"]))] + [""] * (2 * len(names) - 1))
            continue
        if not ctx.rule.allows(first["n"]):
            suppressed = True
            rows.append([label] + [ctx.mark] * (2 * len(names) - 1) + [""])
            continue
        by_name = {str(r["variant"]): r for r in part.to_dict(orient="records")}
        reference = by_name.get(names[0], {})
        effects, deltas = [], []
        for k, v in enumerate(names):
            r = by_name.get(v)
            value = np.nan if r is None else float(r.get("s~ilb", np.nan))
            fitted = r is not None and bool(r.get("converged")) and np.isfinite(value)
            codes = [] if r is None else [c.strip() for c in str(r.get("warnings") or "").split(",")
                                          if c.strip() and c.strip() != _SHARED_CODE]
            if r is not None and not fitted and not codes:
                codes = ["NOT_CONVERGED" if np.isfinite(value) else "NOT_FITTED"]
            mark = "†" if codes else ""
            if codes:
                flags.append(f"{label} ({letters[v]}): {', '.join(codes)}")
            effects.append((format_number(value, 3, lang) if fitted else MISSING) + mark)
            if k:
                ok_ref = bool(reference.get("converged")) and np.isfinite(float(reference.get("bic", np.nan)))
                delta = float(r["bic"]) - float(reference["bic"]) if fitted and ok_ref else np.nan
                deltas.append(format_number(delta, 1, lang, sign=True))
        rows.append([label, format_count(first["n"], lang), *effects, *deltas])
    columns = [ctx.words["dimension"], "N", *[f"b ({letters[v]})" for v in names],
               *[f"ΔBIC ({letters[v]})" for v in names[1:]]]
    frame = pd.DataFrame(rows, columns=columns)
    legend = []
    for v in names:
        known = _VARIANT_LABELS.get(v, {}).get(lang)
        legend.append(f"{letters[v]} = {known[0]}: {known[1]}" if known else f"{letters[v]} = {v}")
    seen = sorted({c.strip() for f in flags for c in f.rsplit(": ", 1)[1].split(",")})
    codes = "; ".join(f"{c} = {_CODE_TEXTS[c][0 if lang == 'de' else 1]}" for c in seen if c in _CODE_TEXTS)
    ref = letters[names[0]] if names else "A"
    note = ctx.t("Konditionales Modell je Kompetenzfacette, jede Variante mit einer Änderung: "
                    + "; ".join(legend) + f". b = Koeffizient der iLB-Teilnahme auf die Veränderung (s); "
                    f"ΔBIC = BIC der Variante minus BIC von {ref} (negativ: Variante passt nach BIC besser). "
                    + (f"† Warnung der Schätzung: {'; '.join(flags)}. " + (f"Codes: {codes}. " if codes else "")
                       if flags else "")
                    + f"{_SHARED_CODE} (Personen mit fehlender Kovariate ausgeschlossen) betrifft alle Varianten "
                    "gleich und ist nicht aufgeführt. Alle Kennwerte je Variante in der CSV-Tabelle.",
              "Conditional model per competence dimension, each variant with one change: "
              + "; ".join(legend) + f". b = coefficient of iLB participation on the slope (s); "
              f"ΔBIC = BIC of the variant minus BIC of {ref} (negative: the variant fits better by BIC). "
              + (f"† Estimation warning: {'; '.join(flags)}. " + (f"Codes: {codes}. " if codes else "")
                 if flags else "")
              + f"{_SHARED_CODE} (persons with a missing covariate left out) applies to all variants alike "
              "and is not listed. All measures per variant in the CSV table.")
    table = ctx.simple(frame, ctx.t(f"Effekt der iLB-Teilnahme auf die Veränderung (s) in Modellvarianten ({name})",
                                  f"Effect of iLB participation on the slope (s) in model variants ({name})"),
                        note, suppressed=suppressed)
    ctx.table(sec, f"{name.lower()}_sensitivity_variants", var, table)

