"""FIML-corrected statistics for the robust RMSEA, CFI and TLI with missing data.

With incomplete data lavaan 0.6-14 computes the ``*.robust`` fit indices of a
FIML fit by the "FIML-corrected" method of Zhang and Savalei (2022, New
computations for RMSEA and CFI following FIML and TS estimation with missing
data; lavaan's ``lav_fit_fiml_corrected``), for ML fits as well as MLR. Its
ingredients, per group and then over groups:

- ``XX3``: the complete-data ML chi-square of the model at its FIML estimates
  against the saturated (EM) moments, ``sum_g N_g F_ML(S_g, Sigma_g)``, on the
  joint moments of ``(y, x)`` (the covariate part cancels: they are equal);
- ``Wm``: the observed information of the saturated model of the incomplete
  data at the EM moments, ``Wc``: the complete-data information at the same
  moments, ``Jm``: the first-order information (cross products of the casewise
  scores), ``Delta``: the Jacobian of the model's moments and
  ``E = Delta' Wm Delta`` (lavaan's observed information in its "h1" form);
  all unit matrices weighted by the group shares ``f_g = N_g / N``;
- with ``P0 = Wm^-1 - Delta E^-1 Delta'`` the trace ``k`` is
  ``tr(Wc P0)`` (version "V6", ML fits) or ``tr(P0 Wc P0 Jm)`` (version "V3",
  fits with a scaled test: MLR, weights, clusters), and ``c_hat3 = k / df``.

The same is done for lavaan's independence baseline at its FIML estimates
(free means and variances of the outcomes): ``XX3_null`` and ``c_hat3_null``.
The moments of the covariates among themselves are fixed and not part of
any matrix (lavaan zeroes and skips them).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import linalg

from ilb_eval.sem.h1 import Saturated, available_moments
from ilb_eval.sem.h1_information import (
    complete_information,
    firstorder_information,
    joint_patterns,
    kept_moments,
    moment_jacobian,
    observed_information,
    vech_indices,
)
from ilb_eval.sem.model import SemModel

__all__ = ["FimlCorrected", "discrepancy", "fiml_corrected", "joint_implied"]


@dataclass(frozen=True)
class FimlCorrected:
    """Ingredients of the robust indices (lavaan's ``XX3``, ``df3``, ``c.hat3``, ...).

    Attributes
    ----------
    xx3, df3, c_hat3
        Complete-data chi-square at the EM moments, its degrees of freedom and
        scaling factor of the model.
    xx3_null, df3_null, c_hat3_null
        The same for the independence baseline model.
    """

    xx3: float
    df3: int
    c_hat3: float
    xx3_null: float
    df3_null: int
    c_hat3_null: float

    @property
    def xx3_scaled(self) -> float:
        """``XX3 / c_hat3``."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.float64(self.xx3) / self.c_hat3)


def discrepancy(
    sample_mean: np.ndarray, sample_cov: np.ndarray, mean: np.ndarray, cov: np.ndarray
) -> float:
    """ML discrepancy ``log|C| - log|S| + tr(S C^-1) - P + (m - mu)' C^-1 (m - mu)``.

    >>> discrepancy(np.zeros(1), np.eye(1), np.zeros(1), np.eye(1))
    0.0
    """
    chol = linalg.cho_factor(cov)
    dev = sample_mean - mean
    inner = linalg.cho_solve(chol, np.column_stack([sample_cov, dev]))
    logdet_c = 2.0 * float(np.sum(np.log(np.diag(chol[0]))))
    logdet_s = float(np.linalg.slogdet(sample_cov)[1])
    size = len(mean)
    return float(logdet_c - logdet_s + np.trace(inner[:, :size]) - size + dev @ inner[:, size])


def joint_implied(
    sigma: np.ndarray, mean_coef: np.ndarray, x_mean: np.ndarray, x_cov: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of ``(y, x)`` from ``y | x ~ N(M z, Sigma)`` and the covariates' moments.

    >>> mean, cov = joint_implied(np.eye(1), np.array([[1.0, 2.0]]), np.zeros(1), np.eye(1))
    >>> mean.tolist(), cov.tolist()
    ([1.0, 0.0], [[5.0, 2.0], [2.0, 1.0]])
    """
    slopes = mean_coef[:, 1:]
    mean = np.concatenate([mean_coef[:, 0] + slopes @ x_mean, x_mean])
    s_yx = slopes @ x_cov
    cov = np.block([[sigma + slopes @ x_cov @ slopes.T, s_yx], [s_yx.T, x_cov]])
    return mean, 0.5 * (cov + cov.T)


def _block_diag(blocks: Sequence[np.ndarray]) -> np.ndarray:
    return linalg.block_diag(*blocks) if blocks else np.zeros((0, 0))


def _baseline_moments(model: SemModel, g: int) -> tuple[np.ndarray, np.ndarray]:
    """FIML estimates of the independence model of group ``g`` as joint moments."""
    data = model.data.groups[g]
    p = data.y.shape[1]
    _, mean_y, var_y = available_moments(data.blocks, p)
    q = data.x.shape[1]
    cov = np.zeros((p + q, p + q))
    cov[:p, :p] = np.diag(var_y)
    cov[p:, p:] = data.x_cov
    return np.concatenate([mean_y, data.x_mean]), cov


def _baseline_selector(p: int, q: int) -> np.ndarray:
    """Columns picking the baseline's parameters (outcome means, variances) among the kept moments."""
    rows, cols = vech_indices(p + q)
    picked = np.concatenate([np.arange(p + q) < p, (rows == cols) & (rows < p)])
    kept = kept_moments(p, q)
    return np.eye(int(kept.sum()))[:, np.flatnonzero(picked[kept])]


def fiml_corrected(
    model: SemModel,
    theta: np.ndarray,
    saturated: Sequence[Saturated],
    df: int,
    baseline_df: int,
    version: Literal["V3", "V6"],
) -> FimlCorrected | None:
    """lavaan's FIML-corrected chi-squares and scaling factors of a fit and its baseline.

    Parameters
    ----------
    model, theta
        The fitted model and its estimates.
    saturated
        The unrestricted (EM) fit of each group.
    df, baseline_df
        Degrees of freedom of the model and of the baseline model.
    version
        ``"V6"`` for ML fits, ``"V3"`` when the fit has a scaled test.

    Returns
    -------
    FimlCorrected or None
        None when a matrix that must be inverted is singular (lavaan then
        reports no robust index).
    """
    states = model.states(theta)
    if states is None:
        return None
    jacobians = model.moment_jacobians(theta)
    n_total = float(sum(g.n_weighted for g in model.data.groups))
    wm, wmi, wc, jm, deltas, selectors = [], [], [], [], [], []
    xx3 = xx3_null = 0.0
    try:
        for g, (data, sat, state, (j_sigma, j_mean)) in enumerate(
            zip(model.data.groups, saturated, states, jacobians, strict=True)
        ):
            p, q = data.y.shape[1], data.x.shape[1]
            share = data.n_weighted / n_total
            kept = kept_moments(p, q)
            em_mean, em_cov = sat.joint_moments(data.x_mean, data.x_cov)
            patterns = joint_patterns(list(data.patterns), p, q)
            w_obs = observed_information(patterns, em_mean, em_cov, data.n_weighted)
            w_obs = w_obs[np.ix_(kept, kept)]
            wm.append(share * w_obs)
            wmi.append(np.linalg.inv(w_obs) / share)
            wc.append(share * complete_information(em_cov)[np.ix_(kept, kept)])
            if version == "V3":
                first = firstorder_information(data, em_mean, em_cov, data.n_weighted)
                jm.append(share * first[np.ix_(kept, kept)])
            deltas.append(
                moment_jacobian(j_sigma, j_mean, state.mean_coef[:, 1:], data.x_mean, data.x_cov)
            )
            selectors.append(_baseline_selector(p, q))
            mean, cov = joint_implied(state.sigma, state.mean_coef, data.x_mean, data.x_cov)
            xx3 += data.n_weighted * discrepancy(em_mean, em_cov, mean, cov)
            base_mean, base_cov = _baseline_moments(model, g)
            xx3_null += data.n_weighted * discrepancy(em_mean, em_cov, base_mean, base_cov)
        wm_all, wmi_all, wc_all = _block_diag(wm), _block_diag(wmi), _block_diag(wc)
        delta = np.vstack(deltas)
        p0 = wmi_all - delta @ np.linalg.solve(delta.T @ wm_all @ delta, delta.T)
        select = _block_diag(selectors)
        p0_null = wmi_all - select @ np.linalg.solve(select.T @ wm_all @ select, select.T)
    except (np.linalg.LinAlgError, ValueError):
        return None
    if version == "V3":
        jm_all = _block_diag(jm)
        trace = float(np.sum((p0 @ wc_all @ p0) * jm_all.T))
        trace_null = float(np.sum((p0_null @ wc_all @ p0_null) * jm_all.T))
    else:
        trace = float(np.sum(wc_all * p0.T))
        trace_null = float(np.sum(wc_all * p0_null.T))
    return FimlCorrected(
        xx3=xx3,
        df3=df,
        c_hat3=trace / df if df > 0 else math.inf,  # lavaan: k / 0 (a saturated model)
        xx3_null=xx3_null,
        df3_null=baseline_df,
        c_hat3_null=trace_null / baseline_df if baseline_df > 0 else np.nan,
    )
