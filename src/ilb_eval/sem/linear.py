"""FIML log-likelihood of a linear covariance structure, with derivatives.

The unrestricted model h1 and lavaan's independence baseline are linear in
their parameters: per group,

``y | x ~ N(D B z, Sigma)``, ``z = [1, x]``, ``Sigma = sum_a c_a A_a``,

with a fixed design ``D`` (p x r), free regression coefficients ``B``
(r x k) and covariance parameters ``c`` multiplying fixed symmetric basis
matrices ``A_a``. For the saturated model ``D = I`` and the basis spans all
symmetric matrices; for the baseline ``D = I``, ``k = 1`` and the basis spans
the diagonal.

Because ``Sigma`` is linear in ``c`` and the mean linear in ``B``, the
gradient, the observed Hessian and the expected information have closed forms
in the pattern sufficient statistics (:mod:`ilb_eval.sem.patterns`). The
local parameter vector of a group is ``[c, vec(B)]`` with ``B`` flattened row
by row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ilb_eval.sem.patterns import Pattern

__all__ = ["LOG_2PI", "Evaluation", "Structure", "evaluate"]

LOG_2PI = float(np.log(2.0 * np.pi))


@dataclass(frozen=True)
class Structure:
    """Fixed parts of one group's linear structure.

    Attributes
    ----------
    basis
        Array (m_c, p, p) of symmetric matrices; ``Sigma = sum_a c_a basis[a]``.
    design
        ``D``, shape (p, r): the mean of y given z is ``D B z``.
    k
        Number of columns of ``B`` (1 + number of covariates).
    """

    basis: np.ndarray
    design: np.ndarray
    k: int

    @property
    def n_cov(self) -> int:
        """Number of covariance parameters ``c``."""
        return int(self.basis.shape[0])

    @property
    def n_local(self) -> int:
        """Length of the local parameter vector ``[c, vec(B)]``."""
        return self.n_cov + self.design.shape[1] * self.k

    def split(self, local: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sigma and B from a local parameter vector."""
        c = local[: self.n_cov]
        sigma = np.tensordot(c, self.basis, axes=1)
        b = local[self.n_cov :].reshape(self.design.shape[1], self.k)
        return sigma, b


@dataclass(frozen=True)
class Evaluation:
    """Log-likelihood and (optionally) its derivatives in the local parameters.

    ``hessian`` is the observed Hessian of the log-likelihood (negative
    definite at a proper maximum); ``information`` the expected information.
    Both are None unless requested; ``logl`` is ``-inf`` when some
    pattern's covariance matrix is not positive definite. With the gradient
    come the derivatives in the model moments: ``d_sigma`` (p x p), the
    derivative in ``Sigma`` (entries taken as independent), and ``d_mean``
    (p x k), the derivative in the mean coefficients ``M = D B``; a model
    whose ``D`` or basis has free entries (a latent time basis) gets its
    gradient from them by the chain rule.
    """

    logl: float
    gradient: np.ndarray | None = None
    hessian: np.ndarray | None = None
    information: np.ndarray | None = None
    d_sigma: np.ndarray | None = None
    d_mean: np.ndarray | None = None


def evaluate(
    structure: Structure, local: np.ndarray, patterns: list[Pattern], order: int = 0
) -> Evaluation:
    """Conditional FIML log-likelihood of one group, summed over patterns.

    Parameters
    ----------
    structure
        The fixed parts of the model.
    local
        Local parameter vector ``[c, vec(B)]``.
    patterns
        Sufficient statistics per missing-data pattern.
    order
        0: log-likelihood only; 1: plus gradient; 2: plus observed Hessian
        and expected information.

    Returns
    -------
    Evaluation

    Examples
    --------
    >>> from ilb_eval.sem.patterns import pattern_stats
    >>> y = np.array([[0.5], [-0.5]]); pats = pattern_stats(y, np.empty((2, 0)))
    >>> st = Structure(basis=np.ones((1, 1, 1)), design=np.eye(1), k=1)
    >>> round(evaluate(st, np.array([0.25, 0.0]), pats).logl, 6)
    -1.451583
    """
    sigma, b = structure.split(local)
    m_c = structure.n_cov
    r, k = b.shape
    logl = 0.0
    if order >= 1:
        grad_c = np.zeros(m_c)
        grad_b = np.zeros((r, k))
        p = sigma.shape[0]
        d_sigma_all = np.zeros((p, p))
        d_mean_all = np.zeros((p, k))
    if order >= 2:
        h_cc = np.zeros((m_c, m_c))
        i_cc = np.zeros((m_c, m_c))
        h_cb = np.zeros((m_c, r * k))
        h_bb = np.zeros((r * k, r * k))
    for pat in patterns:
        o = pat.observed
        n = pat.n
        s_o = sigma[np.ix_(o, o)]
        try:
            chol = np.linalg.cholesky(s_o)
        except np.linalg.LinAlgError:
            return Evaluation(logl=-np.inf)
        inv_chol = np.linalg.inv(chol)
        s_inv = inv_chol.T @ inv_chol
        logdet = 2.0 * float(np.sum(np.log(np.diag(chol))))
        d_o = structure.design[o]
        mean_coef = d_o @ b  # p_o x k
        # residual cross products sum (y - M z) z' and sum (y - M z)(y - M z)',
        # from centred statistics: y - M z = (y - ybar) - M (z - zbar) + dev
        dev = pat.mean_y - mean_coef @ pat.mean_z
        resid_z = pat.czy.T - mean_coef @ pat.czz + n * np.outer(dev, pat.mean_z)
        cross = mean_coef @ pat.czy
        resid_rr = (
            pat.cyy - cross - cross.T + mean_coef @ pat.czz @ mean_coef.T + n * np.outer(dev, dev)
        )
        logl -= 0.5 * (n * len(o) * LOG_2PI + n * logdet + float(np.sum(s_inv * resid_rr)))
        if order == 0:
            continue
        a_o = structure.basis[:, o][:, :, o]
        v = s_inv @ resid_rr  # Sigma^-1 M
        d_sigma = 0.5 * (v @ s_inv - n * s_inv)  # dlogl / dSigma_o
        grad_c += np.einsum("ajk,jk->a", a_o, d_sigma)
        p_mat = d_o.T @ s_inv  # r x p_o
        grad_b += p_mat @ resid_z
        d_sigma_all[np.ix_(o, o)] += d_sigma
        d_mean_all[o] += s_inv @ resid_z
        if order == 1:
            continue
        sa = s_inv @ a_o  # (m_c, p_o, p_o)
        t1 = np.einsum("aij,bji->ab", sa, sa)
        t2 = np.einsum("aij,bji->ab", sa, sa @ v)
        h_cc += 0.5 * n * t1 - t2
        i_cc += 0.5 * n * t1
        h_cb -= np.einsum("ri,aij,jk->ark", p_mat, a_o, s_inv @ resid_z).reshape(m_c, r * k)
        # Kronecker product (P' Sigma^-1 P) x szz, written out (np.kron is slow for small blocks)
        h_bb -= np.multiply.outer(p_mat @ d_o, pat.szz).transpose(0, 2, 1, 3).reshape(r * k, r * k)
    if order == 0:
        return Evaluation(logl=logl)
    gradient = np.concatenate([grad_c, grad_b.ravel()])
    moments = {"d_sigma": d_sigma_all, "d_mean": d_mean_all}
    if order == 1:
        return Evaluation(logl=logl, gradient=gradient, **moments)
    hessian = np.block([[h_cc, h_cb], [h_cb.T, h_bb]])
    information = np.block([[i_cc, np.zeros_like(h_cb)], [np.zeros_like(h_cb.T), -h_bb]])
    return Evaluation(
        logl=logl, gradient=gradient, hessian=hessian, information=information, **moments
    )
