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
a maximum does not depend on the parameterisation. So h1 (and the baseline) are
handled in the moment coordinates of :mod:`ilb_eval.sem.fiml`, with the
moments as their parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from ilb_eval.sem.blocks import vech_positions
from ilb_eval.sem.data import GroupData
from ilb_eval.sem.estimate import observed_vcov
from ilb_eval.sem.fiml import casewise_scores, moment_information
from ilb_eval.sem.h1 import Saturated, available_moments
from ilb_eval.sem.reuse import remembered

__all__ = [
    "RobustParts",
    "meat",
    "robust_parts",
    "sandwich",
    "trace_ratio",
]


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


def _moment_trace(group: GroupData, sigma: np.ndarray, b: np.ndarray, jac: np.ndarray) -> float:
    """``tr(B A^-1)`` of a model whose parameters are the moments that ``jac`` selects."""
    info = jac @ moment_information(sigma, b, group.blocks, observed=True) @ jac.T
    scores = casewise_scores(sigma, b, group.y, group.x, group.blocks, jac)
    if group.weights is not None:
        scores = scores * group.weights[:, None]
    return trace_ratio(-info, meat(scores, group.clusters))


def _h1_trace(group: GroupData, saturated: Saturated) -> float:
    """``tr(B1 A1^-1)`` of the unrestricted model of one group at its estimates."""
    p, k = saturated.b.shape
    return _moment_trace(group, saturated.sigma, saturated.b, np.eye(p * (p + 1) // 2 + p * k))


def _baseline_trace(group: GroupData) -> float:
    """``tr(B0 A0^-1)`` of the independence model of one group at its estimates."""
    p = group.y.shape[1]
    k = 1 + group.x.shape[1]
    _, mean, var = available_moments(group.blocks, p)
    b = np.zeros((p, k))
    b[:, 0] = mean
    n_sigma = p * (p + 1) // 2
    jac = np.zeros((2 * p, n_sigma + p * k))
    jac[np.arange(p), np.diagonal(vech_positions(p))] = 1.0
    jac[p + np.arange(p), n_sigma + np.arange(p) * k] = 1.0
    return _moment_trace(group, np.diag(var), b, jac)


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
