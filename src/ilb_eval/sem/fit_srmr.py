"""Residual-based fit measures: RMR, SRMR (Bentler's and Mplus's) and CRMR, as lavaan.

Residuals compare the unrestricted (EM, h1) moments ``(m, S)`` of all observed
variables of a group, covariates included, with the model-implied ``(mu, Sigma)``;
each measure is a root mean square per group, averaged over groups with
weights ``N_g / N``. ``P`` variables give ``P* = P(P+1)/2`` covariance
elements (diagonal included).

- RMR: raw residuals ``S - Sigma`` (``vech``) and ``m - mu``; ``rmr_nomean``
  divides by ``P*``, ``rmr`` by ``P + P*``.
- SRMR (Bentler, lavaan's default ``srmr``): observed and implied moments
  both divided by the *observed* standard deviations (``S_ij / (s_i s_j)``,
  ``m_i / s_i``) before taking the difference.
- CRMR (Bollen): observed moments scaled by the observed and implied
  covariances by the implied standard deviations (a difference of
  correlations; implied means by the observed ones); the zero diagonal is
  not counted: ``P* - P`` (and ``P*`` with the means).
- SRMR as Mplus: correlation residuals below the diagonal, the relative
  variance residuals ``(S_ii - Sigma_ii) / S_ii`` and the mean residuals
  ``m_i / s_i - mu_i / sigma_i``, divided by ``P*`` (+ ``P`` with means).

lavaan leaves a moment whose absolute value is below 1e-5 unscaled when it
standardizes it; this is copied.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["residual_measures"]

Moments = tuple[np.ndarray, np.ndarray]
_NEAR_ZERO = 1e-5


def _scale(mean: np.ndarray, cov: np.ndarray, sd_cov: np.ndarray, sd_mean: np.ndarray) -> Moments:
    scale_cov = np.outer(sd_cov, sd_cov)
    scale_cov = np.where(np.abs(cov) < _NEAR_ZERO, 1.0, scale_cov)
    scale_mean = np.where(np.abs(mean) < _NEAR_ZERO, 1.0, sd_mean)
    return mean / scale_mean, cov / scale_cov


def _rms(values: np.ndarray, count: int) -> float:
    return float(np.sqrt(np.sum(values**2) / count)) if count else 0.0


def _group_measures(observed: Moments, implied: Moments) -> dict[str, float]:
    m, s = observed
    mu, sigma = implied
    size = len(m)
    lower = np.tril_indices(size)
    strict = np.tril_indices(size, -1)
    pstar = size * (size + 1) // 2
    sd_obs = np.sqrt(np.diag(s))
    sd_imp = np.sqrt(np.diag(sigma))
    out = {}
    # raw residuals
    mean_res, cov_res = m - mu, (s - sigma)[lower]
    out["rmr"] = _rms(np.concatenate([mean_res, cov_res]), size + pstar)
    out["rmr_nomean"] = _rms(cov_res, pstar)
    # Bentler: both scaled by the observed standard deviations
    om, oc = _scale(m, s, sd_obs, sd_obs)
    em, ec = _scale(mu, sigma, sd_obs, sd_obs)
    mean_res, cov_res = om - em, (oc - ec)[lower]
    out["srmr_bentler"] = _rms(np.concatenate([mean_res, cov_res]), size + pstar)
    out["srmr_bentler_nomean"] = _rms(cov_res, pstar)
    # Bollen: implied covariances scaled by the implied standard deviations
    em, ec = _scale(mu, sigma, sd_imp, sd_obs)
    mean_res, cov_res = om - em, (oc - ec)[lower]
    out["crmr"] = _rms(np.concatenate([mean_res, cov_res]), pstar)
    out["crmr_nomean"] = _rms(cov_res, pstar - size)
    # Mplus
    cor_res = (s / np.outer(sd_obs, sd_obs) - sigma / np.outer(sd_imp, sd_imp))[strict]
    var_res = (np.diag(s) - np.diag(sigma)) / np.diag(s)
    mean_res = m / sd_obs - mu / sd_imp
    out["srmr_mplus"] = _rms(np.concatenate([cor_res, mean_res, var_res]), pstar + size)
    out["srmr_mplus_nomean"] = _rms(np.concatenate([cor_res, var_res]), pstar)
    return out


def residual_measures(
    observed: Sequence[Moments], implied: Sequence[Moments], sizes: Sequence[int]
) -> dict[str, float]:
    """rmr, rmr_nomean, srmr_bentler(_nomean), crmr(_nomean), srmr_mplus(_nomean).

    Parameters
    ----------
    observed, implied
        ``(mean, cov)`` of all observed variables per group: unrestricted
        (h1) and model-implied.
    sizes
        Persons per group.

    Examples
    --------
    >>> obs = (np.array([1.0, 2.0]), np.array([[1.0, 0.5], [0.5, 2.0]]))
    >>> imp = (np.array([1.0, 2.0]), np.array([[1.0, 0.3], [0.3, 2.0]]))
    >>> round(residual_measures([obs], [imp], [100])["rmr_nomean"], 6)
    0.11547
    """
    weights = np.asarray(sizes, dtype=float) / float(np.sum(sizes))
    per_group = [_group_measures(o, i) for o, i in zip(observed, implied, strict=True)]
    return {key: float(sum(w * g[key] for w, g in zip(weights, per_group, strict=True)))
            for key in per_group[0]}  # fmt: skip
