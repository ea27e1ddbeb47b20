"""The unrestricted model h1 and lavaan's independence baseline.

h1 is the saturated normal model of the outcomes given the covariates (free
means or regression intercepts and slopes, free covariance matrix), estimated
by full-information ML on the incomplete data by Newton steps on its exact
Hessian (:mod:`ilb_eval.sem.linear`). Because the covariates are complete
and fixed (fixed.x), this is the same maximum as lavaan's EM estimate of the
saturated joint model of ``(y, x)``; the joint moments follow by adding the
sample moments of the covariates.

The baseline (independence) model of lavaan with fixed covariates has free
means and variances of the outcomes and no covariances, no effects of the
covariates; with missing data its FIML estimate is closed-form (available-case
mean and variance per outcome).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ilb_eval.sem.estimate import maximize
from ilb_eval.sem.linear import LOG_2PI, Evaluation, Structure, evaluate
from ilb_eval.sem.patterns import Pattern

__all__ = [
    "Saturated",
    "available_moments",
    "baseline_logl",
    "fit_saturated",
    "saturated_structure",
]


def saturated_structure(p: int, k: int) -> Structure:
    """Linear structure of the saturated model: every symmetric matrix, ``D = I``."""
    basis = []
    for a in range(p):
        for b in range(a, p):
            e = np.zeros((p, p))
            e[a, b] = e[b, a] = 1.0
            basis.append(e)
    return Structure(basis=np.array(basis), design=np.eye(p), k=k)


@dataclass(frozen=True)
class Saturated:
    """Saturated model of one group: ``y | x ~ N(B z, Sigma)``.

    Attributes
    ----------
    logl
        Conditional log-likelihood of the outcomes given the covariates.
    sigma, b
        Residual covariance (p x p) and coefficients (p x k, first column
        the intercepts).
    converged
        Whether the optimiser converged.
    """

    logl: float
    sigma: np.ndarray
    b: np.ndarray
    converged: bool

    def joint_moments(self, x_mean: np.ndarray, x_cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and covariance of ``(y, x)`` with the covariates' sample moments."""
        slopes = self.b[:, 1:]
        mean = np.concatenate([self.b[:, 0] + slopes @ x_mean, x_mean])
        s_yx = slopes @ x_cov
        s_yy = self.sigma + slopes @ x_cov @ slopes.T
        return mean, np.block([[s_yy, s_yx], [s_yx.T, x_cov]])


def available_moments(
    patterns: Sequence[Pattern], p: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Available-case count, mean and variance (N denominator) of each outcome."""
    count = np.zeros(p)
    total = np.zeros(p)
    for pat in patterns:
        count[pat.observed] += pat.n
        total[pat.observed] += pat.n * pat.mean_y
    mean = total / count
    square = np.zeros(p)
    for pat in patterns:
        gap = pat.mean_y - mean[pat.observed]
        square[pat.observed] += np.diag(pat.cyy) + pat.n * gap**2
    return count, mean, square / count


def fit_saturated(patterns: Sequence[Pattern], p: int, k: int) -> Saturated:
    """Fit the saturated model of one group by FIML.

    Parameters
    ----------
    patterns
        Sufficient statistics per missing-data pattern.
    p, k
        Number of outcomes and of columns of ``z = [1, x]``.

    Returns
    -------
    Saturated
    """
    structure = saturated_structure(p, k)
    _, mean, var = available_moments(patterns, p)
    start_sigma = np.diag(np.where(var > 0, var, 1.0))
    start_b = np.zeros((p, k))
    start_b[:, 0] = mean
    iu = np.triu_indices(p)
    start = np.concatenate([start_sigma[iu], start_b.ravel()])
    n_total = sum(pat.n for pat in patterns)

    def objective(x: np.ndarray, order: int) -> Evaluation:
        return evaluate(structure, x, patterns, order)

    optimum = maximize(objective, start, n_total, max_iter=500)
    sigma, b = structure.split(optimum.x)
    return Saturated(logl=optimum.evaluation.logl, sigma=sigma, b=b, converged=optimum.converged)


def baseline_logl(patterns: Sequence[Pattern], p: int) -> float:
    """Conditional log-likelihood of lavaan's independence model (closed form)."""
    count, _, var = available_moments(patterns, p)
    return float(-0.5 * np.sum(count * (LOG_2PI + np.log(var) + 1.0)))
