"""The weighting of a study as aggregates for the report: balance, overlap, effective sample sizes, variants.

:func:`summarise_weighting` runs the main weighting of a study with a control
group (:func:`~ilb_eval.weighting.study.study_weights`: entropy balancing for
the ATT on the default propensity covariates) and its variants (inverse
probability weights, the same trimmed at the 99th percentile, overlap
weights) and the iLB effects unweighted, covariate-adjusted and weighted with
the E-values of the weighted slope effects, and keeps only aggregates: no
person-level weight leaves this module.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ilb_eval.exceptions import IlbEvalError, WeightingWarning
from ilb_eval.prep import Panel, growth_data
from ilb_eval.privacy import DEFAULT_MIN_CELL_SIZE
from ilb_eval.study import Study
from ilb_eval.weighting.effects import ilb_effects_by_adjustment
from ilb_eval.weighting.study import (
    StudyWeighting,
    love_plot_data,
    outcome_sd,
    overlap_data,
    propensity_covariates,
    slope_effect_evalue,
    study_weights,
)

__all__ = ["VARIANTS", "WeightingSummary", "summarise_weighting"]

#: The weighting variants of the sensitivity table: (key, method, estimand, trim).
VARIANTS: tuple[tuple[str, str, str | None, float | None], ...] = (
    ("entropy", "entropy", "ATT", None),
    ("ipw", "ipw", "ATT", None),
    ("ipw_trimmed", "ipw", "ATT", 0.99),
    ("overlap", "overlap", None, None),
)


@dataclass(frozen=True)
class WeightingSummary:
    """Aggregates of a study's weighting (see :func:`summarise_weighting`).

    ``status`` is ``"ok"`` or ``"failed"`` (then ``reason`` says why, and the
    tables are empty). ``balance`` has the columns of
    :func:`~ilb_eval.weighting.diagnostics.balance_table`; ``love`` those of
    :func:`~ilb_eval.weighting.study.love_plot_data`; ``overlap`` those of
    :func:`~ilb_eval.weighting.study.overlap_data`; ``variants``: ``variant``,
    ``method``, ``estimand``, ``trim``, ``status``, ``ess_treated``,
    ``ess_control``, ``max_abs_smd``. ``effects``: per competence dimension
    the iLB coefficients on i and s unweighted, covariate-adjusted and
    weighted, on the weighted persons (``dimension`` plus the columns of
    :func:`~ilb_eval.weighting.effects.ilb_effects_by_adjustment`);
    ``evalues``: per dimension the E-value of the weighted slope effect
    (``dimension``, ``d``, ``rr``, ``evalue``, ``evalue_ci``).
    """

    study: str
    status: str
    reason: str | None
    method: str
    estimand: str
    covariates: tuple[str, ...]
    n: dict[str, int] = field(default_factory=dict)
    ess: dict[str, float] = field(default_factory=dict)
    excluded: dict[str, dict[str, int]] = field(default_factory=dict)
    balance: pd.DataFrame = field(default_factory=pd.DataFrame)
    love: pd.DataFrame = field(default_factory=pd.DataFrame)
    overlap: pd.DataFrame = field(default_factory=pd.DataFrame)
    variants: pd.DataFrame = field(default_factory=pd.DataFrame)
    effects: pd.DataFrame = field(default_factory=pd.DataFrame)
    evalues: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: tuple[str, ...] = ()


def _variant_row(panel: Panel, study: Study, key: str, method: str, estimand: str | None, trim: float | None,
                 covariates: tuple[str, ...], min_cell_size: int) -> dict[str, object]:
    row: dict[str, object] = {"variant": key, "method": method, "estimand": estimand or "ATO", "trim": trim}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", WeightingWarning)  # the table shows the balance reached
            result = study_weights(panel, study, covariates=covariates, method=method, estimand=estimand,
                                   trim=trim, min_cell_size=min_cell_size).result
    except IlbEvalError as error:
        return {**row, "status": "failed", "reason": str(error), "ess_treated": float("nan"),
                "ess_control": float("nan"), "max_abs_smd": float("nan")}
    return {**row, "status": "ok", "reason": None, "ess_treated": result.ess["treated"],
            "ess_control": result.ess["control"], "max_abs_smd": result.max_abs_smd}


def _effects(panel: Panel, study: Study, main: StudyWeighting) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Unweighted, adjusted and weighted iLB effects per dimension, and the E-values of the weighted slopes."""
    weights = main.persons.set_index("person")["weight"]
    waves, times = study.wave_names, study.time_scores
    frames, evalues = [], []
    for scale in study.competence_scales:
        scored = growth_data(panel, scale.name).set_index("person")  # persons with a score of the scale
        data = scored.loc[scored.index.intersection(pd.Index(main.persons["person"]), sort=False)]
        outcomes = [w for w in waves if w in data.columns]
        try:
            table = ilb_effects_by_adjustment(
                data, weights, outcomes=outcomes, time_scores=data.attrs["time_scores"],
                covariates=list(panel.covariates))
        except (IlbEvalError, ValueError, np.linalg.LinAlgError):
            continue
        frames.append(table.assign(dimension=scale.name))
        slope = table[(table["kind"] == "weighted") & (table["factor"] == "s")].iloc[0]
        sd = outcome_sd(panel, scale.name, waves[-1])
        span = float(times[-1] - times[0])
        value = slope_effect_evalue(slope["estimate"], slope["se"], span, sd)
        evalues.append({"dimension": scale.name, "d": slope["estimate"] * span / sd, "rr": value.rr,
                        "evalue": value.evalue, "evalue_ci": value.evalue_ci})
    effects = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    columns = ["dimension", *[c for c in effects.columns if c != "dimension"]]
    return (effects[columns] if frames else effects), pd.DataFrame(evalues)


def summarise_weighting(
    panel: Panel, study: Study, *, min_cell_size: int = DEFAULT_MIN_CELL_SIZE
) -> WeightingSummary:
    """Weight the controls to the iLB users and summarise balance, overlap and the variants.

    Examples
    --------
    >>> from ilb_eval.datasets import load_example_panel
    >>> from ilb_eval.study import load_study
    >>> summary = summarise_weighting(load_example_panel("EAP"), load_study("EAP"))
    >>> summary.status, summary.method, summary.estimand, summary.n
    ('ok', 'entropy', 'ATT', {'treated': 260, 'control': 988})
    >>> summary.variants[["variant", "status"]].to_dict("list")
    {'variant': ['entropy', 'ipw', 'ipw_trimmed', 'overlap'], 'status': ['ok', 'ok', 'ok', 'ok']}
    """
    covariates = propensity_covariates(study)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", WeightingWarning)  # kept on the result; the report shows them
            main = study_weights(panel, study, covariates=covariates, min_cell_size=min_cell_size)
    except IlbEvalError as error:
        return WeightingSummary(study=study.name, status="failed", reason=str(error), method="entropy",
                                estimand="ATT", covariates=covariates)
    result = main.result
    variants = pd.DataFrame([
        _variant_row(panel, study, key, method, estimand, trim, covariates, min_cell_size)
        for key, method, estimand, trim in VARIANTS
    ])
    balance = result.balance.drop(columns=["mean_treated_weighted"])
    effects, evalues = _effects(panel, study, main)
    return WeightingSummary(
        study=study.name, status="ok", reason=None, method=result.method, estimand=result.estimand,
        covariates=covariates, n=dict(result.n), ess=dict(result.ess), excluded=main.excluded,
        balance=balance, love=love_plot_data(result), overlap=overlap_data(result), variants=variants,
        effects=effects, evalues=evalues, warnings=result.warnings,
    )
