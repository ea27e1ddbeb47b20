"""The RMSEA, its confidence interval and its tests of close and not-close fit (lavaan's).

With ``X2`` a chi-square statistic on ``df`` degrees of freedom, N persons in
G groups and a scaling factor ``c`` (1 for the standard RMSEA):

- ``RMSEA = sqrt(G) sqrt(max(X2 / (N df) - c / N, 0))`` (0 when df = 0);
- the interval inverts the noncentral chi-square distribution function in
  its noncentrality ``lambda``: the lower (upper) end solves
  ``P(chi2(df, lambda) <= X2) = 0.95 (0.05)``, and an end is
  ``sqrt(G) sqrt(c lambda / (N df))``; an end that does not exist is 0;
- H0: RMSEA <= 0.05 is tested by ``1 - P(chi2(df, lambda0) <= X2)`` with
  ``lambda0 = N df 0.05^2 / (c G)``, H0: RMSEA >= 0.08 by
  ``P(chi2(df, lambda0) <= X2)`` with 0.08.

The robust RMSEA (:mod:`ilb_eval.sem.fit_corrected`) passes the scaled
statistic and ``c``; the "scaled" RMSEA of an MLR fit passes the standard
statistic and ``df`` multiplied by the scaling factor.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special

__all__ = ["rmsea", "rmsea_ci", "rmsea_close_pvalue", "rmsea_notclose_pvalue"]


def _finite(*values: float) -> bool:
    return all(v is not None and math.isfinite(v) for v in values)


def rmsea(x2: float, df: float, n: float, groups: int = 1, c_hat: float = 1.0) -> float:
    """Point estimate of the RMSEA.

    >>> round(rmsea(72.44127552530458, 24, 301), 6)
    0.081888
    """
    if df is None or math.isnan(df):
        return math.nan
    if df <= 0:
        return 0.0
    if not _finite(x2, c_hat):
        return math.nan
    return float(np.sqrt(max(x2 / n / df - c_hat / n, 0.0)) * np.sqrt(groups))


def _cdf(x2: float, df: float, ncp: float) -> float:
    """Distribution function of the (noncentral) chi-square distribution."""
    if ncp <= 0.0:
        return float(special.chdtr(df, x2))
    return float(special.chndtr(x2, df, ncp))


def rmsea_ci(
    x2: float, df: float, n: float, groups: int = 1, c_hat: float = 1.0, level: float = 0.90
) -> tuple[float, float]:
    """Confidence interval of the RMSEA (NaN when the statistic is not finite).

    Examples
    --------
    >>> lower, upper = rmsea_ci(74.5016482622828, 3, 1737, groups=2)
    >>> round(lower, 6), round(upper, 6)
    (0.134326, 0.199229)
    """
    if not _finite(x2, df):
        return math.nan, math.nan
    upper_p = 1.0 - (1.0 - level) / 2.0
    lower_p = (1.0 - level) / 2.0

    def lower_fn(lam: float) -> float:
        return _cdf(x2, df, lam) - upper_p

    def upper_fn(lam: float) -> float:
        return _cdf(x2, df, lam) - lower_p

    def end(lam: float) -> float:
        return float(np.sqrt(c_hat * lam / (n * df)) * np.sqrt(groups))

    if df < 1 or lower_fn(0.0) < 0.0:
        lower = 0.0
    else:
        lower = end(optimize.brentq(lower_fn, 0.0, x2, xtol=1e-12))
    n_rmsea = max(n, x2 * 4.0)
    if df < 1 or upper_fn(n_rmsea) > 0.0 or upper_fn(0.0) < 0.0:
        upper = 0.0
    else:
        upper = end(optimize.brentq(upper_fn, 0.0, n_rmsea, xtol=1e-12))
    return lower, upper


def _ncp(df: float, n: float, groups: int, c_hat: float, h0: float) -> float:
    return n * df * h0**2 / (c_hat * groups)


def rmsea_close_pvalue(
    x2: float, df: float, n: float, groups: int = 1, c_hat: float = 1.0, h0: float = 0.05
) -> float:
    """p-value of H0: RMSEA <= ``h0`` (NaN when df = 0).

    >>> round(rmsea_close_pvalue(72.44127552530458, 24, 301), 6)
    0.00813
    """
    if not _finite(x2, df, c_hat) or df <= 0:
        return math.nan
    return float(1.0 - _cdf(x2, df, _ncp(df, n, groups, c_hat, h0)))


def rmsea_notclose_pvalue(
    x2: float, df: float, n: float, groups: int = 1, c_hat: float = 1.0, h0: float = 0.08
) -> float:
    """p-value of H0: RMSEA >= ``h0`` (NaN when df = 0).

    >>> round(rmsea_notclose_pvalue(72.44127552530458, 24, 301), 6)
    0.58088
    """
    if not _finite(x2, df, c_hat) or df <= 0:
        return math.nan
    return float(_cdf(x2, df, _ncp(df, n, groups, c_hat, h0)))
