"""Methods: models (per study: waves and time scores), estimator, missing data, tests, privacy, software.

Only methods of analyses the run contains are listed: the multiple-testing
family and the multi-group tests appear when a study with control group has
them, correlations when a study has them, the sensitivity analyses when the
appendix exists.
"""

from __future__ import annotations

from ilb_eval import __version__
from ilb_eval.analysis.models import group_floor, model_options
from ilb_eval.formatting import format_count
from ilb_eval.privacy import DEFAULT_MIN_CELL_SIZE
from ilb_eval.report.context import ReportContext
from ilb_eval.report.phrases import number_word, time_scores, wave_span
from ilb_eval.report.sections import invariance, sensitivity
from ilb_eval.report.sections.growth import estimated_effects
from ilb_eval.study import Study

__all__ = ["KEY", "build"]

KEY = "methods"


def _models(ctx: ReportContext, study: Study, names: list[str]) -> str:
    lang = ctx.lang
    n = number_word(len(study.waves), lang)
    who = f" ({', '.join(names)})" if len(ctx.studies) > 1 else ""
    text = ctx.t(f"Modelle{who}: lineare latente Wachstumskurvenmodelle mit {n} Messzeitpunkten (Zeitwerte "
                 f"{time_scores(study, lang)}), Faktorladungen des Ausgangsniveaus 1, der Veränderung die Zeitwerte; ",
                 f"Models{who}: linear latent growth curve models with {n} time points (time scores "
                 f"{time_scores(study, lang)}), intercept loadings 1, slope loadings the time scores; ")
    if model_options(len(study.waves)):
        return text + ctx.t("bei zwei Messzeitpunkten eine gemeinsame Residualvarianz und keine Varianz der "
                            "Veränderung (mit freien Residualvarianzen wären die Modelle nicht identifiziert).",
                            "with two time points one residual variance for both and no slope variance (with free "
                            "residual variances the models would not be identified).")
    return text + ctx.t("Residualvarianzen je Welle frei.", "residual variances free per wave.")


def build(ctx: ReportContext) -> None:
    """The methods section as a list."""
    sec = ctx.section(ctx.t("Methoden", "Methods"))
    versions = ctx.provenance.get("versions", {})
    soft = ", ".join(f"{k} {v}" for k, v in sorted(versions.items())) if versions else f"ilb_eval {__version__}"
    lang = ctx.lang
    k = format_count(ctx.rule.min_cell_size, lang)
    floor = format_count(group_floor(ctx.rule), lang)
    lowered = ""
    if ctx.rule.lowered:
        lowered = ctx.t(f" Die Mindestzellgröße wurde von {DEFAULT_MIN_CELL_SIZE} auf {k} gesenkt.",
                        f" The minimum cell size was lowered from {DEFAULT_MIN_CELL_SIZE} to {k}.")
    studies = [s.study for s in ctx.studies.values()]
    designs: dict[tuple[str, ...], list[str]] = {}
    for study in studies:
        designs.setdefault(study.wave_names + tuple(str(t) for t in study.time_scores), []).append(study.name)
    items = [_models(ctx, next(s for s in studies if s.name == names[0]), names) for names in designs.values()]
    items.append(ctx.t("Schätzer: Maximum Likelihood (ML) mit Standardfehlern aus der beobachteten "
                       "Informationsmatrix; eigene Implementierung in ilb_eval, geprüft gegen lavaan.",
                       "Estimator: maximum likelihood (ML) with standard errors from the observed information "
                       "matrix; ilb_eval's own implementation, tested against lavaan."))
    conditional = [s for s in ctx.studies.values() if s.study.has_control_group and len(estimated_effects(s))]
    missing = ctx.t("Fehlende Werte: Full Information Maximum Likelihood (FIML) – alle Personen mit mindestens einer "
                    "Welle gehen ein (Annahme: fehlend zufällig, MAR)",
                    "Missing data: full information maximum likelihood (FIML) – every person with at least one wave "
                    "enters (assumption: missing at random, MAR)")
    if any(s.study.covariates for s in conditional):
        missing += ctx.t("; Personen mit fehlender Kovariate werden in konditionalen Modellen ausgeschlossen "
                         "(Anzahl im Modellstatus).", "; persons with a missing covariate are left out of "
                         "conditional models (counts in the model status).")
    items.append(missing + ("" if missing.endswith(".") else "."))
    if conditional:
        items.append(ctx.t(f"Mehrfachtests: {ctx.adjust}-Korrektur über die Familie aller geschätzten "
                           "Kompetenzfacetten und beider Faktoren (i, s); unadjustierte p-Werte werden daneben "
                           "berichtet.",
                           f"Multiple testing: {ctx.adjust} correction over the family of all estimated competence "
                           "dimensions and both factors (i, s); unadjusted p-values are reported alongside."))
    if any(s.study.has_control_group and len(s.lr_tests) and (s.lr_tests["status"] == "ok").any()
           for s in ctx.studies.values()):
        items.append(ctx.t("Mehrgruppenvergleich: Likelihood-Quotienten-Tests (Chi-Quadrat-Differenz) gleicher "
                           "Mittelwerte von i und s in iLB- und Kontrollgruppe.",
                           "Multi-group comparison: likelihood-ratio (chi-square difference) tests of equal means of "
                           "i and s in the iLB and control group."))
    spans = list(dict.fromkeys(wave_span(study, lang) for study in studies))
    items.append(ctx.t(f"Modellimplizierte Verläufe: Mittelwert je Gruppe über die Zeitachse {' bzw. '.join(spans)} "
                       "mit punktweisem 95 %-Wald-Band aus dem geschätzten Modell (Delta-Methode; exakt, weil der "
                       "Mittelwert linear in den Schätzungen ist).",
                       f"Model-implied trajectories: mean per group over the time axis {' or '.join(spans)} with a "
                       "pointwise 95% Wald band from the fitted model (delta method; exact, as the mean is linear "
                       "in the estimates)."))
    if any(len(s.correlations) for s in ctx.studies.values()):
        correlation = ctx.results.settings.correlation.capitalize()
        items.append(ctx.t(f"Korrelationen: {correlation}, zweiseitig, paarweise n, 95 %-Intervall über Fishers z; "
                           "verbale Stärke wie im Studienkapitel.",
                           f"Correlations: {correlation}, two-sided, pairwise n, 95% interval via Fisher's z; verbal "
                           "strength as in the study chapter."))
    if sensitivity.present(ctx):
        items.append(ctx.t(
            "Sensitivitätsanalysen (Anhang): das konditionale Modell jeder Kompetenzfacette mit robusten "
            "Standardfehlern (MLR, Yuan-Bentler-skalierter Test) und in Modellvarianten (z. B. gleiche "
            "Residualvarianzen, feste Veränderung, latente Basis).",
            "Sensitivity analyses (appendix): the conditional model of each competence dimension with robust "
            "standard errors (MLR, Yuan-Bentler scaled test) and as model variants (e.g. equal residual "
            "variances, fixed slope, latent basis)."))
    if invariance.present(ctx):
        items.append(invariance.method_text(ctx))
    groups = ctx.t(f"; hat eine Gruppe weniger als {k} Personen, werden iLB- und Kontrollgruppe nicht getrennt "
                   "gezeigt", f"; when a group has fewer than {k} persons, the iLB and control groups are not shown "
                   "apart") if any(s.has_control_group for s in studies) else ""
    items.append(ctx.t(f"Datenschutz: Jede Zahl beruht auf mindestens {k} Personen (Anteile: Zähler, Komplement und "
                       f"Basis); Modellgruppen auf mindestens {floor}. Kleinere Zellen sind mit {ctx.mark} "
                       "unterdrückt (primäre Geheimhaltung), dazu so viele weitere, dass sich keine unterdrückte Zahl "
                       "aus Summen, Differenzen oder Anteilen der veröffentlichten Tabellen, Abbildungen, Texte und "
                       f"JSON-Dateien zurückrechnen lässt (sekundäre Geheimhaltung){groups}. Keine Personenkennungen "
                       f"oder Freitexte im Bericht.{lowered}",
                       f"Privacy: every number rests on at least {k} persons (shares: numerator, complement and "
                       f"base); model groups on at least {floor}. Smaller cells are suppressed and marked {ctx.mark} "
                       "(primary suppression), and so many more that no suppressed number can be recovered from sums, "
                       "differences or shares of the published tables, figures, texts and JSON files (secondary "
                       f"suppression){groups}. No person identifiers or free text in the report.{lowered}"))
    items.append(ctx.t(f"Software: {soft}.", f"Software: {soft}."))
    sec.bullets(items)
