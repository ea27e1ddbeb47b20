"""iLB effects on intercept and slope, unweighted, covariate-adjusted and weighted (ATT).

The weighted growth model is :class:`~ilb_eval.growth.GrowthModel` with
lavaan's ``sampling.weights`` semantics (weights normalised to the sample
size, robust MLR standard errors); the unweighted and the covariate-adjusted
models are fitted on the same persons, so the three rows of a scale differ
only in the adjustment.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ilb_eval.exceptions import IlbEvalWarning
from ilb_eval.growth import GrowthModel, GrowthSpec

__all__ = ["EFFECT_KINDS", "ilb_effects_by_adjustment"]

#: The three analyses, in report order.
EFFECT_KINDS = ("unweighted", "adjusted", "weighted")


def ilb_effects_by_adjustment(
    data: pd.DataFrame,
    weights: pd.Series,
    *,
    outcomes: Sequence[str],
    time_scores: Sequence[float],
    covariates: Sequence[str],
    treatment: str = "ilb",
) -> pd.DataFrame:
    """The iLB coefficients on i and s: unweighted, covariate-adjusted, and weighted to the users.

    Parameters
    ----------
    data:
        One row per weighted person: the outcomes (one per wave), the
        treatment and the covariates; same index as ``weights``.
    weights:
        The persons' weights (e.g. :attr:`StudyWeighting.persons`).
    covariates:
        Model covariates of the adjusted model (the weighted model uses the
        treatment only: the weights do the adjusting).

    Returns
    -------
    DataFrame
        ``kind`` (:data:`EFFECT_KINDS`), ``factor`` (``"i"``, ``"s"``),
        ``estimate``, ``se``, ``pvalue``, ``ci_lower``, ``ci_upper``, ``n``,
        ``converged``.
    """
    frame = data.assign(__weight=weights.reindex(data.index).to_numpy(dtype=float))
    specs = {
        "unweighted": ([treatment], None),
        "adjusted": ([treatment, *covariates], None),
        "weighted": ([treatment], "__weight"),
    }
    rows = []
    for kind, (predictors, weight) in specs.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", IlbEvalWarning)
            spec = GrowthSpec(outcomes=tuple(outcomes), time_scores=tuple(time_scores),
                              covariates=tuple(predictors), estimator="MLR" if weight else "ML")
            result = GrowthModel(spec, n_starts=0, sampling_weights=weight).fit(frame)
        params = result.params.set_index(["lhs", "op", "rhs"])
        for factor in ("i", "s"):
            p = params.loc[(factor, "~", treatment)]
            p = p.iloc[0] if isinstance(p, pd.DataFrame) else p
            rows.append({
                "kind": kind, "factor": factor, "estimate": float(p["est"]), "se": float(p["se"]),
                "pvalue": float(p["pvalue"]), "ci_lower": float(p["ci_lower"]), "ci_upper": float(p["ci_upper"]),
                "n": int(len(frame)), "converged": bool(result.converged),
            })
    table = pd.DataFrame(rows)
    table["estimate"] = table["estimate"].astype(float)
    return table.replace({np.inf: np.nan})
