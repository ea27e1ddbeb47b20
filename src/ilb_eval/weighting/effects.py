"""iLB effects on intercept and slope, unweighted, covariate-adjusted and weighted (ATT).

The weighted growth model is the SEM engine's ``growth`` with lavaan's
``sampling.weights`` semantics (weights normalised to the sample size,
robust MLR standard errors); the unweighted and the covariate-adjusted
models are fitted on the same persons, so the three rows of a scale differ
only in the adjustment.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ilb_eval.exceptions import IlbEvalWarning
from ilb_eval.sem import growth

__all__ = ["EFFECT_KINDS", "growth_syntax", "ilb_effects_by_adjustment"]

#: The three analyses, in report order.
EFFECT_KINDS = ("unweighted", "adjusted", "weighted")


def growth_syntax(outcomes: Sequence[str], time_scores: Sequence[float], predictors: Sequence[str]) -> str:
    """lavaan syntax of a linear growth model with predictors of intercept and slope.

    Examples
    --------
    >>> print(growth_syntax(["t1", "t3"], [0, 2], ["ilb"]))
    i =~ 1*t1 + 1*t3
    s =~ 0*t1 + 2*t3
    i ~ ilb
    s ~ ilb
    """
    lines = [
        "i =~ " + " + ".join(f"1*{y}" for y in outcomes),
        "s =~ " + " + ".join(f"{float(t):g}*{y}" for y, t in zip(outcomes, time_scores, strict=True)),
    ]
    if predictors:
        lines += [f"i ~ {' + '.join(predictors)}", f"s ~ {' + '.join(predictors)}"]
    return "\n".join(lines)


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
            result = growth(growth_syntax(outcomes, time_scores, predictors), frame,
                            estimator="MLR" if weight else "ML", sampling_weights=weight)
        params = result.params.set_index(["lhs", "op", "rhs"])
        for factor in ("i", "s"):
            p = params.loc[(factor, "~", treatment)]
            p = p.iloc[0] if isinstance(p, pd.DataFrame) else p
            rows.append({
                "kind": kind, "factor": factor, "estimate": float(p["est"]), "se": float(p["se"]),
                "pvalue": float(p["pvalue"]), "ci_lower": float(p["ci_lower"]), "ci_upper": float(p["ci_upper"]),
                "n": int(len(frame)), "converged": bool(getattr(result, "converged", True)),
            })
    table = pd.DataFrame(rows)
    table["estimate"] = table["estimate"].astype(float)
    return table.replace({np.inf: np.nan})
