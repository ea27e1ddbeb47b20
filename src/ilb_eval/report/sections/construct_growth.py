"""Appendix: growth of the latent construct (second-order growth) beside the scale-mean model (issue 15).

For every competence scale that is (partially) scalar invariant across the
waves, the second-order growth model (:mod:`ilb_eval.invariance.second_order`)
estimates level and change of the construct, on the metric of the scale
mean; this appendix sets them beside the scale-mean model of the main text:
with a control group the iLB coefficients on level (i) and change (s) of the
conditional models, without one the mean level and change. Scales that are
not scalar invariant have no second-order row; their scale-mean results
carry the caveat †.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ilb_eval.analysis.pipeline import StudyResults
from ilb_eval.formatting import MISSING, format_count, format_interval, format_number, format_p
from ilb_eval.report.context import ReportContext
from ilb_eval.report.phrases import INVARIANCE_WORDS
from ilb_eval.report.sections.growth import unconditional_means
from ilb_eval.report.sections.invariance import not_scalar

__all__ = ["KEY", "build", "mean_rows", "present"]

KEY = "construct_growth"

#: Columns of :func:`mean_rows` (the scale-mean model's rows this appendix compares with).
MEAN_COLUMNS = ("dimension", "factor", "estimate", "ci_lower", "ci_upper", "pvalue", "n")


def present(ctx: ReportContext) -> bool:
    """Whether any study has second-order growth results."""
    return any(getattr(s, "invariance", None) is not None and s.invariance.growth for s in ctx.studies.values())


def mean_rows(s: StudyResults) -> pd.DataFrame:
    """The scale-mean model's rows: iLB effects (with a control group) or mean level and change.

    Columns :data:`MEAN_COLUMNS`, one row per dimension and factor (``i``, ``s``).
    """
    if s.study.has_control_group:
        e = s.effects
        if not len(e):
            return pd.DataFrame(columns=list(MEAN_COLUMNS))
        return e.loc[:, list(MEAN_COLUMNS)].reset_index(drop=True)
    return unconditional_means(s).rename(columns={"est": "estimate"}).loc[:, list(MEAN_COLUMNS)]


def build(ctx: ReportContext) -> None:
    """The appendix (only when a study has second-order growth results)."""
    if not present(ctx):
        return
    sec = ctx.section(ctx.t("Anhang: Wachstum des latenten Konstrukts (zweite Ordnung)",
                            "Appendix: growth of the latent construct (second order)"))
    sec.paragraph(ctx.t(
        "Sensitivitätsanalyse zur Messinvarianz: Für jede über die Wellen (partiell) skalar invariante Skala "
        "beschreibt ein Wachstumsmodell zweiter Ordnung Ausgangsniveau (i) und Veränderung (s) des latenten "
        "Konstrukts statt des Skalenmittelwerts – eine Antwortverschiebung einzelner Items geht so nicht als "
        "Veränderung ein. Die Schätzungen sind auf die Metrik des Skalenmittelwerts umgerechnet (mal der "
        "mittleren Ladung) und stehen neben denen des Skalenmittelwertmodells. p-Werte unadjustiert.",
        "Sensitivity analysis for measurement invariance: for every scale that is (partially) scalar invariant "
        "across the waves, a second-order growth model describes level (i) and change (s) of the latent "
        "construct instead of the scale mean – so a response shift in single items does not enter as change. "
        "The estimates are converted to the metric of the scale mean (times the mean loading) and shown beside "
        "those of the scale-mean model. p-values unadjusted."))
    for s in ctx.studies.values():
        inv = getattr(s, "invariance", None)
        if inv is None or not inv.growth:
            continue
        _table(ctx, sec, s)


def _cell(ctx: ReportContext, row: pd.Series | None) -> str:
    if row is None or not np.isfinite(row["estimate"]):
        return MISSING
    return (f"{format_number(row['estimate'], 3, ctx.lang)} "
            f"{format_interval(row['ci_lower'], row['ci_upper'], 3, ctx.lang)}")


def _table(ctx: ReportContext, sec, s: StudyResults) -> None:
    lang, name = ctx.lang, s.study.name
    inv = s.invariance
    means = mean_rows(s)
    so = inv.growth_table()
    caveat = not_scalar(s)
    words = INVARIANCE_WORDS[lang]
    effect = s.study.has_control_group
    rows, raw, suppressed = [], [], False
    for dim, growth in inv.growth.items():
        ladder = inv.ladder(dim, "waves")
        label = ctx.label(s, dim) + (" †" if dim in caveat else "")
        held = words[ladder.held] if ladder is not None else MISSING
        if ladder is not None and ladder.freed:
            held += "*"
        pairs = []
        for factor in ("i", "s"):
            mean = means[(means["dimension"] == dim) & (means["factor"] == factor)]
            second = so[(so["scale"] == dim) & (so["factor"] == factor)] if growth.ok else so.iloc[0:0]
            pairs.append((factor, mean.iloc[0] if len(mean) else None, second.iloc[0] if len(second) else None))
        for factor, mean_row, so_row in pairs:
            raw.append({"dimension": dim, "factor": factor, "held": ladder.held if ladder else None,
                        "freed": ", ".join(f"{i} ({w})" for i, w in ladder.freed) if ladder else "",
                        "scale_mean_estimate": None if mean_row is None else mean_row["estimate"],
                        "scale_mean_ci_lower": None if mean_row is None else mean_row["ci_lower"],
                        "scale_mean_ci_upper": None if mean_row is None else mean_row["ci_upper"],
                        "second_order_estimate": None if so_row is None else so_row["estimate"],
                        "second_order_se": None if so_row is None else so_row["se"],
                        "second_order_ci_lower": None if so_row is None else so_row["ci_lower"],
                        "second_order_ci_upper": None if so_row is None else so_row["ci_upper"],
                        "second_order_pvalue": None if so_row is None else so_row["pvalue"],
                        "n": None if so_row is None else so_row["n"], "status": growth.status})
        n_values = [r["n"] for _, mean_row, so_row in pairs for r in (mean_row, so_row) if r is not None]
        n = max(n_values) if n_values else None
        hidden = n is not None and not ctx.rule.allows(n)
        suppressed = suppressed or hidden
        for factor, mean_row, so_row in pairs:
            first = factor == "i"
            cells = [label if first else held, factor]  # the level held under the scale's name
            if hidden:
                rows.append(cells + [ctx.mark] * 4)
                continue
            so_cell = _cell(ctx, so_row)
            if not growth.ok and growth.status != "skipped":
                so_cell = ctx.t("nicht geschätzt", "not estimated")
            p_cell = format_p(so_row["pvalue"], lang, prefix=False) if so_row is not None else MISSING
            n_cell = (format_count(n, lang) if n is not None else MISSING) if first else ""
            rows.append(cells + [_cell(ctx, mean_row), so_cell, p_cell, n_cell])
    ci = ctx.t("[95 %-KI]", "[95% CI]")
    what = ctx.t("iLB-Effekt", "iLB effect") if effect else ctx.t("Mittel", "mean")
    mean_word, so_word = ctx.t("Skalenmittel", "Scale mean"), ctx.t("2. Ordnung", "2nd order")
    columns = [ctx.words["dimension"] + ctx.t(" (Invarianz)", " (invariance)"), ctx.t("Faktor", "Factor"),
               f"{mean_word} {ci}", f"{so_word} {ci}", f"p ({so_word})", "N"]
    frame = pd.DataFrame(rows, columns=columns)
    model = ctx.t("konditionales Modell mit iLB-Teilnahme und Kontrollvariablen",
                  "conditional model with iLB participation and the controls") if effect else \
        ctx.t("unkonditionales Modell", "unconditional model")
    note = ctx.t(
        f"{what} auf Ausgangsniveau (i) und Veränderung (s), {model}; s in Skalenpunkten pro Zeiteinheit. "
        "Skalenmittel: Wachstumsmodell der Skalenmittelwerte (Hauptteil, ML); 2. Ordnung: Wachstum des "
        "latenten Konstrukts auf dem (partiell) skalar invarianten Messmodell (MLR), umgerechnet auf die "
        "Metrik des Skalenmittelwerts. Invarianz (unter dem Namen der Facette): höchste gehaltene Stufe über die "
        "Wellen, * partiell. "
        "† nicht skalar invariant: keine Schätzung zweiter Ordnung; die Veränderung des Skalenmittelwerts kann "
        "eine Antwortverschiebung enthalten.",
        f"{what} on level (i) and change (s), {model}; s in scale points per time unit. Scale mean: growth "
        "model of the scale means (main text, ML); 2nd order: growth of the latent construct on the (partially) "
        "scalar invariant measurement model (MLR), converted to the metric of the scale mean. Invariance (under "
        "the dimension's name): highest level held across the waves, * partial. † not scalar invariant: no second-order estimate; the "
        "change of the scale mean may contain a response shift.")
    table = ctx.simple(frame, ctx.t(f"Wachstum des Skalenmittelwerts und des latenten Konstrukts ({name})",
                                    f"Growth of the scale mean and of the latent construct ({name})"), note,
                       suppressed=suppressed, align=("left", "left") + ("right",) * 4)
    ctx.table(sec, f"{name.lower()}_second_order_growth", pd.DataFrame(raw), table)
