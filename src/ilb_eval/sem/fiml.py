"""The FIML log-likelihood of the outcomes given the covariates, in the model moments.

Every model the engine fits implies, per group, a normal distribution of the
outcomes ``y`` given the fixed covariates ``x`` (lavaan's ``fixed.x = TRUE``):

``y | x ~ N(M z, Sigma)``, ``z = [1, x]``,

with ``M`` (p x k) the intercepts and reduced-form slopes and ``Sigma`` (p x p)
the conditional covariance matrix. With missing outcomes a person contributes
the density of the observed part ``y_o`` (full-information ML). This module
gives the log-likelihood and its gradient in ``Sigma`` and ``M``, and the
expected and the observed information and the casewise scores in the *moment
coordinates*: the distinct entries of ``Sigma`` in vech order (upper triangle
row by row, :func:`~ilb_eval.sem.blocks.vech_positions`) followed by the p*k
entries of ``M``. The chain rule to the model parameters (``J I J'`` with ``J``
the derivative of the moment coordinates) is the caller's
(:mod:`ilb_eval.sem.model`). Patterns are processed in stacked blocks
(:mod:`ilb_eval.sem.blocks`).

lavaan reports exactly this log-likelihood: with fixed covariates the joint
log-likelihood of ``(y, x)`` minus that of ``x`` at its sample moments.

Per pattern, with ``P = Sigma_oo^-1``, ``R = sum w r r'`` (``r = y_o - M_o z``),
``Rz = sum w r z'``, ``Q = P R P``, the log-likelihood is
``-1/2 [n p_o log 2pi + n log|Sigma_oo| + tr(P R)]`` and its second derivatives
in two symmetric perturbations ``A``, ``B`` of ``Sigma`` and ``C``, ``D`` of ``M`` are
``n/2 tr(PAPB) - tr(PAPBPR)`` (symmetrised), ``-<P A P Rz, D>`` and ``-<P C Szz, D>``.
For the distinct entries ``(a, b)``, ``(c, d)`` of ``Sigma`` (each summed over its
two positions, halved on the diagonal) minus the first becomes
``[P_bc Q_ad + P_ad Q_bc + P_bd Q_ac + P_ac Q_bd - n (P_ad P_bc + P_ac P_bd)] / (d_ab d_cd)``
with ``d = 2`` on the diagonal; its expectation ``n (P_ad P_bc + P_ac P_bd) / (d_ab d_cd)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ilb_eval.sem.blocks import PatternBlock, scatter, vech_positions

__all__ = [
    "LOG_2PI",
    "MomentEvaluation",
    "casewise_scores",
    "moment_information",
    "moment_logl",
    "sigma_gradient_vech",
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


@dataclass(frozen=True)
class _BlockTerms:
    p_inv: np.ndarray  # (nb, po, po)
    logdet: np.ndarray  # (nb,)
    resid_rr: np.ndarray  # (nb, po, po)
    resid_z: np.ndarray  # (nb, po, k)


def _terms(sigma: np.ndarray, mean_coef: np.ndarray, block: PatternBlock) -> _BlockTerms | None:
    """Inverse, log-determinant and residual cross products of every pattern of a block."""
    obs = block.obs
    s_o = sigma[obs[:, :, None], obs[:, None, :]]
    try:
        chol = np.linalg.cholesky(s_o)
    except np.linalg.LinAlgError:
        return None
    inv_chol = np.linalg.inv(chol)
    p_inv = np.swapaxes(inv_chol, 1, 2) @ inv_chol
    logdet = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    m_o = mean_coef[obs]  # (nb, po, k)
    n = block.n
    dev = block.mean_y - np.einsum("bpk,bk->bp", m_o, block.mean_z)
    cross = m_o @ block.czy  # (nb, po, po)
    resid_rr = (
        block.cyy - cross - np.swapaxes(cross, 1, 2) + m_o @ block.czz @ np.swapaxes(m_o, 1, 2)
        + n[:, None, None] * dev[:, :, None] * dev[:, None, :]
    )  # fmt: skip
    resid_z = (
        np.swapaxes(block.czy, 1, 2) - m_o @ block.czz
        + n[:, None, None] * dev[:, :, None] * block.mean_z[:, None, :]
    )  # fmt: skip
    return _BlockTerms(p_inv, logdet, resid_rr, resid_z)


def moment_logl(
    sigma: np.ndarray, mean_coef: np.ndarray, blocks: Sequence[PatternBlock], order: int = 0
) -> MomentEvaluation:
    """FIML log-likelihood of one group at the moments ``(sigma, mean_coef)``.

    Parameters
    ----------
    sigma
        Conditional covariance matrix of the outcomes (p x p).
    mean_coef
        ``M`` (p x k): column 0 the intercepts, the others the slopes on ``x``.
    blocks
        Pattern blocks of the group.
    order
        0: log-likelihood only; 1: plus ``d_sigma`` and ``d_mean``.

    Returns
    -------
    MomentEvaluation

    Examples
    --------
    >>> from ilb_eval.sem.blocks import pattern_blocks
    >>> from ilb_eval.sem.patterns import pattern_stats
    >>> blocks = pattern_blocks(pattern_stats(np.array([[0.5], [-0.5]]), np.empty((2, 0))), 1)
    >>> round(moment_logl(np.array([[0.25]]), np.zeros((1, 1)), blocks).logl, 6)
    -1.451583
    """
    p, k = mean_coef.shape
    logl = 0.0
    d_sigma = np.zeros(p * p) if order >= 1 else None
    d_mean = np.zeros(p * k) if order >= 1 else None
    for block in blocks:
        terms = _terms(sigma, mean_coef, block)
        if terms is None:
            return MomentEvaluation(logl=-np.inf)
        n = block.n
        trace = np.einsum("bij,bji->b", terms.p_inv, terms.resid_rr)
        logl -= 0.5 * float(np.sum(n * block.size * LOG_2PI + n * terms.logdet + trace))
        if order >= 1:
            assert d_sigma is not None and d_mean is not None
            v = terms.p_inv @ terms.resid_rr @ terms.p_inv
            grad_s = 0.5 * (v - n[:, None, None] * terms.p_inv)
            obs = block.obs
            d_sigma += scatter(obs[:, :, None] * p + obs[:, None, :], grad_s, p * p)
            grad_m = terms.p_inv @ terms.resid_z
            d_mean += scatter(obs[:, :, None] * k + np.arange(k), grad_m, p * k)
    if order == 0:
        return MomentEvaluation(logl=logl)
    assert d_sigma is not None and d_mean is not None
    return MomentEvaluation(logl=logl, d_sigma=d_sigma.reshape(p, p), d_mean=d_mean.reshape(p, k))


def moment_information(
    sigma: np.ndarray,
    mean_coef: np.ndarray,
    blocks: Sequence[PatternBlock],
    *,
    observed: bool,
) -> np.ndarray:
    """Information in the moment coordinates (vech of ``Sigma``, then the entries of ``M``).

    ``observed=False``: the expected (Fisher) information; ``observed=True``:
    minus the Hessian of the log-likelihood (see the module docstring). The
    chain rule ``J I J'`` with ``J`` the derivative of the moment coordinates in
    the model parameters gives the information in the parameters (for the
    observed one up to the term with the moments' second derivatives).

    Returns
    -------
    numpy.ndarray
        Square matrix of size p (p + 1) / 2 + p k.
    """
    p, k = mean_coef.shape
    size = p * (p + 1) // 2 + p * k
    info = np.zeros(size * size)
    for block in blocks:
        terms = _terms(sigma, mean_coef, block)
        assert terms is not None
        pinv = terms.p_inv
        a, b = block.pairs
        scale = block.diagonal_scale[:, None] * block.diagonal_scale[None, :]
        p_ac = pinv[:, a[:, None], a[None, :]]
        p_bd = pinv[:, b[:, None], b[None, :]]
        p_ad = pinv[:, a[:, None], b[None, :]]
        p_bc = pinv[:, b[:, None], a[None, :]]
        ss = block.n[:, None, None] * (p_ad * p_bc + p_ac * p_bd)
        if observed:
            q = pinv @ terms.resid_rr @ pinv
            q_ac = q[:, a[:, None], a[None, :]]
            q_bd = q[:, b[:, None], b[None, :]]
            q_ad = q[:, a[:, None], b[None, :]]
            q_bc = q[:, b[:, None], a[None, :]]
            ss = p_bc * q_ad + p_ad * q_bc + p_bd * q_ac + p_ac * q_bd - ss
        info += np.bincount(block.sigma_sigma_index, (ss * scale).ravel(), size * size)
        # M-M: P_ij Szz_rs (the same expected and observed)
        mm = np.einsum("bij,brs->birjs", pinv, block.szz)
        info += np.bincount(block.mean_mean_index, mm.ravel(), size * size)
        if observed:  # Sigma-M: (P_ja (P Rz)_bs + P_jb (P Rz)_as) / d_ab, both orders
            prz = pinv @ terms.resid_z  # (nb, po, k)
            sm = (pinv[:, a, :, None] * prz[:, b, None, :] + pinv[:, b, :, None] * prz[:, a, None, :])
            sm = (sm * block.diagonal_scale[None, :, None, None]).ravel()
            rows, cols = block.sigma_mean_index
            info += np.bincount(rows, sm, size * size) + np.bincount(cols, sm, size * size)
    info = info.reshape(size, size)
    return 0.5 * (info + info.T)


def sigma_gradient_vech(d_sigma: np.ndarray) -> np.ndarray:
    """``dlogl / dvech(Sigma)`` from ``dlogl / dSigma`` with entries taken as independent.

    Examples
    --------
    >>> sigma_gradient_vech(np.array([[1.0, 2.0], [2.0, 3.0]]))
    array([1., 4., 3.])
    """
    rows, cols = np.triu_indices(d_sigma.shape[0])
    return np.where(rows == cols, 1.0, 2.0) * d_sigma[rows, cols]


def casewise_scores(
    sigma: np.ndarray,
    mean_coef: np.ndarray,
    y: np.ndarray,
    x: np.ndarray,
    blocks: Sequence[PatternBlock],
    jacobian: np.ndarray,
) -> np.ndarray:
    """Each person's gradient of the log-likelihood (unweighted) in the Jacobian's parameters.

    For a person with observed outcomes ``o``, residual ``r = y_o - M_o z`` and
    ``u = Sigma_oo^-1 r``: ``dl/dSigma_oo = (u u' - Sigma_oo^-1) / 2`` and
    ``dl/dM_o = u z'``; contracted with the Jacobian of the moments.

    Parameters
    ----------
    jacobian
        (n_par, p (p + 1) / 2 + p k): derivative of the moment coordinates in
        the parameters.

    Returns
    -------
    numpy.ndarray
        (n, n_par) scores; rows without observed outcomes score 0. With
        sampling weights the caller multiplies each row by its weight.
    """
    n_rows = y.shape[0]
    p, k = mean_coef.shape
    n_par = jacobian.shape[0]
    z = np.column_stack([np.ones(n_rows), x])
    scores = np.zeros((n_rows, n_par))
    n_sigma = p * (p + 1) // 2
    jac_s = jacobian[:, vech_positions(p)]  # (n_par, p, p), symmetric
    jac_m = jacobian[:, n_sigma:].reshape(n_par, p, k)
    for block in blocks:
        for o, rows in zip(block.obs, block.rows, strict=True):
            s_inv = np.linalg.inv(sigma[np.ix_(o, o)])
            z_rows = z[rows]
            resid = y[np.ix_(rows, o)] - z_rows @ mean_coef[o].T
            u = resid @ s_inv
            d_s = jac_s[:, o][:, :, o].reshape(n_par, -1)
            outer = (u[:, :, None] * u[:, None, :]).reshape(len(rows), -1)
            scores[rows] = 0.5 * (outer @ d_s.T - (s_inv.reshape(-1) @ d_s.T)[None, :])
            d_m = jac_m[:, o].reshape(n_par, -1)
            uz = (u[:, :, None] * z_rows[:, None, :]).reshape(len(rows), -1)
            scores[rows] += uz @ d_m.T
    return scores
