"""Multiple seeded starts: is the reported maximum the best one the likelihood has?

After the default fit, the optimiser is restarted from ``n_starts`` perturbed
copies of the default start values (seeded by :class:`numpy.random.SeedSequence`)
with few iterations each. Variances are multiplied by ``exp(u)``,
``u ~ U(-1, 1)``, covariances by ``U(-1, 1)`` and means and regression
coefficients shifted by ``N(0, (0.25 (|value| + 0.1))^2)``; a perturbed point
whose covariance matrix is not positive definite is drawn again with half the
perturbation. The best solution is reported. The starts disagree (lavaan has
no such check; Mplus' STARTS does the same) when a start reaches a
log-likelihood more than ``LOGL_TOLERANCE`` above the default run, or reaches
the same log-likelihood with estimates more than ``ESTIMATE_TOLERANCE`` away
(a flat ridge: the model is empirically not identified).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ilb_eval.sem.estimate import Evaluation, Optimum, maximize

__all__ = [
    "ESTIMATE_TOLERANCE",
    "LOGL_TOLERANCE",
    "STEPS_PER_START",
    "StartsReport",
    "best_of_starts",
]

#: A start beating the default run by more than this (logl units) is a better maximum.
LOGL_TOLERANCE = 1e-6
#: Largest absolute difference of estimates of two maxima with the same logl.
ESTIMATE_TOLERANCE = 1e-4
#: Fisher-scoring decrement at which a perturbed start stops (see maximize).
SEARCH_TOLERANCE = 1e-11
#: Iterations per perturbed start (never more than the fit's ``max_iter``).
STEPS_PER_START = 25


@dataclass(frozen=True)
class StartsReport:
    """What the extra starts found.

    Attributes
    ----------
    n_starts
        Number of perturbed starts run (besides the default start).
    logls
        Log-likelihood reached from each perturbed start (NaN: no finite value).
    default_logl
        Log-likelihood of the default run.
    best_logl
        Best log-likelihood (default run included).
    max_estimate_difference
        Largest absolute difference between the default estimates and those of
        a converged start with the same log-likelihood (0 when there is none).
    disagree
        Whether the starts disagree (a better maximum or a ridge).
    """

    n_starts: int
    logls: tuple[float, ...]
    default_logl: float
    best_logl: float
    max_estimate_difference: float
    disagree: bool


def _perturb(
    start: np.ndarray, kinds: np.ndarray, rng: np.random.Generator, size: float
) -> np.ndarray:
    out = start.copy()
    var, cov, loc = kinds == "var", kinds == "cov", kinds == "loc"
    out[var] *= np.exp(size * rng.uniform(-1.0, 1.0, var.sum()))
    out[cov] *= 1.0 + size * rng.uniform(-2.0, 0.0, cov.sum())
    out[loc] += size * 0.25 * (np.abs(start[loc]) + 0.1) * rng.standard_normal(loc.sum())
    return out


def best_of_starts(
    objective: Callable[[np.ndarray, int], Evaluation],
    start: np.ndarray,
    kinds: np.ndarray,
    default: Optimum,
    n_total: int,
    *,
    n_starts: int = 5,
    seed: int = 0,
    n_steps: int = STEPS_PER_START,
    max_iter: int = 200,
    hessian: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[Optimum, StartsReport]:
    """Run perturbed starts and return the best optimum and a report.

    Parameters
    ----------
    objective
        ``objective(x, order)`` as for :func:`~ilb_eval.sem.estimate.maximize`.
    start
        The default start values.
    kinds
        Per free parameter ``"var"``, ``"cov"`` or ``"loc"`` (mean, regression).
    default
        The optimum reached from ``start``.
    n_total
        Number of persons.
    n_starts
        Number of perturbed starts (0 switches the check off).
    seed
        Seed of the perturbations (:class:`numpy.random.SeedSequence`).
    n_steps
        Iterations per perturbed start.
    max_iter
        Iterations when a better start is polished to full convergence.
    hessian
        Observed Hessian at a point (for objectives without an analytic one).

    Returns
    -------
    tuple of Optimum and StartsReport

    Examples
    --------
    >>> def objective(x, order):  # logl = -(x - 1)^2, one maximum
    ...     g = -2.0 * (x - 1.0)
    ...     return Evaluation(-float((x[0] - 1.0) ** 2), g, -2.0 * np.eye(1), 2.0 * np.eye(1))
    >>> start = np.array([3.0])
    >>> default = maximize(objective, start, 1)
    >>> best, report = best_of_starts(objective, start, np.array(["loc"]), default, 1)
    >>> report.n_starts, report.disagree
    (5, False)
    """
    children = np.random.SeedSequence(seed).spawn(n_starts)
    best = default
    logls = []
    max_diff = 0.0
    for child in children:
        rng = np.random.default_rng(child)
        size = 1.0
        trial = _perturb(start, kinds, rng, size)
        while not np.isfinite(objective(trial, 0).logl) and size > 1e-3:
            size /= 2.0
            trial = _perturb(start, kinds, rng, size)
        if not np.isfinite(objective(trial, 0).logl):
            logls.append(np.nan)
            continue
        # Fisher scoring to a decrement of 1e-11 (logl within ~1e-11 of a maximum)
        # decides the comparison; only a better maximum is polished with Newton
        found = maximize(objective, trial, n_total, max_iter=n_steps,
                         fisher_tolerance=SEARCH_TOLERANCE)  # fmt: skip
        logls.append(found.evaluation.logl)
        if (
            found.converged
            and abs(found.evaluation.logl - default.evaluation.logl) <= LOGL_TOLERANCE
        ):
            max_diff = max(max_diff, float(np.max(np.abs(found.x - default.x), initial=0.0)))
        if found.evaluation.logl > best.evaluation.logl + LOGL_TOLERANCE:
            best = found
    if best is not default and not best.converged:
        best = maximize(objective, best.x, n_total, max_iter=max_iter, hessian=hessian)
    better = best.evaluation.logl > default.evaluation.logl + LOGL_TOLERANCE
    report = StartsReport(
        n_starts=n_starts,
        logls=tuple(float(v) for v in logls),
        default_logl=float(default.evaluation.logl),
        best_logl=float(best.evaluation.logl),
        max_estimate_difference=max_diff,
        disagree=bool(better or max_diff > ESTIMATE_TOLERANCE),
    )
    return best, report
