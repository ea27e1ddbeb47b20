"""Information matrices of the saturated normal model in the moments ``(mu, vech Sigma)``.

lavaan's robust fit indices and several fit measures work with the
unrestricted model h1 of *all* observed variables ``v = (y, x)`` of a group,
parameterised by its moments: the vector ``[mu, vech(Sigma)]`` with ``vech``
the lower triangle taken column by column. With fixed covariates
(``fixed.x``) the moments of ``x`` alone (their means, variances and
covariances) are not estimated; lavaan zeroes their rows and columns and
inverts the rest. Here those coordinates are simply dropped: every matrix of
this module lives on the *kept* moments (means of y, covariances of y with y
and with x), :func:`kept_moments`.

All matrices are *unit* matrices (divided by the group's number of persons,
the sum of the weights with sampling weights), as lavaan's:

- :func:`observed_information`: minus the Hessian of the FIML
  log-likelihood of the incomplete data at given moments
  (``lav_mvnorm_missing_information_observed_samplestats``);
- :func:`firstorder_information`: the cross products of the casewise scores
  (summed within clusters, times C/(C-1), when clustered);
- :func:`expected_information`: the expected information of the incomplete
  data given the patterns (lavaan's MCAR-style expected information);
- :func:`complete_information`: the information of complete data with
  covariance ``Sigma``: ``blockdiag(Sigma^-1, D'(Sigma^-1 x Sigma^-1)D / 2)``.

:func:`moment_jacobian` gives ``Delta``, the derivative of the kept joint
moments in the estimated parameters of a model, from the Jacobians of the
conditional moments ``(Sigma | x, M)`` the likelihood works with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from ilb_eval.sem.data import GroupData
from ilb_eval.sem.patterns import Pattern, pattern_rows
from ilb_eval.sem.robust import meat

__all__ = [
    "JointPattern",
    "complete_information",
    "duplication_sandwich",
    "expected_information",
    "firstorder_information",
    "joint_patterns",
    "kept_moments",
    "moment_jacobian",
    "observed_information",
    "vech_indices",
]


@cache
def vech_indices(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of each ``vech`` entry (lower triangle, column by column; read-only).

    >>> rows, cols = vech_indices(3)
    >>> rows.tolist(), cols.tolist()
    ([0, 1, 2, 1, 2, 2], [0, 0, 0, 1, 1, 2])
    """
    cols, rows = np.triu_indices(size)
    rows.setflags(write=False)
    cols.setflags(write=False)
    return rows, cols


def kept_moments(p: int, q: int) -> np.ndarray:
    """Boolean mask of the joint moments ``[mu, vech Sigma]`` of ``(y, x)`` that are modelled.

    The means of the ``q`` covariates and the variances and covariances among
    them are fixed (fixed.x) and dropped; ``p + p(p+1)/2 + pq`` stay.

    >>> int(kept_moments(2, 1).sum()), len(kept_moments(2, 1))
    (7, 9)
    """
    size = p + q
    rows, cols = vech_indices(size)
    return np.concatenate([np.arange(size) < p, (rows < p) | (cols < p)])


def duplication_sandwich(
    left: np.ndarray, right: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """``D' (left x right) D`` for symmetric matrices, on ``vech`` coordinates.

    ``D`` is the duplication matrix (``vec S = D vech S``). Entry
    ``((i, j), (k, l))`` is
    ``[L_jl R_ik + L_jk R_il + L_il R_jk + L_ik R_jl] / ((1 + [i=j]) (1 + [k=l]))``.
    With stacks of matrices (m, s, s) and ``weights`` (m,) the weighted sum
    over the stack is returned (one matrix product for all of them).

    Examples
    --------
    >>> duplication_sandwich(np.eye(2), np.eye(2))
    array([[1., 0., 0.],
           [0., 2., 0.],
           [0., 0., 1.]])
    """
    left = left.reshape(-1, *left.shape[-2:])
    right = right.reshape(-1, *right.shape[-2:])
    size = left.shape[-1]
    w = np.ones(len(left)) if weights is None else np.asarray(weights, dtype=float)
    # products[(a, b), (c, d)] = sum_m w_m L_m[a, b] R_m[c, d]
    products = (left.reshape(len(left), -1) * w[:, None]).T @ right.reshape(len(right), -1)
    rows, cols = vech_indices(size)
    i, j = rows[:, None], cols[:, None]
    k, m = rows[None, :], cols[None, :]
    total = (
        products[j * size + m, i * size + k]
        + products[j * size + k, i * size + m]
        + products[i * size + m, j * size + k]
        + products[i * size + k, j * size + m]
    )
    return total / ((1.0 + (i == j)) * (1.0 + (k == m)))


@dataclass(frozen=True)
class JointPattern:
    """Statistics of one missing-data pattern over all observed variables ``(y, x)``.

    Attributes
    ----------
    observed
        Indices into ``(y, x)`` of the observed variables (covariates always).
    n
        Number (weighted) of persons.
    mean
        Their mean of the observed variables.
    cross
        Centred cross products ``sum w (v - mean)(v - mean)'`` of the observed variables.
    """

    observed: np.ndarray
    n: float
    mean: np.ndarray
    cross: np.ndarray


def joint_patterns(patterns: Sequence[Pattern], p: int, q: int) -> list[JointPattern]:
    """The outcome patterns extended by the (complete) covariates.

    Persons without any observed outcome add a pattern of the covariates only
    (it carries no information on the kept moments but counts in ``n``).
    """
    out = []
    for pat in patterns:
        observed = np.concatenate([pat.observed, p + np.arange(q)])
        mean = np.concatenate([pat.mean_y, pat.mean_z[1:]])
        p_o = len(pat.observed)
        cross = np.empty((p_o + q, p_o + q))
        cross[:p_o, :p_o] = pat.cyy
        cross[p_o:, :p_o] = pat.czy[1:]
        cross[:p_o, p_o:] = pat.czy[1:].T
        cross[p_o:, p_o:] = pat.czz[1:, 1:]
        out.append(JointPattern(observed, float(pat.n), mean, cross))
    return out


def _embedded(inner: np.ndarray, observed: np.ndarray, size: int) -> np.ndarray:
    full = np.zeros((size, size))
    full[np.ix_(observed, observed)] = inner
    return full


def observed_information(
    patterns: Sequence[JointPattern], mean: np.ndarray, cov: np.ndarray, n: float
) -> np.ndarray:
    """Unit observed information of the incomplete data at the moments ``(mean, cov)``.

    Per pattern with ``P`` the inverse of the observed part of ``cov``
    (embedded), ``t = P (m - mu)`` and ``W`` the average cross products about
    ``mu``, the pattern adds ``n_pattern`` times
    ``[[P, B'], [B, D'(P x P(2W - Sigma)P)D / 2]]`` with
    ``B[(i,j), k] = (t_j P_ik + t_i P_jk) / (1 + [i=j])``.

    Parameters
    ----------
    patterns
        Joint patterns (:func:`joint_patterns`).
    mean, cov
        Moments of ``(y, x)`` at which to evaluate.
    n
        Divisor (number of persons of the group, weighted).

    Returns
    -------
    numpy.ndarray
        Square matrix over all ``[mu, vech Sigma]`` coordinates.
    """
    size = len(mean)
    rows, cols = vech_indices(size)
    counts = np.array([pat.n for pat in patterns])
    inverses = np.zeros((len(patterns), size, size))
    middles = np.zeros((len(patterns), size, size))
    shifts = np.zeros((len(patterns), size))
    for index, pat in enumerate(patterns):
        o = pat.observed
        inv = np.linalg.inv(cov[np.ix_(o, o)])
        dev = pat.mean - mean[o]
        w_tilde = (pat.cross + pat.n * np.outer(dev, dev)) / pat.n
        inverses[index][np.ix_(o, o)] = inv
        middles[index][np.ix_(o, o)] = inv @ (2.0 * w_tilde - cov[np.ix_(o, o)]) @ inv
        shifts[index, o] = inv @ dev
    h11 = np.tensordot(counts, inverses, axes=1)
    weighted = shifts * counts[:, None]
    h21 = (
        np.einsum("ma,mak->ak", weighted[:, cols], inverses[:, rows])
        + np.einsum("ma,mak->ak", weighted[:, rows], inverses[:, cols])
    ) / (1.0 + (rows == cols))[:, None]
    h22 = 0.5 * duplication_sandwich(inverses, middles, counts)
    return np.block([[h11, h21.T], [h21, h22]]) / n


def expected_information(patterns: Sequence[JointPattern], cov: np.ndarray, n: float) -> np.ndarray:
    """Unit expected information of the incomplete data given the patterns.

    Per pattern ``n_pattern blockdiag(P, D'(P x P)D / 2)`` with ``P`` the
    embedded inverse of the observed part of ``cov`` (lavaan's
    ``lav_mvnorm_missing_information_expected``).
    """
    size = cov.shape[0]
    rows, _ = vech_indices(size)
    counts = np.array([pat.n for pat in patterns])
    inverses = np.zeros((len(patterns), size, size))
    for index, pat in enumerate(patterns):
        o = pat.observed
        inverses[index][np.ix_(o, o)] = np.linalg.inv(cov[np.ix_(o, o)])
    h11 = np.tensordot(counts, inverses, axes=1)
    h22 = 0.5 * duplication_sandwich(inverses, inverses, counts)
    zeros = np.zeros((size, len(rows)))
    return np.block([[h11, zeros], [zeros.T, h22]]) / n


def complete_information(cov: np.ndarray) -> np.ndarray:
    """Unit information of complete normal data: ``blockdiag(S^-1, D'(S^-1 x S^-1)D / 2)``.

    >>> complete_information(np.array([[2.0]]))
    array([[0.5  , 0.   ],
           [0.   , 0.125]])
    """
    inv = np.linalg.inv(cov)
    vech = duplication_sandwich(inv, inv) * 0.5
    zeros = np.zeros((cov.shape[0], vech.shape[0]))
    return np.block([[inv, zeros], [zeros.T, vech]])


def casewise_scores(group: GroupData, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """Casewise scores of the saturated joint model in ``[mu, vech Sigma]`` (weighted).

    For a person with observed variables ``o`` and ``u = Sigma_oo^-1 (v_o - mu_o)``
    (embedded): ``u`` for the means and ``u_i u_j - P_ij`` (halved on the
    diagonal) for ``vech Sigma``, ``P`` the embedded inverse of ``Sigma_oo``.
    """
    y, x = group.y, group.x
    p, q = y.shape[1], x.shape[1]
    size = p + q
    rows_v, cols_v = vech_indices(size)
    values = np.column_stack([y, x])
    observed = np.column_stack([~np.isnan(y), np.ones_like(x, dtype=bool)])
    scores = np.zeros((len(values), size + len(rows_v)))
    diag = rows_v == cols_v
    for rows, o in pattern_rows(observed):
        inv = np.linalg.inv(cov[np.ix_(o, o)])
        u = np.zeros((len(rows), size))
        u[:, o] = (values[np.ix_(rows, o)] - mean[o]) @ inv
        p_full = _embedded(inv, o, size)
        block = u[:, rows_v] * u[:, cols_v] - p_full[rows_v, cols_v]
        block[:, diag] *= 0.5
        scores[rows, :size] = u
        scores[rows, size:] = block
    if group.weights is not None:
        scores *= group.weights[:, None]
    return scores


def firstorder_information(
    group: GroupData, mean: np.ndarray, cov: np.ndarray, n: float
) -> np.ndarray:
    """Unit first-order information: cross products of the weighted casewise scores / n."""
    return meat(casewise_scores(group, mean, cov), group.clusters) / n


def moment_jacobian(
    j_sigma: np.ndarray,
    j_mean: np.ndarray,
    slopes: np.ndarray,
    x_mean: np.ndarray,
    x_cov: np.ndarray,
) -> np.ndarray:
    """``Delta``: derivatives of the kept joint moments of ``(y, x)`` in the parameters.

    With ``y | x ~ N(M z, Sigma)``, ``M = [m0, Bx]`` and the covariates at
    their sample moments, the joint moments are ``mu_y = m0 + Bx xbar``,
    ``Sigma_yy = Sigma + Bx Sxx Bx'`` and ``Sigma_yx = Bx Sxx``.

    Parameters
    ----------
    j_sigma, j_mean
        ``dSigma`` (n_par, p, p) and ``dM`` (n_par, p, k).
    slopes
        ``Bx`` at the estimates (p x q).
    x_mean, x_cov
        Sample moments of the covariates.

    Returns
    -------
    numpy.ndarray
        (n_kept, n_par), rows in the order of :func:`kept_moments`.
    """
    n_par, p, _ = j_sigma.shape
    q = len(x_mean)
    size = p + q
    d_b = j_mean[:, :, 1:]
    d_mu = j_mean[:, :, 0] + d_b @ x_mean
    cross = d_b @ x_cov @ slopes.T
    d_yy = j_sigma + cross + cross.transpose(0, 2, 1)
    d_yx = d_b @ x_cov
    full = np.zeros((n_par, size, size))
    full[:, :p, :p] = d_yy
    full[:, :p, p:] = d_yx
    full[:, p:, :p] = d_yx.transpose(0, 2, 1)
    rows, cols = vech_indices(size)
    mu = np.concatenate([d_mu, np.zeros((n_par, q))], axis=1)
    delta = np.concatenate([mu, full[:, rows, cols]], axis=1).T
    return delta[kept_moments(p, q)]
