"""The unrestricted model h1 and lavaan's independence baseline.

h1 is the saturated normal model of the outcomes given the covariates: free
intercepts and slopes ``M`` and a free covariance matrix ``Sigma``, estimated by
full-information ML on the incomplete data: a few iterations of the EM
algorithm (lavaan's method, cheap but slow to converge) from the available-case
means and variances, then Newton steps on the exact Hessian (the moment
coordinates are its parameters, so :func:`~ilb_eval.sem.fiml.moment_information`
is exact) to full convergence. lavaan's EM stops slightly early, so its h1
log-likelihood can be lower by ~1e-5.
Because the covariates are complete and fixed (fixed.x), this is the same
maximum as lavaan's EM estimate of the saturated joint model of ``(y, x)``;
the joint moments follow by adding the covariates' sample moments.

The baseline (independence) model of lavaan with fixed covariates has free
means and variances of the outcomes and nothing else; its FIML estimate is
closed-form (available-case mean and variance per outcome).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ilb_eval.sem.blocks import PatternBlock, scatter
from ilb_eval.sem.estimate import Evaluation, maximize
from ilb_eval.sem.fiml import LOG_2PI, moment_information, moment_logl, sigma_gradient_vech

#: EM iterations before the Newton steps (each costs about one log-likelihood).
EM_ITERATIONS = 10

__all__ = [
    "Saturated",
    "available_moments",
    "baseline_logl",
    "fit_saturated",
]

@dataclass(frozen=True)
class Saturated:
    """Saturated model of one group: ``y | x ~ N(B z, Sigma)``.

    Attributes
    ----------
    logl
        Log-likelihood of the outcomes given the covariates.
    sigma, b
        Residual covariance (p x p) and coefficients (p x k, first column
        the intercepts).
    converged
        Whether the estimation converged.
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
    blocks: Sequence[PatternBlock], p: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Available-case count, mean and variance (N denominator) of each outcome."""
    count = np.zeros(p)
    total = np.zeros(p)
    for block in blocks:
        np.add.at(count, block.obs, np.broadcast_to(block.n[:, None], block.obs.shape))
        np.add.at(total, block.obs, block.n[:, None] * block.mean_y)
    mean = total / count
    square = np.zeros(p)
    for block in blocks:
        gap = block.mean_y - mean[block.obs]
        values = np.diagonal(block.cyy, axis1=1, axis2=2) + block.n[:, None] * gap**2
        np.add.at(square, block.obs, values)
    return count, mean, square / count


def _em_step(
    sigma: np.ndarray, b: np.ndarray, blocks: Sequence[PatternBlock], szz_inv: np.ndarray, n: float
) -> tuple[np.ndarray, np.ndarray]:
    """One EM iteration of the saturated regression of y on z with missing y.

    E-step: per pattern, the missing outcomes' conditional expectations are
    ``E[y_m] = (M_m - G M_o) z + G y_o`` with ``G = Sigma_mo Sigma_oo^-1`` and their
    conditional covariance ``Sigma_mm - G Sigma_om``; the expected sums ``sum y z'``
    and ``sum y y'`` follow from the pattern's sufficient statistics. M-step:
    least squares of the completed data.
    """
    p, k = b.shape
    t_yz = np.zeros((p, k))
    t_yy = np.zeros((p, p))
    for block in blocks:
        obs = block.obs
        nb, po = obs.shape
        n_b = block.n[:, None, None]
        szy = block.czy + n_b * block.mean_z[:, :, None] * block.mean_y[:, None, :]
        syy = block.cyy + n_b * block.mean_y[:, :, None] * block.mean_y[:, None, :]
        u = np.empty((nb, k + po, k + po))
        u[:, :k, :k] = block.szz
        u[:, :k, k:] = szy
        u[:, k:, :k] = np.swapaxes(szy, 1, 2)
        u[:, k:, k:] = syy
        lin = np.zeros((nb, p, k + po))
        patterns = np.arange(nb)[:, None]
        lin[patterns, obs, k + np.arange(po)] = 1.0
        if po < p:
            mask = np.ones((nb, p), dtype=bool)
            mask[patterns, obs] = False
            mis = np.nonzero(mask)[1].reshape(nb, p - po)
            s_oo = sigma[obs[:, :, None], obs[:, None, :]]
            s_om = sigma[obs[:, :, None], mis[:, None, :]]
            g = np.swapaxes(np.linalg.solve(s_oo, s_om), 1, 2)  # (nb, pm, po)
            cond = sigma[mis[:, :, None], mis[:, None, :]] - g @ s_om
            lin[patterns, mis, :k] = b[mis] - g @ b[obs]
            lin[patterns, mis, k:] = g
            index = mis[:, :, None] * p + mis[:, None, :]
            t_yy += scatter(index, n_b * cond, p * p).reshape(p, p)
        t_yz += np.einsum("bpu,buk->pk", lin, u[:, :, :k])
        t_yy += np.einsum("bpu,buv,bqv->pq", lin, u, lin, optimize=True)
    b_new = t_yz @ szz_inv
    sigma_new = (t_yy - b_new @ t_yz.T) / n
    return 0.5 * (sigma_new + sigma_new.T), b_new


def _em_start(
    blocks: Sequence[PatternBlock], p: int, k: int, iterations: int
) -> tuple[np.ndarray, np.ndarray]:
    """Available-case start improved by a few EM iterations (cheap; Newton finishes)."""
    _, mean, var = available_moments(blocks, p)
    sigma = np.diag(np.where(var > 0, var, 1.0))
    b = np.zeros((p, k))
    b[:, 0] = mean
    szz = sum(block.szz.sum(axis=0) for block in blocks)
    n = float(sum(block.n.sum() for block in blocks))
    szz_inv = np.linalg.pinv(szz)
    logl = moment_logl(sigma, b, blocks).logl
    for _ in range(iterations):
        try:
            sigma_new, b_new = _em_step(sigma, b, blocks, szz_inv, n)
        except np.linalg.LinAlgError:  # a singular pattern covariance: Newton decides
            break
        logl_new = moment_logl(sigma_new, b_new, blocks).logl
        if not logl_new > logl:
            break
        sigma, b, logl = sigma_new, b_new, logl_new
    return sigma, b


def fit_saturated(blocks: Sequence[PatternBlock], p: int, k: int) -> Saturated:
    """Fit the saturated model of one group by FIML (Newton on the exact Hessian).

    Parameters
    ----------
    blocks
        Pattern blocks of the group.
    p, k
        Number of outcomes and of columns of ``z = [1, x]``.

    Returns
    -------
    Saturated
    """
    upper = np.triu_indices(p)
    n_cov = len(upper[0])

    def unpack(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cov = np.zeros((p, p))
        cov[upper] = theta[:n_cov]
        return cov + np.triu(cov, 1).T, theta[n_cov:].reshape(p, k)

    def objective(theta: np.ndarray, order: int) -> Evaluation:
        sigma, b = unpack(theta)
        moments = moment_logl(sigma, b, blocks, min(order, 1))
        if order == 0 or not np.isfinite(moments.logl):
            return Evaluation(logl=moments.logl)
        assert moments.d_sigma is not None and moments.d_mean is not None
        gradient = np.concatenate([sigma_gradient_vech(moments.d_sigma), moments.d_mean.ravel()])
        if order == 1:
            return Evaluation(logl=moments.logl, gradient=gradient)
        observed = moment_information(sigma, b, blocks, observed=True)
        return Evaluation(moments.logl, gradient, hessian=-observed)

    start_sigma, start_b = _em_start(blocks, p, k, EM_ITERATIONS)
    start = np.concatenate([start_sigma[upper], start_b.ravel()])
    n_total = float(sum(block.n.sum() for block in blocks))
    optimum = maximize(objective, start, n_total, max_iter=500)
    sigma, b = unpack(optimum.x)
    return Saturated(logl=optimum.evaluation.logl, sigma=sigma, b=b, converged=optimum.converged)


def baseline_logl(blocks: Sequence[PatternBlock], p: int) -> float:
    """Log-likelihood of lavaan's independence model (closed form)."""
    count, _, var = available_moments(blocks, p)
    return float(-0.5 * np.sum(count * (LOG_2PI + np.log(var) + 1.0)))
