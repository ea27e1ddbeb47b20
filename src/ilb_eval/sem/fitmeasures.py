"""Fit measures with lavaan's definitions and names (underscores for dots).

Conventions (lavaan 0.6 with ``fixed.x = TRUE``, ML, ``missing = "fiml"``):

- ``logl`` is the log-likelihood of the outcomes *given* the covariates
  (lavaan 0.6-14 reports no term for the fixed covariates), ``unrestricted_logl``
  that of the saturated model h1; ``chisq = 2 (unrestricted_logl - logl)``.
- ``df`` counts, per group, the means, variances and covariances of the
  outcomes plus their covariances with the covariates, minus ``npar`` (the
  covariate moments are not counted on either side).
- The baseline for CFI/TLI is the independence model: free outcome means and
  variances, nothing else (covariates fixed, unrelated to the outcomes).
- RMSEA uses N (not N - 1) and, with G groups, is multiplied by sqrt(G);
  its 90% interval inverts the noncentral chi-square distribution.
- SRMR is Bentler's version with the mean structure: residuals of the joint
  covariance matrix (diagonal included) and of the means, both scaled by the
  h1 standard deviations; groups are weighted by their size.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import optimize, stats

__all__ = ["count_moments", "fit_measures", "rmsea_ci", "srmr_bentler"]


def count_moments(p: int, q: int) -> int:
    """Sample moments one group contributes: y means, y (co)variances, y-x covariances."""
    return p * (p + 1) // 2 + p + p * q


def _cdf(x2: float, df: float, ncp: float) -> float:
    if ncp <= 0.0:
        return float(stats.chi2.cdf(x2, df))
    return float(stats.ncx2.cdf(x2, df, ncp))


def rmsea_ci(
    x2: float, df: float, n: int, groups: int = 1, level: float = 0.90
) -> tuple[float, float]:
    """lavaan's confidence interval of the RMSEA.

    Examples
    --------
    >>> lower, upper = rmsea_ci(74.5016482622828, 3, 1737, groups=2)
    >>> round(lower, 6), round(upper, 6)
    (0.134326, 0.199229)
    """
    if not (np.isfinite(x2) and df >= 1):
        return 0.0, 0.0
    upper_p = 1.0 - (1.0 - level) / 2.0
    lower_p = (1.0 - level) / 2.0

    def lower_fn(lam: float) -> float:
        return _cdf(x2, df, lam) - upper_p

    def upper_fn(lam: float) -> float:
        return _cdf(x2, df, lam) - lower_p

    if lower_fn(0.0) < 0.0:
        lower = 0.0
    else:
        lam = optimize.brentq(lower_fn, 0.0, x2, xtol=1e-12)
        lower = float(np.sqrt(lam / (n * df)) * np.sqrt(groups))
    n_rmsea = max(n, x2 * 4.0)
    if upper_fn(n_rmsea) > 0.0 or upper_fn(0.0) < 0.0:
        upper = 0.0
    else:
        lam = optimize.brentq(upper_fn, 0.0, n_rmsea, xtol=1e-12)
        upper = float(np.sqrt(lam / (n * df)) * np.sqrt(groups))
    return lower, upper


def srmr_bentler(
    h1: Sequence[tuple[np.ndarray, np.ndarray]],
    implied: Sequence[tuple[np.ndarray, np.ndarray]],
    sizes: Sequence[int],
) -> float:
    """Bentler's SRMR with means, against the h1 moments, weighted over groups.

    Parameters
    ----------
    h1, implied
        ``(mean, cov)`` of all observed variables per group: unrestricted
        (h1) and model-implied.
    sizes
        Group sizes.
    """
    values = []
    for (m, s), (mu, sigma) in zip(h1, implied, strict=True):
        sd = np.sqrt(np.diag(s))
        resid = (s - sigma) / np.outer(sd, sd)
        nvar = len(sd)
        cov_part = resid[np.triu_indices(nvar)]
        mean_part = (m - mu) / sd
        e = nvar * (nvar + 1) / 2 + nvar
        values.append(np.sqrt((np.sum(cov_part**2) + np.sum(mean_part**2)) / e))
    weights = np.asarray(sizes, dtype=float) / float(np.sum(sizes))
    return float(np.sum(weights * np.asarray(values)))


def fit_measures(
    *,
    logl: float,
    unrestricted_logl: float,
    baseline_logl: float,
    npar: int,
    sizes: Sequence[int],
    p: int,
    q: int,
    srmr: float,
) -> dict[str, float]:
    """All fit measures of one fit, keyed by lavaan's names with underscores.

    Parameters
    ----------
    logl, unrestricted_logl, baseline_logl
        Log-likelihoods (outcomes given covariates) of the model, h1 and the
        baseline model.
    npar
        Number of free parameters (equality constraints subtracted).
    sizes
        Persons per group.
    p, q
        Number of outcomes and covariates.
    srmr
        Value from :func:`srmr_bentler`.

    Returns
    -------
    dict
        npar, logl, unrestricted_logl, aic, bic, chisq, df, pvalue, cfi, tli,
        rmsea, rmsea_ci_lower, rmsea_ci_upper, srmr, ntotal, baseline_chisq,
        baseline_df.
    """
    groups = len(sizes)
    n = int(np.sum(sizes))
    moments = groups * count_moments(p, q)
    df = moments - npar
    chisq = max(2.0 * (unrestricted_logl - logl), 0.0)
    pvalue = float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan
    base_df = moments - groups * 2 * p
    base_chisq = max(2.0 * (unrestricted_logl - baseline_logl), 0.0)
    t1 = max(chisq - df, 0.0)
    t2 = max(chisq - df, base_chisq - base_df, 0.0)
    cfi = 1.0 if t1 == 0.0 and t2 == 0.0 else 1.0 - t1 / t2
    if df > 0 and base_df > 0:
        tli = (base_chisq / base_df - chisq / df) / (base_chisq / base_df - 1.0)
        rmsea = float(np.sqrt(max((chisq / n) / df - 1.0 / n, 0.0)) * np.sqrt(groups))
    else:
        tli = 1.0
        rmsea = 0.0
    lower, upper = rmsea_ci(chisq, df, n, groups)
    return {
        "npar": int(npar),
        "logl": float(logl),
        "unrestricted_logl": float(unrestricted_logl),
        "aic": float(-2.0 * logl + 2.0 * npar),
        "bic": float(-2.0 * logl + npar * np.log(n)),
        "chisq": float(chisq),
        "df": int(df),
        "pvalue": float(pvalue),
        "cfi": float(cfi),
        "tli": float(tli),
        "rmsea": float(rmsea),
        "rmsea_ci_lower": float(lower),
        "rmsea_ci_upper": float(upper),
        "srmr": float(srmr),
        "ntotal": n,
        "baseline_chisq": float(base_chisq),
        "baseline_df": int(base_df),
    }
