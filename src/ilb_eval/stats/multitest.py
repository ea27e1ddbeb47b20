"""Multiple-testing corrections for families of p-values (Holm by default)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from statsmodels.stats.multitest import multipletests

from ilb_eval.exceptions import SpecError

__all__ = ["METHODS", "adjust_pvalues"]

#: Our names for the corrections and statsmodels' names for them.
METHODS: dict[str, str] = {"holm": "holm", "bh": "fdr_bh"}


def adjust_pvalues(pvalues: Sequence[float] | np.ndarray, method: Literal["holm", "bh"] = "holm") -> np.ndarray:
    """Adjust a family of p-values; missing p-values stay missing and are not counted.

    Parameters
    ----------
    pvalues:
        Raw two-sided p-values (NaN for tests that could not be done, e.g.
        a failed model: they do not enlarge the family).
    method:
        ``"holm"`` (Holm 1979, family-wise error; the report's default) or
        ``"bh"`` (Benjamini & Hochberg 1995, false discovery rate).

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, float("nan"), 0.03]).round(4).tolist()
    [0.03, 0.06, nan, 0.06]
    """
    if method not in METHODS:
        raise SpecError(f"method must be one of {sorted(METHODS)}; got {method!r}.")
    p = np.asarray(pvalues, dtype=float)
    adjusted = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        adjusted[ok] = multipletests(p[ok], method=METHODS[method])[1]
    return adjusted
