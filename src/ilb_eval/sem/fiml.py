"""The FIML log-likelihood of the outcomes given the covariates, in the model moments.

Every model the engine fits implies, per group, a normal distribution of the
outcomes ``y`` given the fixed covariates ``x`` (lavaan's ``fixed.x = TRUE``):

``y | x ~ N(M z, Sigma)``, ``z = [1, x]``,

with ``M`` (p x k) the intercepts and the reduced-form slopes on ``x`` and
``Sigma`` (p x p) the conditional covariance matrix. With missing outcomes a
person contributes the density of the observed part ``y_o`` (full-information
ML). This module evaluates the log-likelihood and its derivatives in the
moments ``Sigma`` and ``M`` from the per-pattern sufficient statistics of
:mod:`ilb_eval.sem.patterns`; the chain rule to the model parameters lives in
:mod:`ilb_eval.sem.representation`.

lavaan reports exactly this log-likelihood: with fixed covariates the joint
log-likelihood of ``(y, x)`` minus that of ``x`` at its sample moments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ilb_eval.sem.patterns import Pattern, pattern_rows

__all__ = [
    "LOG_2PI",
    "MomentEvaluation",
    "casewise_moment_scores",
    "expected_information",
    "moment_logl",
    "observed_information_part",
]

LOG_2PI = float(np.log(2.0 * np.pi))


@dataclass(frozen=True)
class MomentEvaluation:
    """Log-likelihood of one group and (with ``order >= 1``) its moment derivatives.

    ``logl`` is ``-inf`` when the covariance matrix of some pattern is not
    positive definite. ``d_sigma`` is ``dlogl / dSigma`` with the entries of
    Sigma taken as independent (a symmetric p x p matrix), ``d_mean`` is
    ``dlogl / dM`` (p x k).
    """

    logl: float
    d_sigma: np.ndarray | None = None
    d_mean: np.ndarray | None = None


def _inverse_and_logdet(matrix: np.ndarray) -> tuple[np.ndarray, float] | None:
    try:
        chol = np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        return None
    inv_chol = np.linalg.inv(chol)
    return inv_chol.T @ inv_chol, 2.0 * float(np.sum(np.log(np.diag(chol))))


def moment_logl(
    sigma: np.ndarray, mean_coef: np.ndarray, patterns: Sequence[Pattern], order: int = 0
) -> MomentEvaluation:
    """FIML log-likelihood of one group at the moments ``(sigma, mean_coef)``.

    Parameters
    ----------
    sigma
        Conditional covariance matrix of the outcomes (p x p).
    mean_coef
        ``M`` (p x k): column 0 the intercepts, the others the slopes on ``x``.
    patterns
        Sufficient statistics per missing-data pattern.
    order
        0: log-likelihood only; 1: plus ``d_sigma`` and ``d_mean``.

    Returns
    -------
    MomentEvaluation

    Examples
    --------
    >>> from ilb_eval.sem.patterns import pattern_stats
    >>> pats = pattern_stats(np.array([[0.5], [-0.5]]), np.empty((2, 0)))
    >>> round(moment_logl(np.array([[0.25]]), np.zeros((1, 1)), pats).logl, 6)
    -1.451583
    """
    p, k = mean_coef.shape
    logl = 0.0
    if order >= 1:
        d_sigma = np.zeros((p, p))
        d_mean = np.zeros((p, k))
    for pat in patterns:
        o = pat.observed
        n = pat.n
        inverse = _inverse_and_logdet(sigma[np.ix_(o, o)])
        if inverse is None:
            return MomentEvaluation(logl=-np.inf)
        s_inv, logdet = inverse
        m_o = mean_coef[o]
        # residual cross products sum w (y - M z) z' and sum w (y - M z)(y - M z)'
        # from the centred statistics: y - M z = (y - ybar) - M (z - zbar) + dev
        dev = pat.mean_y - m_o @ pat.mean_z
        resid_z = pat.czy.T - m_o @ pat.czz + n * np.outer(dev, pat.mean_z)
        cross = m_o @ pat.czy
        resid_rr = pat.cyy - cross - cross.T + m_o @ pat.czz @ m_o.T + n * np.outer(dev, dev)
        logl -= 0.5 * (n * len(o) * LOG_2PI + n * logdet + float(np.sum(s_inv * resid_rr)))
        if order >= 1:
            v = s_inv @ resid_rr
            d_sigma[np.ix_(o, o)] += 0.5 * (v @ s_inv - n * s_inv)
            d_mean[o] += s_inv @ resid_z
    if order == 0:
        return MomentEvaluation(logl=logl)
    return MomentEvaluation(logl=logl, d_sigma=d_sigma, d_mean=d_mean)


def expected_information(
    sigma: np.ndarray,
    jac_sigma: np.ndarray,
    jac_mean: np.ndarray,
    patterns: Sequence[Pattern],
) -> np.ndarray:
    """Expected (Fisher) information of one group in the parameters of the Jacobians.

    ``I_ab = sum_patterns n/2 tr(S^-1 dS_a S^-1 dS_b) + tr(dM_a' S^-1 dM_b Szz)``
    with ``S``, ``dS``, ``dM`` restricted to the pattern's observed outcomes.

    Parameters
    ----------
    sigma
        Conditional covariance matrix (p x p).
    jac_sigma, jac_mean
        ``dSigma / dtheta_a`` (n_par, p, p) and ``dM / dtheta_a`` (n_par, p, k).
    patterns
        Sufficient statistics per pattern.

    Returns
    -------
    numpy.ndarray
        (n_par, n_par) information matrix.
    """
    n_par = jac_sigma.shape[0]
    info = np.zeros((n_par, n_par))
    for pat in patterns:
        o = pat.observed
        chol = np.linalg.cholesky(sigma[np.ix_(o, o)])
        inv_chol = np.linalg.inv(chol)
        d_s = jac_sigma[:, o][:, :, o]
        scaled = inv_chol @ d_s @ inv_chol.T
        flat = scaled.reshape(n_par, -1)
        info += 0.5 * pat.n * (flat @ flat.T)
        d_m = inv_chol @ jac_mean[:, o]  # (n_par, p_o, k)
        weighted = d_m @ pat.szz
        info += weighted.reshape(n_par, -1) @ d_m.reshape(n_par, -1).T
    return info


def observed_information_part(
    sigma: np.ndarray,
    mean_coef: np.ndarray,
    jac_sigma: np.ndarray,
    jac_mean: np.ndarray,
    patterns: Sequence[Pattern],
) -> np.ndarray:
    """``J' H_m J``: the part of the observed Hessian that goes through the moments.

    The Hessian of the log-likelihood in parameters ``theta`` is
    ``J' H_m J + sum_m g_m d2m / dtheta2`` with ``H_m`` and ``g_m`` the Hessian
    and gradient in the moments. Per pattern (``P = S^-1``, ``R`` the residual
    cross products, ``Rz = sum w r z'``):
    ``d2l/dS_a dS_b = n/2 tr(P dS_a P dS_b) - tr(P dS_a P dS_b P R)``,
    ``d2l/dS_a dM_b = -<P dS_a P Rz, dM_b>`` and
    ``d2l/dM_a dM_b = -<P dM_b Szz, dM_a>``.

    Returns
    -------
    numpy.ndarray
        (n_par, n_par); the second-derivative part is added by the caller.
    """
    n_par = jac_sigma.shape[0]
    hess = np.zeros((n_par, n_par))
    for pat in patterns:
        o = pat.observed
        n = pat.n
        s_inv = np.linalg.inv(sigma[np.ix_(o, o)])
        m_o = mean_coef[o]
        dev = pat.mean_y - m_o @ pat.mean_z
        resid_z = pat.czy.T - m_o @ pat.czz + n * np.outer(dev, pat.mean_z)
        cross = m_o @ pat.czy
        resid_rr = pat.cyy - cross - cross.T + m_o @ pat.czz @ m_o.T + n * np.outer(dev, dev)
        d_s = jac_sigma[:, o][:, :, o]
        d_m = jac_mean[:, o]
        sa = s_inv @ d_s  # (n_par, p_o, p_o)
        t1 = np.einsum("aij,bji->ab", sa, sa)
        t2 = np.einsum("aij,bji->ab", sa, sa @ (s_inv @ resid_rr))
        hess += 0.5 * n * t1 - t2
        sm = -np.einsum("aij,bij->ab", sa @ (s_inv @ resid_z), d_m)
        hess += sm + sm.T
        hess -= np.einsum("aij,bij->ab", d_m, s_inv @ d_m @ pat.szz)
    return 0.5 * (hess + hess.T)


def casewise_moment_scores(
    sigma: np.ndarray,
    mean_coef: np.ndarray,
    y: np.ndarray,
    x: np.ndarray,
    jac_sigma: np.ndarray,
    jac_mean: np.ndarray,
) -> np.ndarray:
    """Each person's gradient of the log-likelihood (unweighted), in the Jacobians' parameters.

    For a person with observed outcomes ``o``, residual ``r = y_o - M_o z`` and
    ``u = Sigma_oo^-1 r``: ``dl/dSigma_oo = (u u' - Sigma_oo^-1) / 2`` and
    ``dl/dM_o = u z'``; the score of parameter ``a`` is their contraction with
    ``dSigma/dtheta_a`` and ``dM/dtheta_a``. Vectorised within each pattern.
    Rows without observed outcomes score 0.

    Returns
    -------
    numpy.ndarray
        (n, n_par) scores; with sampling weights the caller multiplies each
        row by its weight.
    """
    n = y.shape[0]
    n_par = jac_sigma.shape[0]
    z = np.column_stack([np.ones(n), x])
    scores = np.zeros((n, n_par))
    for rows, o in pattern_rows(~np.isnan(y)):
        if o.size == 0:
            continue
        s_inv = np.linalg.inv(sigma[np.ix_(o, o)])
        z_rows = z[rows]
        resid = y[np.ix_(rows, o)] - z_rows @ mean_coef[o].T
        u = resid @ s_inv
        d_s = jac_sigma[:, o][:, :, o].reshape(n_par, -1)  # (n_par, p_o^2)
        outer = (u[:, :, None] * u[:, None, :]).reshape(len(rows), -1)
        scores[rows] = 0.5 * (outer @ d_s.T - (s_inv.reshape(-1) @ d_s.T)[None, :])
        d_m = jac_mean[:, o].reshape(n_par, -1)  # (n_par, p_o * k)
        uz = (u[:, :, None] * z_rows[:, None, :]).reshape(len(rows), -1)
        scores[rows] += uz @ d_m.T
    return scores
