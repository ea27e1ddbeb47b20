"""Correlations with confidence intervals, pairwise n and the chapter's verbal bands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from ilb_eval.exceptions import SpecError

__all__ = ["BANDS", "correlate", "correlation_band"]

#: Verbal bands of the study chapter, on |r|: below .3 low, below .5 medium,
#: below .7 high, otherwise very high.
BANDS: tuple[tuple[float, dict[str, str]], ...] = (
    (0.3, {"de": "gering", "en": "low"}),
    (0.5, {"de": "mittel", "en": "medium"}),
    (0.7, {"de": "hoch", "en": "high"}),
    (float("inf"), {"de": "sehr hoch", "en": "very high"}),
)


def correlation_band(r: float, lang: Literal["de", "en"] = "de") -> str:
    """The chapter's verbal band for a correlation.

    >>> correlation_band(0.75), correlation_band(-0.42, "en"), correlation_band(0.3)
    ('sehr hoch', 'medium', 'mittel')
    """
    if np.isnan(r):
        return ""
    for upper, label in BANDS:
        if abs(r) < upper:
            return label[lang]
    raise AssertionError("unreachable")  # pragma: no cover


def _fisher_interval(r: float, se: float, level: float) -> tuple[float, float]:
    z = np.arctanh(np.clip(r, -1 + 1e-15, 1 - 1e-15))
    q = stats.norm.ppf(0.5 + level / 2)
    return float(np.tanh(z - q * se)), float(np.tanh(z + q * se))


def correlate(
    data: pd.DataFrame,
    x: str,
    ys: Sequence[str],
    *,
    method: Literal["pearson", "spearman"] = "pearson",
    level: float = 0.95,
) -> pd.DataFrame:
    """Correlate column ``x`` with each column in ``ys`` on pairwise complete rows.

    Parameters
    ----------
    data:
        A DataFrame with numeric columns (NaN = missing).
    x, ys:
        The column correlated with each of ``ys``.
    method:
        ``"pearson"`` (default, as the study chapter) or ``"spearman"``.
    level:
        Confidence level of the interval.

    Returns
    -------
    DataFrame
        One row per pair: x, y, method, n (pairwise complete), r, ci_lower,
        ci_upper, pvalue (two-sided), band_de, band_en.

    Notes
    -----
    Pearson: p from ``scipy.stats.pearsonr``; the interval is Fisher's z
    interval, ``tanh(atanh(r) ± z_{1-α/2} / sqrt(n - 3))`` (as
    ``pearsonr(...).confidence_interval()``). Spearman: p from
    ``scipy.stats.spearmanr``; the interval uses Fisher's z with the
    Bonett & Wright (2000) standard error ``sqrt((1 + r²/2) / (n - 3))``.
    Pairs with fewer than 4 complete rows give NaN.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [1, 2, 3, 4, 5, 6], "b": [2, 1, 4, 3, 6, 5]})
    >>> res = correlate(frame, "a", ["b"])
    >>> round(float(res.loc[0, "r"]), 4), int(res.loc[0, "n"])
    (0.8286, 6)
    """
    if method not in ("pearson", "spearman"):
        raise SpecError(f"method must be 'pearson' or 'spearman'; got {method!r}.")
    missing = [c for c in (x, *ys) if c not in data.columns]
    if missing:
        raise SpecError(f"columns {missing} are not in the data; available: {list(data.columns)}.")
    rows = []
    for y in ys:
        pair = data[[x, y]].apply(pd.to_numeric, errors="coerce").dropna()
        n = len(pair)
        r = ci_lower = ci_upper = p = float("nan")
        if n >= 4 and pair[x].nunique() > 1 and pair[y].nunique() > 1:
            if method == "pearson":
                result = stats.pearsonr(pair[x].to_numpy(float), pair[y].to_numpy(float))
                r, p = float(result.statistic), float(result.pvalue)
                se = 1.0 / np.sqrt(n - 3)
            else:
                result = stats.spearmanr(pair[x].to_numpy(float), pair[y].to_numpy(float))
                r, p = float(result.statistic), float(result.pvalue)
                se = float(np.sqrt((1 + r * r / 2) / (n - 3)))
            ci_lower, ci_upper = _fisher_interval(r, se, level)
        rows.append(
            {
                "x": x, "y": y, "method": method, "n": n, "r": r,
                "ci_lower": ci_lower, "ci_upper": ci_upper, "pvalue": p,
                "band_de": correlation_band(r, "de"), "band_en": correlation_band(r, "en"),
            }
        )
    return pd.DataFrame(rows)
