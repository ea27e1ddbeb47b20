"""Robust (MLR) inference: Huber-White sandwich and the Yuan-Bentler scaled test.

lavaan's ``estimator = "MLR"`` with ``missing = "fiml"`` keeps the ML point
estimates and changes two things:

- standard errors from the sandwich ``A^-1 B A^-1``, with ``A`` the observed
  information (minus the Hessian of the log-likelihood) and ``B`` the sum of
  the outer products of the casewise scores (each person's gradient of the
  log-likelihood);
- the test statistic divided by the Yuan-Bentler scaling factor in its Mplus
  variant (lavaan's ``test = "yuan.bentler.mplus"``)

  ``c = [sum_g tr(B1_g A1_g^-1) - tr(B0 A0^-1)] / df``,

  where ``A1_g``/``B1_g`` are the observed and the first-order information of
  the unrestricted model h1 of group g at its estimates and ``A0``/``B0`` those
  of the fitted model at its estimates.

With fixed covariates lavaan masks the covariate moments of h1; the remaining
moments (outcome means, covariances, outcome-covariate covariances) are a
one-to-one reparameterisation of the conditional h1 parameters used here (the
coefficients ``B`` and the residual covariance), and a trace ``tr(B A^-1)``
at a maximum does not depend on the parameterisation. So everything is
computed with the conditional likelihood of :mod:`ilb_eval.growth.likelihood`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ilb_eval.growth.likelihood import Structure, evaluate
from ilb_eval.growth.optimize import observed_vcov
from ilb_eval.growth.patterns import Pattern, pattern_rows, pattern_stats
from ilb_eval.growth.saturated import Saturated, saturated_structure

__all__ = [
    "GroupInput",
    "MLRParts",
    "casewise_scores",
    "mlr_parts",
    "sandwich_vcov",
    "scaled_fit_measures",
    "trace_ratio",
]


def casewise_scores(
    structure: Structure, local: np.ndarray, y: np.ndarray, x: np.ndarray
) -> np.ndarray:
    """Each person's gradient of the conditional log-likelihood (local parameters).

    Vectorised within each missing-data pattern: for a person with observed
    outcomes ``o``, residual ``r = y_o - D_o B z`` and ``u = Sigma_oo^-1 r``,
    the score of ``c_a`` is ``(u' A_a u - tr(Sigma_oo^-1 A_a)) / 2`` and that
    of ``B`` is ``D_o' u z'``.

    Parameters
    ----------
    structure
        The linear structure (growth model or saturated model).
    local
        Local parameter vector ``[c, vec(B)]`` of the group.
    y
        Outcomes (n, p), NaN where missing; every row has an observed value.
    x
        Covariates (n, q), complete.

    Returns
    -------
    numpy.ndarray
        Scores (n, n_local); their column sums are the gradient.

    Examples
    --------
    >>> st = Structure(basis=np.ones((1, 1, 1)), design=np.eye(1), k=1)
    >>> casewise_scores(st, np.array([0.25, 0.0]), np.array([[0.5], [-0.5]]), np.empty((2, 0)))
    array([[ 0.,  2.],
           [ 0., -2.]])
    """
    sigma, b = structure.split(local)
    n = y.shape[0]
    m_c = structure.n_cov
    z = np.column_stack([np.ones(n), x])
    scores = np.empty((n, structure.n_local))
    for rows, o in pattern_rows(~np.isnan(y)):
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


def sandwich_vcov(hessian: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Huber-White covariance ``A^-1 B A^-1`` of the estimates.

    Parameters
    ----------
    hessian
        Hessian of the total log-likelihood (``A = -hessian``).
    scores
        Casewise scores (n, npar) in the same parameters.

    Returns
    -------
    numpy.ndarray
        The sandwich covariance; all NaN when ``A`` is singular or not
        positive definite.

    Examples
    --------
    >>> s = np.array([[1.0], [-1.0], [2.0]])
    >>> sandwich_vcov(np.array([[-2.0]]), s)
    array([[1.5]])
    """
    a_inv, _ = observed_vcov(hessian)
    meat = scores.T @ scores
    return a_inv @ meat @ a_inv


def trace_ratio(hessian: np.ndarray, scores: np.ndarray) -> float:
    """``tr(B A^-1)`` with ``A = -hessian`` and ``B`` the scores' cross products.

    One term of the Yuan-Bentler (Mplus) trace; NaN when ``A`` is singular.

    Examples
    --------
    >>> trace_ratio(np.array([[-2.0]]), np.array([[1.0], [-1.0], [2.0]]))
    3.0
    """
    a_inv, _ = observed_vcov(hessian)
    return float(np.sum((scores.T @ scores) * a_inv))


@dataclass(frozen=True)
class GroupInput:
    """What the robust computations need of one group."""

    y: np.ndarray
    x: np.ndarray
    patterns: list[Pattern]
    saturated: Saturated


@dataclass(frozen=True)
class MLRParts:
    """Sandwich covariance and Yuan-Bentler (Mplus) scaling factors of one fit.

    Attributes
    ----------
    vcov
        Sandwich covariance of the free parameters (NaN when ``A`` is singular).
    scaling_factor
        Scaling factor of the model test (NaN when df = 0).
    baseline_scaling_factor
        Scaling factor of the independence baseline model's test.
    """

    vcov: np.ndarray
    scaling_factor: float
    baseline_scaling_factor: float


def _h1_trace(p: int, group: GroupInput) -> float:
    """``tr(B1 A1^-1)`` of the unrestricted model of one group at its estimates."""
    structure = saturated_structure(p, 1 + group.x.shape[1])
    sat = group.saturated
    local = np.concatenate([sat.sigma[np.triu_indices(p)], sat.b.ravel()])
    hessian = evaluate(structure, local, group.patterns, 2).hessian
    assert hessian is not None
    return trace_ratio(hessian, casewise_scores(structure, local, group.y, group.x))


def _baseline_trace(p: int, group: GroupInput) -> float:
    """``tr(B0 A0^-1)`` of the independence model of one group at its estimates."""
    structure = Structure(basis=np.array([np.diag(e) for e in np.eye(p)]), design=np.eye(p), k=1)
    y = group.y
    none = np.empty((y.shape[0], 0))
    local = np.concatenate([np.nanvar(y, axis=0), np.nanmean(y, axis=0)])
    evaluation = evaluate(structure, local, pattern_stats(y, none), 2)
    assert evaluation.hessian is not None
    return trace_ratio(evaluation.hessian, casewise_scores(structure, local, y, none))


def mlr_parts(
    scores: np.ndarray,
    groups: Sequence[GroupInput],
    hessian: np.ndarray,
    df: int,
    baseline_df: int,
) -> MLRParts:
    """Sandwich covariance and Yuan-Bentler (Mplus variant) scaling factors.

    Parameters
    ----------
    scores
        Casewise scores of the fitted model in its free parameters (n, npar),
        the persons of all groups stacked.
    groups
        Per group: data, patterns and the unrestricted (h1) fit.
    hessian
        Hessian of the total log-likelihood in the free parameters.
    df, baseline_df
        Degrees of freedom of the model and of the baseline model.

    Returns
    -------
    MLRParts
    """
    p = groups[0].y.shape[1]
    vcov = sandwich_vcov(hessian, scores)
    trace_h1 = sum(_h1_trace(p, g) for g in groups)
    trace_h0 = trace_ratio(hessian, scores)
    trace_base = sum(_baseline_trace(p, g) for g in groups)
    factor = (trace_h1 - trace_h0) / df if df > 0 else np.nan
    base_factor = (trace_h1 - trace_base) / baseline_df if baseline_df > 0 else np.nan
    return MLRParts(
        vcov=vcov,
        scaling_factor=float(factor) if factor > 0 else np.nan,
        baseline_scaling_factor=float(base_factor) if base_factor > 0 else np.nan,
    )


def scaled_fit_measures(fit: Mapping[str, float], parts: MLRParts, groups: int) -> dict[str, float]:
    """lavaan's scaled test and fit measures from the ML ones and the scaling factors.

    Returns chisq_scaled, df_scaled, pvalue_scaled, chisq_scaling_factor,
    baseline_chisq_scaled, baseline_chisq_scaling_factor, cfi_scaled,
    tli_scaled and rmsea_scaled (lavaan's "scaled" versions: the ML formulas
    with the scaled statistics; RMSEA with N and sqrt(G) as the ML RMSEA).

    Examples
    --------
    >>> fit = {"chisq": 8.0, "df": 4, "baseline_chisq": 400.0, "baseline_df": 6,
    ...        "ntotal": 200}
    >>> parts = MLRParts(np.zeros((0, 0)), 2.0, 1.0)
    >>> out = scaled_fit_measures(fit, parts, groups=1)
    >>> out["chisq_scaled"], out["cfi_scaled"], out["rmsea_scaled"]
    (4.0, 1.0, 0.0)
    """
    df, base_df = int(fit["df"]), int(fit["baseline_df"])
    n = float(fit["ntotal"])
    chisq = float(fit["chisq"]) / parts.scaling_factor
    base = float(fit["baseline_chisq"]) / parts.baseline_scaling_factor
    t1 = max(chisq - df, 0.0)
    t2 = max(chisq - df, base - base_df, 0.0)
    cfi = 1.0 if t1 == 0.0 and t2 == 0.0 else 1.0 - t1 / t2
    if df > 0 and base_df > 0:
        tli = (base / base_df - chisq / df) / (base / base_df - 1.0)
        rmsea = float(np.sqrt(max(chisq / (n * df) - 1.0 / n, 0.0)) * np.sqrt(groups))
    else:
        tli = rmsea = np.nan
    pvalue = float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan
    return {
        "chisq_scaled": chisq,
        "df_scaled": df,
        "pvalue_scaled": pvalue,
        "chisq_scaling_factor": parts.scaling_factor,
        "baseline_chisq_scaled": base,
        "baseline_chisq_scaling_factor": parts.baseline_scaling_factor,
        "cfi_scaled": float(cfi) if np.isfinite(chisq) else np.nan,
        "tli_scaled": float(tli),
        "rmsea_scaled": rmsea,
    }
