"""Delivery mode and time conditions among iLB users and their relation to growth.

Per iLB user the last valid answer over the waves is taken for delivery mode
(online, in person, hybrid), release time (1..5 agreement), session length
(minutes) and overall duration (months). For every competence dimension a
conditional growth model **among users** then has as predictors of intercept
and slope: the mode dummies (reference: in person), release time, session
length per 10 minutes and duration in months (all three centred at the
users' mean). The slope effects are reported with raw and adjusted p
(family: all dimensions times all predictors). Mode dummies enter only when
every mode has at least ``max(min_cell_size, 30)`` users (R-4.5).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
import pandas as pd

from ilb_eval.analysis.models import ModelRecord, fit_isolated, group_floor
from ilb_eval.growth import fit_growth
from ilb_eval.prep import Panel, growth_data
from ilb_eval.privacy import CellRule, protect_partition
from ilb_eval.stats import adjust_pvalues
from ilb_eval.study import Study

__all__ = ["MODE_LABELS", "PREDICTORS", "condition_effects", "condition_summary", "user_conditions"]

#: Delivery modes (codes of the ``mode`` field) with labels; 2 (in person) is the reference.
MODE_LABELS: dict[int, dict[str, str]] = {
    1: {"de": "online", "en": "online"},
    2: {"de": "in Präsenz", "en": "in person"},
    3: {"de": "hybrid", "en": "hybrid"},
}
#: Predictor columns of the models and their labels.
PREDICTORS: dict[str, dict[str, str]] = {
    "mode_online": {"de": "Online (vs. Präsenz)", "en": "Online (vs. in person)"},
    "mode_hybrid": {"de": "Hybrid (vs. Präsenz)", "en": "Hybrid (vs. in person)"},
    "release_time": {"de": "Freistellung (1–5)", "en": "Release time (1–5)"},
    "session_10min": {"de": "Dauer der Termine (pro 10 Min.)", "en": "Session length (per 10 min)"},
    "duration_months": {"de": "Gesamtdauer der iLB (Monate)", "en": "Overall duration of iLB (months)"},
}


def user_conditions(study: Study, panel: Panel) -> pd.DataFrame:
    """Per iLB user: ``person``, ``mode``, ``release_time``, ``session_minutes``, ``duration_months``."""
    details = study.ilb_details
    wide = panel.wide.loc[panel.wide["ilb"] == 1]
    waves = [w for w in details.get("waves", study.wave_names)]
    out = pd.DataFrame({"person": wide["person"].to_numpy()}, index=wide.index)
    for key in ("mode", "release_time", "session_minutes", "duration_months"):
        field = details.get(key)
        columns = [f"{field}_{w}" for w in waves if field and f"{field}_{w}" in wide]
        out[key] = (wide[columns].astype(float).ffill(axis=1).iloc[:, -1] if columns else np.nan)
    return out.reset_index(drop=True)


def condition_summary(conditions: pd.DataFrame, rule: CellRule) -> pd.DataFrame:
    """Descriptives among users: mode counts and shares, mean and SD of the time conditions.

    The modes add up to the users answering, so a mode below the minimum cell
    size takes a second one with it (:func:`ilb_eval.privacy.protect_partition`).

    Returns columns ``variable``, ``category`` (mode code or empty), ``n``,
    ``share``, ``mean``, ``sd`` (NaN where suppressed).
    """
    rows = []
    modes = conditions["mode"].dropna()
    counts = {code: int((modes == code).sum()) for code in MODE_LABELS}
    hidden = protect_partition(counts, rule)
    for code, count in counts.items():
        shown = code not in hidden
        rows.append({"variable": "mode", "category": str(code), "n": count if shown else np.nan,
                     "share": count / len(modes) if shown else np.nan, "mean": np.nan, "sd": np.nan})
    for key in ("release_time", "session_minutes", "duration_months"):
        values = conditions[key].dropna()
        ok = rule.allows(len(values))
        rows.append({"variable": key, "category": "", "n": int(len(values)) if ok else np.nan, "share": np.nan,
                     "mean": float(values.mean()) if ok else np.nan,
                     "sd": float(values.std(ddof=1)) if ok and len(values) > 1 else np.nan})
    return pd.DataFrame(rows, columns=["variable", "category", "n", "share", "mean", "sd"])


def condition_effects(study: Study, panel: Panel, rule: CellRule, adjust: Literal["holm", "bh"] = "holm",
                      progress: Callable[[str], None] | None = None
                      ) -> tuple[pd.DataFrame, list[ModelRecord]]:
    """Slope (and intercept) effects of mode and time conditions among users, per dimension.

    Returns
    -------
    (DataFrame, list of ModelRecord)
        Rows ``dimension``, ``factor`` (i, s), ``predictor``, ``estimate``,
        ``se``, ``pvalue``, ``p_adjusted`` (over the slope effects),
        ``ci_lower``, ``ci_upper``, ``n``; and the status record of every model.
    """
    conditions = user_conditions(study, panel)
    floor = group_floor(rule)
    frame = conditions[["person"]].copy()
    predictors: list[str] = []
    modes = conditions["mode"]
    if all((modes == code).sum() >= floor for code in MODE_LABELS):
        frame["mode_online"] = (modes == 1).astype(float).where(modes.notna())
        frame["mode_hybrid"] = (modes == 3).astype(float).where(modes.notna())
        predictors += ["mode_online", "mode_hybrid"]
    for key, column, scale in (("release_time", "release_time", 1.0),
                               ("session_minutes", "session_10min", 10.0),
                               ("duration_months", "duration_months", 1.0)):
        values = conditions[key]
        if values.notna().sum() >= floor:
            frame[column] = (values - values.mean()) / scale
            predictors.append(column)
    rows, records = [], []
    for scale in study.competence_scales:
        if progress:
            progress(f"{study.name}: {scale.name} ({'conditions'})")
        data = growth_data(panel, scale.name)
        data = data.loc[data["ilb"] == 1].merge(frame, on="person", how="left")
        outcomes = [w for w in study.wave_names if w in data.columns]
        times = list(growth_data(panel, scale.name).attrs["time_scores"])
        usable = int(data.dropna(subset=predictors).shape[0]) if predictors else 0
        if not predictors or usable < floor:
            records.append(ModelRecord(study.name, scale.name, "conditions", "skipped",
                                       f"fewer than {floor} users with all conditions"))
            continue
        record = fit_isolated(study.name, scale.name, "conditions",
                              lambda data=data, outcomes=outcomes, times=times: fit_growth(
                                  data, outcomes=outcomes, time_scores=times, covariates=predictors))
        records.append(record)
        if not record.ok:
            continue
        params = record.results.params
        for factor in ("i", "s"):
            for predictor in predictors:
                hit = params[(params["lhs"] == factor) & (params["op"] == "~") & (params["rhs"] == predictor)]
                if hit.empty:
                    continue
                r = hit.iloc[0]
                rows.append({"dimension": scale.name, "factor": factor, "predictor": predictor,
                             "estimate": float(r["est"]), "se": float(r["se"]), "pvalue": float(r["pvalue"]),
                             "ci_lower": float(r["ci_lower"]), "ci_upper": float(r["ci_upper"]),
                             "n": record.n})
    effects = pd.DataFrame(rows, columns=["dimension", "factor", "predictor", "estimate", "se", "pvalue",
                                          "ci_lower", "ci_upper", "n"])
    effects["p_adjusted"] = np.nan
    slope = effects["factor"] == "s"
    if slope.any():
        effects.loc[slope, "p_adjusted"] = adjust_pvalues(effects.loc[slope, "pvalue"].to_numpy(float), adjust)
    return effects, records
