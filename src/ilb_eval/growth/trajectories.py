"""Model-implied mean trajectories with delta-method bands, and factor scores."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from ilb_eval.growth.results import GrowthResults

__all__ = ["factor_scores", "mean_trajectories"]

_Z975 = float(stats.norm.ppf(0.975))


def _row(table: pd.DataFrame, lhs: str, op: str, rhs: str, group: int) -> pd.Series:
    hit = table[(table["lhs"] == lhs) & (table["op"] == op) & (table["rhs"] == rhs)
                & (table["group"] == group)]  # fmt: skip
    return hit.iloc[0]


def mean_trajectories(
    results: GrowthResults,
    covariate_values: Mapping[str, float] | None = None,
    n_points: int = 31,
) -> pd.DataFrame:
    """Model-implied mean of the outcome over time, per group, with 95% bands.

    The mean at time ``t`` is ``(alpha_i + Gamma_i x) + t (alpha_s + Gamma_s x)``
    at covariate values ``x`` (the group's sample means unless given in
    ``covariate_values``); it is linear in the estimates, so its delta-method
    standard error ``sqrt(d' V d)`` is exact given ``V`` (the fit's covariance
    of the estimates; sandwich for MLR). In a latent-basis model the mean is
    defined at the waves only: ``t`` is replaced by the wave's estimated time
    score ``lambda_j`` (the gradient then includes ``d/d lambda_j``), the
    rows are the waves at their given time scores and ``n_points`` is not
    used.

    Parameters
    ----------
    results
        A converged fit.
    covariate_values
        Values of some covariates (e.g. ``{"ilb": 1}``); the others stay at
        their group means.
    n_points
        Grid points between the first and last time score.

    Returns
    -------
    pandas.DataFrame
        Columns group, time, estimate, se, ci_lower, ci_upper.

    Examples
    --------
    >>> import warnings; warnings.simplefilter("ignore")
    >>> from ilb_eval.datasets import load_example_growth_data
    >>> from ilb_eval.growth import fit_growth
    >>> data = load_example_growth_data("belastbarkeit")
    >>> res = fit_growth(data, outcomes=["t1", "t3", "t4"], time_scores=[0, 2, 3],
    ...                  covariates=["ilb"])
    >>> bands = mean_trajectories(res, {"ilb": 1}, n_points=4)
    >>> list(bands.columns), len(bands)
    (['group', 'time', 'estimate', 'se', 'ci_lower', 'ci_upper'], 4)
    """
    spec = results.spec
    table = results.params
    values = dict(covariate_values or {})
    unknown = sorted(set(values) - set(spec.covariates))
    if unknown:
        raise KeyError(f"not covariates of the model: {', '.join(unknown)}")
    n_free = results.vcov.shape[0] if results.vcov is not None else 0
    vcov = results.vcov if results.vcov is not None else np.zeros((0, 0))
    if spec.free_time_scores:
        times = np.asarray(spec.time_scores, dtype=float)
    else:
        times = np.linspace(min(spec.time_scores), max(spec.time_scores), n_points)
    frames = []
    for g, label in enumerate(results.group_labels, start=1):
        x = np.array(
            [values.get(c, _row(table, c, "~1", "", g)["est"]) for c in spec.covariates],
            dtype=float,
        )
        coef = np.zeros((2, n_free))
        level = np.zeros(2)
        for f, factor in enumerate(("i", "s")):
            rows = [(_row(table, factor, "~1", "", g), 1.0)]
            rows += [(_row(table, factor, "~", c, g), x[k]) for k, c in enumerate(spec.covariates)]
            for row, weight in rows:
                level[f] += weight * float(row["est"])
                if row["free"] > 0:
                    coef[f, int(row["free"]) - 1] += weight
        slope_loading = times.copy()
        grad_loading = np.zeros((len(times), n_free))
        if spec.free_time_scores:
            for j, y in enumerate(spec.outcomes):
                row = _row(table, "s", "=~", y, g)
                slope_loading[j] = float(row["est"])
                if row["free"] > 0:
                    grad_loading[j, int(row["free"]) - 1] = level[1]
        design = np.column_stack([np.ones_like(times), slope_loading])
        grad = design @ coef + grad_loading
        se = np.sqrt(np.einsum("ij,jk,ik->i", grad, vcov, grad))
        est = design @ level
        frames.append(
            pd.DataFrame({"group": label, "time": times, "estimate": est, "se": se,
                          "ci_lower": est - _Z975 * se, "ci_upper": est + _Z975 * se})
        )  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def factor_scores(results: GrowthResults, data: pd.DataFrame) -> pd.DataFrame:
    """Individual intercepts and slopes (empirical Bayes; lavPredict's regression method).

    The engine's :meth:`~ilb_eval.sem.results.SemResults.predict` of the fit:
    for a person with observed outcomes ``o`` and covariates ``x``,
    ``eta = mu(x) + Psi Lambda_o' Sigma_oo^-1 (y_o - Lambda_o mu(x))``; a person
    whose covariates are observed but every outcome is missing gets ``mu(x)``,
    as in lavaan. Rows are the persons the fit used, in group order and,
    within a group, in data order.

    Parameters
    ----------
    results
        The fit.
    data
        The data it was fitted to (kept for the signature; the fit knows its rows).

    Returns
    -------
    pandas.DataFrame
        Columns group, i, s.
    """
    del data
    assert results.sem is not None
    scores = results.sem.predict()
    frames = []
    for group in results.sem.model.data.groups:
        part = scores.iloc[group.rows]
        frames.append(pd.DataFrame({"group": group.label, "i": part["i"].to_numpy(),
                                    "s": part["s"].to_numpy()}))  # fmt: skip
    return pd.concat(frames, ignore_index=True)
