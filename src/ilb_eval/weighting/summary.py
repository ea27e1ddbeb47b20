"""The weighting of a study as aggregates for the report: balance, overlap, effective sample sizes, variants.

:func:`summarise_weighting` runs the main weighting of a study with a control
group (:func:`~ilb_eval.weighting.study.study_weights`: entropy balancing for
the ATT on the default propensity covariates) and its variants (inverse
probability weights, the same trimmed at the 99th percentile, overlap
weights) and keeps only aggregates: no person-level weight leaves this module.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import pandas as pd

from ilb_eval.exceptions import IlbEvalError, WeightingWarning
from ilb_eval.prep import Panel
from ilb_eval.privacy import DEFAULT_MIN_CELL_SIZE
from ilb_eval.study import Study
from ilb_eval.weighting.study import (
    default_propensity_covariates,
    love_plot_data,
    overlap_data,
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
    ``ess_control``, ``max_abs_smd``.
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
    covariates = default_propensity_covariates(study)
    try:
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
    return WeightingSummary(
        study=study.name, status="ok", reason=None, method=result.method, estimand=result.estimand,
        covariates=covariates, n=dict(result.n), ess=dict(result.ess), excluded=main.excluded,
        balance=balance, love=love_plot_data(result), overlap=overlap_data(result), variants=variants,
        warnings=result.warnings,
    )
