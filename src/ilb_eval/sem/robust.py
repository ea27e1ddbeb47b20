"""Robust inference: the sandwich and the Yuan-Bentler (Mplus variant) scaled test.

lavaan's ``estimator = "MLR"`` with ``missing = "fiml"`` keeps the ML point
estimates and changes two things:

- standard errors from the sandwich ``A^-1 B A^-1``, with ``A`` the observed
  information (minus the Hessian of the log-likelihood) and ``B`` the cross
  products of the casewise scores (each person's gradient, multiplied by the
  person's sampling weight); with clusters the scores are first summed
  within each cluster and ``B`` is multiplied by ``C / (C - 1)`` (C clusters
  in the group);
- the test statistic divided by the scaling factor

  ``c = [sum_g tr(B1_g A1_g^-1) - tr(B0 A0^-1)] / df``,

  where ``A1_g``/``B1_g`` are the observed and the first-order information of
  the unrestricted model h1 of group g at its estimates and ``A0``/``B0`` those
  of the fitted model at its estimates.

With fixed covariates lavaan masks the covariate moments of h1; the remaining
moments are a one-to-one reparameterisation of the conditional h1 parameters
used here (coefficients and residual covariance), and a trace ``tr(B A^-1)`` at
a maximum does not depend on the parameterisation. So h1 is handled with the
conditional likelihood of :mod:`ilb_eval.sem.linear`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from ilb_eval.sem.data import GroupData
from ilb_eval.sem.estimate import observed_vcov
from ilb_eval.sem.h1 import Saturated, available_moments, saturated_structure
from ilb_eval.sem.linear import Structure, evaluate
from ilb_eval.sem.patterns import pattern_rows, pattern_stats
from ilb_eval.sem.reuse import remembered

__all__ = [
    "RobustParts",
    "linear_scores",
    "meat",
    "robust_parts",
    "sandwich",
    "trace_ratio",
]


def linear_scores(
    structure: Structure, local: np.ndarray, y: np.ndarray, x: np.ndarray
) -> np.ndarray:
    """Casewise scores of a linear structure (h1 or baseline), unweighted.

    For a person with observed outcomes ``o``, residual ``r = y_o - D_o B z`` and
    ``u = Sigma_oo^-1 r``, the score of ``c_a`` is ``(u' A_a u - tr(Sigma_oo^-1 A_a)) / 2``
    and that of ``B`` is ``D_o' u z'``. Rows without an observed outcome score 0.

    Examples
    --------
    >>> st = Structure(basis=np.ones((1, 1, 1)), design=np.eye(1), k=1)
    >>> linear_scores(st, np.array([0.25, 0.0]), np.array([[0.5], [-0.5]]), np.empty((2, 0)))
    array([[ 0.,  2.],
           [ 0., -2.]])
    """
    sigma, b = structure.split(local)
    n = y.shape[0]
    m_c = structure.n_cov
    z = np.column_stack([np.ones(n), x])
    scores = np.zeros((n, structure.n_local))
    for rows, o in pattern_rows(~np.isnan(y)):
        if o.size == 0:
            continue
        s_inv = np.linalg.inv(sigma[np.ix_(o, o)])
        d_o = structure.design[o]
        z_rows = z[rows]
        resid = y[np.ix_(rows, o)] - z_rows @ (d_o @ b).T
        u = resid @ s_inv
        a_o = structure.basis[:, o][:, :, o]
        trace = np.einsum("ajk,kj->a", a_o, s_inv)
        quad = np.einsum("iak,ik->ia", np.einsum("ij,ajk->iak", u, a_o), u)
        scores[rows, :m_c] = 0.5 * (quad - trace)
        scores[rows, m_c:] = ((u @ d_o)[:, :, None] * z_rows[:, None, :]).reshape(len(rows), -1)
    return scores


def meat(scores: np.ndarray, clusters: np.ndarray | None = None) -> np.ndarray:
    """``B``: cross products of the scores, summed within clusters when given.

    Examples
    --------
    >>> s = np.array([[1.0], [-1.0], [2.0]])
    >>> meat(s), meat(s, np.array([0, 0, 1]))
    (array([[6.]]), array([[8.]]))
    """
    if clusters is None:
        return scores.T @ scores
    summed = np.zeros((int(clusters.max()) + 1, scores.shape[1]))
    np.add.at(summed, clusters, scores)
    n_clusters = summed.shape[0]
    return summed.T @ summed * (n_clusters / (n_clusters - 1.0))


def sandwich(hessian: np.ndarray, meat_matrix: np.ndarray) -> np.ndarray:
    """``A^-1 B A^-1`` with ``A = -hessian`` (all NaN when ``A`` is singular).

    Examples
    --------
    >>> sandwich(np.array([[-2.0]]), np.array([[6.0]]))
    array([[1.5]])
    """
    a_inv, _ = observed_vcov(hessian)
    return a_inv @ meat_matrix @ a_inv


def trace_ratio(hessian: np.ndarray, meat_matrix: np.ndarray) -> float:
    """``tr(B A^-1)`` with ``A = -hessian``; NaN when ``A`` is singular.

    Examples
    --------
    >>> trace_ratio(np.array([[-2.0]]), np.array([[6.0]]))
    3.0
    """
    a_inv, _ = observed_vcov(hessian)
    return float(np.sum(meat_matrix * a_inv))


def _weighted(scores: np.ndarray, group: GroupData) -> np.ndarray:
    return scores if group.weights is None else scores * group.weights[:, None]


def _h1_trace(group: GroupData, saturated: Saturated) -> float:
    """``tr(B1 A1^-1)`` of the unrestricted model of one group at its estimates."""
    p = group.y.shape[1]
    structure = saturated_structure(p, 1 + group.x.shape[1])
    local = np.concatenate([saturated.sigma[np.triu_indices(p)], saturated.b.ravel()])
    hessian = evaluate(structure, local, list(group.patterns), 2).hessian
    assert hessian is not None
    scores = _weighted(linear_scores(structure, local, group.y, group.x), group)
    return trace_ratio(hessian, meat(scores, group.clusters))


def _baseline_trace(group: GroupData) -> float:
    """``tr(B0 A0^-1)`` of the independence model of one group at its estimates."""
    y = group.y
    p = y.shape[1]
    structure = Structure(basis=np.array([np.diag(e) for e in np.eye(p)]), design=np.eye(p), k=1)
    none = np.empty((y.shape[0], 0))
    patterns = pattern_stats(y, none, group.weights)
    _, mean, var = available_moments(patterns, p)
    local = np.concatenate([var, mean])
    evaluation = evaluate(structure, local, patterns, 2)
    assert evaluation.hessian is not None
    scores = _weighted(linear_scores(structure, local, y, none), group)
    return trace_ratio(evaluation.hessian, meat(scores, group.clusters))


@dataclass(frozen=True)
class RobustParts:
    """Sandwich covariance and Yuan-Bentler (Mplus) scaling factors of one fit.

    Attributes
    ----------
    vcov
        Sandwich covariance of the estimated parameters (NaN when ``A`` is singular).
    scaling_factor
        Scaling factor of the model test (NaN when df = 0).
    baseline_scaling_factor
        Scaling factor of the independence baseline model's test.
    trace_h1, trace_h0
        ``sum_g tr(B1 A1^-1)`` and ``tr(B0 A0^-1)`` (lavaan's
        ``scaling.factor.h1``/``h0`` times the degrees of freedom they refer to).
    """

    vcov: np.ndarray
    scaling_factor: float
    baseline_scaling_factor: float
    trace_h1: float
    trace_h0: float


def robust_parts(
    scores: np.ndarray,
    hessian: np.ndarray,
    groups: Sequence[GroupData],
    saturated: Sequence[Saturated],
    df: int,
    baseline_df: int,
) -> RobustParts:
    """Sandwich covariance and scaling factors.

    Parameters
    ----------
    scores
        Weighted casewise scores of the fitted model (n, npar), groups stacked
        in group order.
    hessian
        Hessian of the total log-likelihood in the same parameters.
    groups, saturated
        Per group: data and the unrestricted (h1) fit of that data (the h1 and
        baseline traces are remembered per data, :mod:`~ilb_eval.sem.reuse`).
    df, baseline_df
        Degrees of freedom of the model and of the baseline model.
    """
    blocks = np.cumsum([0, *[g.n for g in groups]])
    b0 = sum(
        meat(scores[blocks[i] : blocks[i + 1]], g.clusters) for i, g in enumerate(groups)
    )
    b0 = np.asarray(b0, dtype=float).reshape(scores.shape[1], scores.shape[1])
    vcov = sandwich(hessian, b0)
    trace_h1 = sum(remembered("h1_trace", g, partial(_h1_trace, g, s))
                   for g, s in zip(groups, saturated, strict=True))
    trace_h0 = trace_ratio(hessian, b0)
    trace_base = sum(remembered("baseline_trace", g, partial(_baseline_trace, g)) for g in groups)
    factor = (trace_h1 - trace_h0) / df if df > 0 else np.nan
    base_factor = (trace_h1 - trace_base) / baseline_df if baseline_df > 0 else np.nan
    return RobustParts(
        vcov=vcov,
        scaling_factor=float(factor) if factor > 0 else np.nan,
        baseline_scaling_factor=float(base_factor) if base_factor > 0 else np.nan,
        trace_h1=float(trace_h1),
        trace_h0=float(trace_h0),
    )
