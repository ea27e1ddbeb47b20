"""Delivery mode and time conditions among iLB users, and their relation to the slope."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ilb_eval.analysis.conditions import MODE_LABELS, PREDICTORS
from ilb_eval.analysis.models import group_floor
from ilb_eval.formatting import MISSING, format_count, format_number, format_p
from ilb_eval.report.context import ReportContext

__all__ = ["KEY", "build"]

KEY = "conditions"

_SHORT_PREDICTORS = {
    "mode_online": {"de": "Online", "en": "Online"},
    "mode_hybrid": {"de": "Hybrid", "en": "Hybrid"},
    "release_time": {"de": "Freistellung", "en": "Release"},
    "session_10min": {"de": "Termindauer", "en": "Session"},
    "duration_months": {"de": "Gesamtdauer", "en": "Duration"},
}


def build(ctx: ReportContext) -> None:
    """Descriptives of the conditions and their slope effects per study (no section when no study has them)."""
    studies = {name: s for name, s in ctx.studies.items() if s.study.has_ilb_details}
    if not studies:
        return
    sec = ctx.section(ctx.t("Durchführungsart und zeitliche Bedingungen", "Delivery mode and time conditions"))
    lang = ctx.lang
    floor = group_floor(ctx.rule)
    sec.paragraph(ctx.t("Unter den iLB-Teilnehmenden: Durchführungsart (online, in Präsenz, hybrid) und "
                        "zeitliche Bedingungen (Freistellung, Dauer der Termine, Gesamtdauer) als Prädiktoren "
                        "von Ausgangsniveau und Veränderung in einem Wachstumskurvenmodell je Kompetenzfacette. "
                        f"Modellgruppen brauchen mindestens {format_count(floor, lang)} Personen.",
                        "Among iLB participants: delivery mode (online, in person, hybrid) and time conditions "
                        "(release time, session length, overall duration) as predictors of intercept and slope in a "
                        "growth curve model per competence dimension. Model groups need at least "
                        f"{format_count(floor, lang)} persons."))
    for name, s in studies.items():
        sec.heading(name)
        c = s.conditions
        rows, suppressed = [], False
        for r in c.itertuples():
            if r.variable == "mode":
                label = ctx.t("Durchführungsart: ", "Delivery mode: ") + MODE_LABELS[int(r.category)][lang]
                n_text, sup1 = ctx.count(r.n)
                share, sup2 = ctx.share(r.share, r.n)
                suppressed |= sup1 or sup2
                rows.append([label, n_text, share, ""])
            else:
                label = {"release_time": ctx.t("Freistellung (1–5)", "Release time (1–5)"),
                         "session_minutes": ctx.t("Dauer der Termine (Minuten)", "Session length (minutes)"),
                         "duration_months": ctx.t("Gesamtdauer der iLB (Monate)",
                                                  "Overall duration of iLB (months)")}[r.variable]
                if not np.isfinite(r.mean):
                    suppressed = True
                    rows.append([label, ctx.count(r.n)[0], "", ctx.mark])
                else:
                    rows.append([label, format_count(r.n, lang), "",
                                 f"{format_number(r.mean, 1, lang)} ({format_number(r.sd, 1, lang)})"])
        frame = pd.DataFrame(rows, columns=[ctx.t("Merkmal", "Characteristic"), "n", ctx.t("Anteil", "Share"),
                                            "M (SD)"])
        table = ctx.simple(frame, ctx.t(f"Durchführungsart und zeitliche Bedingungen der iLB ({name})",
                                        f"Delivery mode and time conditions of iLB ({name})"),
                           ctx.t("Je Person die letzte gültige Angabe.", "Each person's last valid answer."),
                           suppressed=suppressed)
        ctx.table(sec, f"{name.lower()}_conditions", c, table)
        gap = s.gap("conditions")
        if gap is not None:
            ctx.gap(sec, gap, only="conditions")
            continue
        eff = s.condition_effects
        slope = eff[eff["factor"] == "s"] if len(eff) else eff
        if not len(slope):
            sec.paragraph(ctx.t("Kein Modell zu Durchführungsart und zeitlichen Bedingungen konnte geschätzt werden "
                                "(Gründe im Abschnitt „Warnungen und Modellstatus“).",
                                "No model of delivery mode and time conditions could be estimated (reasons in the "
                                "section 'Warnings and model status')."))
            continue
        predictors = list(dict.fromkeys(slope["predictor"]))
        rows = []
        for dim in dict.fromkeys(slope["dimension"]):
            cells = [ctx.label(s, dim)]
            for pred in predictors:
                hit = slope[(slope["dimension"] == dim) & (slope["predictor"] == pred)]
                if hit.empty:
                    cells.append(MISSING)
                    continue
                h = hit.iloc[0]
                if not ctx.rule.allows(h["n"]):
                    cells.append(ctx.mark)
                    continue
                star = "*" if h["p_adjusted"] <= 0.05 else ""
                cells.append(format_number(h["estimate"], 3, lang) + star)
            rows.append(cells)
        frame = pd.DataFrame(rows, columns=[ctx.words["dimension"], *[_SHORT_PREDICTORS[p][lang] for p in predictors]])
        legend = "; ".join(f"{_SHORT_PREDICTORS[p][lang]} = {PREDICTORS[p][lang]}" for p in predictors)
        n_max = int(slope["n"].max())
        table = ctx.simple(frame, ctx.t(f"Effekte von Durchführungsart und zeitlichen Bedingungen auf die "
                                        f"Veränderung (s) ({name})",
                                        f"Effects of delivery mode and time conditions on the slope (s) ({name})"),
                           legend + ". " + ctx.t(
                               f"Unstandardisierte Koeffizienten; * p ≤ ,05 nach {ctx.adjust}-Korrektur über "
                               f"alle {format_count(len(slope), lang)} Steigungseffekte. Zeitbedingungen am "
                               f"Mittelwert zentriert. N bis {format_count(n_max, lang)} iLB-Teilnehmende.",
                               f"Unstandardised coefficients; * p ≤ .05 after {ctx.adjust} correction over all "
                               f"{format_count(len(slope), lang)} slope effects. Time conditions centred at the "
                               f"mean. N up to {format_count(n_max, lang)} iLB participants."))
        ctx.table(sec, f"{name.lower()}_condition_effects", eff, table)
        sig = slope[slope["p_adjusted"] <= 0.05]
        mode_sig = sig[sig["predictor"].str.startswith("mode_")]
        time_sig = sig[~sig["predictor"].str.startswith("mode_")]
        if any(p.startswith("mode_") for p in predictors):
            parts = [ctx.t("Die Durchführungsart hängt nach Korrektur in keiner Facette signifikant mit der "
                           "Veränderung zusammen." if mode_sig.empty else
                           f"Die Durchführungsart hängt in {format_count(len(mode_sig), lang)} Fällen signifikant "
                           "mit der Veränderung zusammen.",
                           "After correction, delivery mode is not significantly related to the slope in any "
                           "dimension." if mode_sig.empty else f"Delivery mode is significantly related to the "
                           f"slope in {format_count(len(mode_sig), lang)} cases.")]
        else:
            parts = [ctx.t(f"Die Durchführungsart ist nicht im Modell: mindestens eine Durchführungsart haben weniger "
                           f"als {format_count(floor, lang)} iLB-Teilnehmende genutzt.",
                           f"Delivery mode is not in the model: at least one mode was used by fewer than "
                           f"{format_count(floor, lang)} iLB participants.")]
        for r in time_sig.itertuples():
            parts.append(ctx.t(f"{PREDICTORS[r.predictor]['de']} geht bei {ctx.label(s, r.dimension)} mit "
                               f"{'stärkerer' if r.estimate > 0 else 'schwächerer'} Veränderung einher "
                               f"(b = {format_number(r.estimate, 3, lang)}, {format_p(r.p_adjusted, lang)} "
                               f"{ctx.adjust}).",
                               f"{PREDICTORS[r.predictor]['en']} goes with a {'stronger' if r.estimate > 0 else 'weaker'} "
                               f"slope in {ctx.label(s, r.dimension)} (b = {format_number(r.estimate, 3, lang)}, "
                               f"{format_p(r.p_adjusted, lang)} {ctx.adjust})."))
        timing = slope[~slope["predictor"].str.startswith("mode_")]
        if time_sig.empty and len(timing):
            raw = timing[timing["pvalue"] <= 0.05]
            parts.append(ctx.t("Die zeitlichen Bedingungen zeigen nach Korrektur keinen signifikanten Zusammenhang"
                               + (f"; unkorrigiert (p ≤ ,05) in {format_count(len(raw), lang)} von "
                                  f"{format_count(len(timing), lang)} Fällen." if len(raw) else "."),
                               "The time conditions show no significant relation after correction"
                               + (f"; uncorrected (p ≤ .05) in {format_count(len(raw), lang)} of "
                                  f"{format_count(len(timing), lang)} cases." if len(raw) else ".")))
        sec.paragraph(" ".join(parts))
