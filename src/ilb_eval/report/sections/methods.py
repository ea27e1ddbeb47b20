"""Methods: models, estimator, missing data, multiple testing, privacy, software."""

from __future__ import annotations

from ilb_eval import __version__
from ilb_eval.analysis.models import group_floor
from ilb_eval.formatting import format_count
from ilb_eval.privacy import DEFAULT_MIN_CELL_SIZE
from ilb_eval.report.context import ReportContext
from ilb_eval.report.sections import sensitivity

__all__ = ["KEY", "build"]

KEY = "methods"


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
    correlation = ctx.results.settings.correlation.capitalize()
    items = [
        ctx.t("Modelle: lineare latente Wachstumskurvenmodelle mit drei Messzeitpunkten (Zeitwerte t1 = 0, "
              "t3 = 2, t4 = 3), Faktorladungen des Ausgangsniveaus 1, der Veränderung die Zeitwerte; "
              "Residualvarianzen je Welle frei.",
              "Models: linear latent growth curve models with three time points (time scores t1 = 0, t3 = 2, "
              "t4 = 3), intercept loadings 1, slope loadings the time scores; residual variances free per wave."),
        ctx.t("Schätzer: Maximum Likelihood (ML) mit Standardfehlern aus der beobachteten Informationsmatrix; "
              "eigene Implementierung in ilb_eval, geprüft gegen lavaan.",
              "Estimator: maximum likelihood (ML) with standard errors from the observed information matrix; "
              "ilb_eval's own implementation, tested against lavaan."),
        ctx.t("Fehlende Werte: Full Information Maximum Likelihood (FIML) – alle Personen mit mindestens einer "
              "Welle gehen ein (Annahme: fehlend zufällig, MAR); Personen mit fehlender Kovariate werden in "
              "konditionalen Modellen ausgeschlossen (Anzahl im Modellstatus).",
              "Missing data: full information maximum likelihood (FIML) – every person with at least one wave "
              "enters (assumption: missing at random, MAR); persons with a missing covariate are left out of "
              "conditional models (counts in the model status)."),
        ctx.t(f"Mehrfachtests: {ctx.adjust}-Korrektur über die Familie aller Kompetenzfacetten und beider "
              "Faktoren (i, s); unadjustierte p-Werte werden daneben berichtet.",
              f"Multiple testing: {ctx.adjust} correction over the family of all competence dimensions and both "
              "factors (i, s); unadjusted p-values are reported alongside."),
        ctx.t("Mehrgruppenvergleich: Likelihood-Quotienten-Tests (Chi-Quadrat-Differenz) gleicher Mittelwerte "
              "von i und s in iLB- und Kontrollgruppe.",
              "Multi-group comparison: likelihood-ratio (chi-square difference) tests of equal means of i and s "
              "in the iLB and control group."),
        ctx.t("Modellimplizierte Verläufe: Mittelwert je Gruppe über die Zeitachse von t1 bis t4 mit "
              "punktweisem 95 %-Wald-Band aus dem geschätzten Modell (Delta-Methode; exakt, weil der "
              "Mittelwert linear in den Schätzungen ist).",
              "Model-implied trajectories: mean per group over the time axis from t1 to t4 with a pointwise "
              "95% Wald band from the fitted model (delta method; exact, as the mean is linear in the "
              "estimates)."),
        ctx.t(f"Korrelationen: {correlation}, zweiseitig, paarweise n, 95 %-"
              "Intervall über Fishers z; verbale Stärke wie im Studienkapitel.",
              f"Correlations: {correlation}, two-sided, pairwise n, 95% interval via "
              "Fisher's z; verbal strength as in the study chapter."),
        ctx.t(f"Datenschutz: Jede Zahl beruht auf mindestens {k} Personen (Anteile: Zähler, Komplement und "
              f"Basis); Modellgruppen auf mindestens {floor}. Kleinere Zellen sind mit {ctx.mark} "
              f"unterdrückt. Keine Personenkennungen oder Freitexte im Bericht.{lowered}",
              f"Privacy: every number rests on at least {k} persons (shares: numerator, complement and base); "
              f"model groups on at least {floor}. Smaller cells are suppressed and marked {ctx.mark}. No person "
              f"identifiers or free text in the report.{lowered}"),
        ctx.t(f"Software: {soft}.", f"Software: {soft}."),
    ]
    if sensitivity.present(ctx):
        items.insert(-3, ctx.t(
            "Sensitivitätsanalysen (Anhang): das konditionale Modell jeder Kompetenzfacette mit robusten "
            "Standardfehlern (MLR, Yuan-Bentler-skalierter Test) und in Modellvarianten (z. B. gleiche "
            "Residualvarianzen, feste Veränderung, latente Basis).",
            "Sensitivity analyses (appendix): the conditional model of each competence dimension with robust "
            "standard errors (MLR, Yuan-Bentler scaled test) and as model variants (e.g. equal residual "
            "variances, fixed slope, latent basis)."))
    sec.bullets(items)
