"""Power to detect an iLB effect on the slope: Monte Carlo curve and analytic reference."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ilb_eval.montecarlo.dgm import Attrition, GrowthDGM
from ilb_eval.montecarlo.run import Method, run_monte_carlo

__all__ = ["analytic_slope_power", "power_curve", "study_design"]


def study_design(*, mar: float = 0.0, **changes: object) -> GrowthDGM:
    """A :class:`GrowthDGM` resembling the example study (EAP, resilience scale).

    Three waves with time scores 0, 2, 3, the study's attrition
    (:meth:`Attrition.study`) and growth parameters rounded from the
    conditional growth model of the example study's resilience scale
    (``belastbarkeit``): intercept mean 3.5, slope mean 0, intercept
    variance 0.25, slope variance 0.008, covariance -0.01, residual
    variance 0.085, iLB effects -0.28 on the intercept and 0.075 on the
    slope, 200 persons per group.

    Parameters
    ----------
    mar
        Dependence of dropout on the previous score (see :class:`Attrition`).
    **changes
        Any other :class:`GrowthDGM` field, e.g. ``n_per_group=300``.

    Examples
    --------
    >>> study_design(n_per_group=300).time_scores
    (0.0, 2.0, 3.0)
    """
    base = GrowthDGM(
        n_per_group=200,
        time_scores=(0.0, 2.0, 3.0),
        intercept_mean=3.5,
        slope_mean=0.0,
        intercept_variance=0.25,
        slope_variance=0.008,
        intercept_slope_covariance=-0.01,
        residual_variances=0.085,
        group_effect_intercept=-0.28,
        group_effect_slope=0.075,
        attrition=Attrition.study(mar=mar),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def analytic_slope_power(
    effect: float,
    n_per_group: int | Sequence[int] | np.ndarray,
    *,
    time_scores: Sequence[float] = (0.0, 2.0, 3.0),
    residual_variance: float,
    slope_variance: float,
    alpha: float = 0.05,
) -> np.ndarray:
    """Power of the two-sided z test of a group difference in linear slopes, complete data.

    With complete, balanced data and equal residual variances the ML
    estimate of the slope difference is the difference of the groups' mean
    OLS slopes. Each person's OLS slope has variance
    ``v = sigma_e^2 / sum_t (t - tbar)^2 + tau_s`` (residual variance
    ``sigma_e^2``, slope variance ``tau_s``), so the difference has
    ``SE = sqrt(2 v / n)`` for ``n`` persons per group and the power is
    ``Phi(|delta|/SE - z) + Phi(-|delta|/SE - z)`` with ``z = z_{1-alpha/2}``
    (Raudenbush & Liu, 2001, Psychological Methods 6(4), 387-401).

    Parameters
    ----------
    effect
        Slope difference ``delta`` (iLB minus control) per time unit.
    n_per_group
        Persons per group (scalar or array).
    time_scores
        Time scores of the waves.
    residual_variance, slope_variance
        ``sigma_e^2`` and ``tau_s``.
    alpha
        Two-sided significance level.

    Returns
    -------
    ndarray
        Power for each ``n_per_group``.

    Examples
    --------
    >>> float(analytic_slope_power(0.05, 100, residual_variance=0.085, slope_variance=0.008)
    ...       .round(3))
    0.589
    """
    t = np.asarray(time_scores, dtype=float)
    v = residual_variance / np.sum((t - t.mean()) ** 2) + slope_variance
    se = np.sqrt(2.0 * v / np.asarray(n_per_group, dtype=float))
    z = stats.norm.ppf(1 - alpha / 2)
    ratio = abs(effect) / se
    return np.asarray(stats.norm.cdf(ratio - z) + stats.norm.cdf(-ratio - z))


def power_curve(
    effect: float,
    n_per_group: Sequence[int],
    *,
    design: GrowthDGM | None = None,
    reps: int = 200,
    seed: int | None = None,
    method: Method = "fiml",
    n_jobs: int = 1,
    progress: bool = True,
    alpha: float = 0.05,
    include_improper: bool = False,
) -> pd.DataFrame:
    """Monte Carlo power to detect an iLB effect on the slope, per group size.

    Parameters
    ----------
    effect
        True iLB effect on the slope (``s ~ ilb``), per time unit.
    n_per_group
        Group sizes to evaluate.
    design
        The data-generating model; :func:`study_design` (three waves with
        time scores 0, 2, 3 and the study's attrition) when None. Its
        ``n_per_group`` and ``group_effect_slope`` are replaced.
    reps
        Replications per group size.
    seed
        Seed of one :class:`~numpy.random.SeedSequence`; each group size gets
        its own spawned child, so adding a size does not change the others.
    method
        ``"fiml"`` or ``"complete_case"``.
    n_jobs, progress, alpha, include_improper
        As in :func:`run_monte_carlo`.

    Returns
    -------
    DataFrame
        ``n_per_group``, ``effect``, ``power`` (share of proper solutions with
        p < alpha for ``s ~ ilb``; improper ones too with ``include_improper``), ``mc_se`` (its binomial Monte Carlo
        standard error), ``ci_lower``, ``ci_upper`` (normal 95 % interval,
        clipped to [0, 1]), ``reps``, ``n_used``, ``n_improper``,
        ``n_not_converged``, ``n_failed``.

    Examples
    --------
    >>> curve = power_curve(0.1, [50, 100], reps=10, seed=1, progress=False)
    >>> curve[["n_per_group", "reps"]].to_dict("records")
    [{'n_per_group': 50, 'reps': 10}, {'n_per_group': 100, 'reps': 10}]
    """
    design = study_design() if design is None else design
    sizes = [int(n) for n in n_per_group]
    children = np.random.SeedSequence(seed).spawn(len(sizes))
    rows = []
    for n, child in zip(sizes, children, strict=True):
        dgm = dataclasses.replace(design, n_per_group=n, group_effect_slope=effect)
        res = run_monte_carlo(
            dgm, reps=reps, seed=child, methods=[method], n_jobs=n_jobs, progress=progress,
            alpha=alpha, include_improper=include_improper,
        )  # fmt: skip
        row = res.summary.query("lhs == 's' and op == '~' and rhs == @dgm.group").iloc[0]
        power = float(row["power"])
        used = int(row["n_used"])
        mc_se = float(np.sqrt(power * (1 - power) / used)) if used else float("nan")
        rows.append(
            {
                "n_per_group": n,
                "effect": effect,
                "power": power,
                "mc_se": mc_se,
                "ci_lower": max(0.0, power - 1.96 * mc_se),
                "ci_upper": min(1.0, power + 1.96 * mc_se),
                "reps": int(row["reps"]),
                "n_used": used,
                "n_improper": int(row["n_improper"]),
                "n_not_converged": int(row["n_not_converged"]),
                "n_failed": int(row["n_failed"]),
            }
        )
    return pd.DataFrame(rows)
