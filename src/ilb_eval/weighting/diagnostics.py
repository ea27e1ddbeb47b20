"""Balance diagnostics: standardised mean differences, variance ratios, effective sample sizes.

Conventions are cobalt's (``bal.tab`` for a binary treatment), so that the
numbers read as evaluators know them:

* **SMD** = (treated mean - control mean) / s, with weighted means after
  weighting. The standardiser ``s`` is computed once, *unweighted*, and used
  before and after weighting, so the change shows only the change in means:
  ATT -> the treated group's SD; ATE -> ``sqrt((s1^2 + s0^2) / 2)`` (pooled);
  ATO (overlap weights) -> the SD of the whole sample weighted by the weights
  (cobalt's ``"weighted"``).
* **Variances**: continuous covariates with the unbiased weighted formula
  ``sum w (x - xbar_w)^2 / (1 - sum w^2)`` for weights normalised to sum 1
  (``n - 1`` in the denominator without weights); binary covariates (exactly
  two values) as ``p (1 - p)`` times the squared distance of the two values.
* Unlike cobalt's default (``binary = "raw"``), binary covariates get an SMD
  as well (cobalt's ``binary = "std"``), so one threshold (|SMD| < .1) applies
  to every row. **Variance ratios** (treated / control) are given for
  continuous covariates only, as cobalt does: for a binary covariate the
  variance is fixed by the mean.
* **Effective sample size** (Kish): ``(sum w)^2 / sum w^2`` per group.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "BALANCE_COLUMNS",
    "SMD_THRESHOLD",
    "balance_table",
    "effective_sample_size",
    "is_binary",
    "smd_denominator",
    "weighted_mean",
    "weighted_variance",
]

#: The usual threshold for adequate balance on a standardised mean difference.
SMD_THRESHOLD = 0.1

#: Columns of :func:`balance_table`.
BALANCE_COLUMNS = (
    "covariate", "type", "mean_treated", "mean_control", "mean_treated_weighted", "mean_control_weighted",
    "sd_denominator", "smd_before", "smd_after", "variance_ratio_before", "variance_ratio_after",
)


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2``.

    Examples
    --------
    >>> effective_sample_size(np.ones(10))
    10.0
    >>> effective_sample_size(np.array([1.0, 1.0, 2.0]))    # 16 / 6
    2.6666666666666665
    """
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / np.sum(w**2))


def is_binary(values: np.ndarray) -> bool:
    """Whether a covariate takes exactly two distinct values.

    >>> is_binary(np.array([0, 1, 1, 0])), is_binary(np.array([1.0, 2.0, 3.0]))
    (True, False)
    """
    return np.unique(np.asarray(values, dtype=float)).size == 2


def weighted_mean(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Weighted mean (plain mean without weights).

    >>> weighted_mean(np.array([1.0, 3.0]), np.array([3.0, 1.0]))
    1.5
    """
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    return float(w @ x / w.sum())


def weighted_variance(values: np.ndarray, weights: np.ndarray | None = None, *, binary: bool = False) -> float:
    """Variance as cobalt computes it (unbiased weighted form; ``p (1 - p)`` for binary).

    Examples
    --------
    >>> x = np.array([1.0, 2.0, 4.0])
    >>> bool(np.isclose(weighted_variance(x), np.var(x, ddof=1)))
    True
    >>> weighted_variance(np.array([0.0, 1.0, 1.0, 1.0]), binary=True)    # .75 * .25
    0.1875
    """
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    w = w / w.sum()
    mean = float(w @ x)
    if binary:
        low, high = float(x.min()), float(x.max())
        p = (mean - low) / (high - low) if high > low else 0.0
        return p * (1.0 - p) * (high - low) ** 2
    return float(w @ (x - mean) ** 2 / (1.0 - np.sum(w**2)))


def smd_denominator(
    values: np.ndarray, treated: np.ndarray, estimand: str, weights: np.ndarray | None = None, *, binary: bool = False
) -> float:
    """The standardiser of the SMD for one covariate (cobalt's rule per estimand).

    Examples
    --------
    >>> x, t = np.array([1.0, 3.0, 2.0, 6.0]), np.array([1, 1, 0, 0])
    >>> smd_denominator(x, t, "ATT") == float(np.std([1.0, 3.0], ddof=1))
    True
    >>> smd_denominator(x, t, "ATE") == float(np.sqrt((2.0 + 8.0) / 2))
    True
    """
    t = np.asarray(treated).astype(bool)
    x = np.asarray(values, dtype=float)
    if estimand == "ATT":
        return float(np.sqrt(weighted_variance(x[t], binary=binary)))
    if estimand == "ATE":
        return float(np.sqrt((weighted_variance(x[t], binary=binary) + weighted_variance(x[~t], binary=binary)) / 2.0))
    if estimand == "ATO":
        if weights is None:
            raise ValueError("the ATO standardiser needs the weights")
        return float(np.sqrt(weighted_variance(x, weights, binary=binary)))
    raise ValueError(f"unknown estimand {estimand!r} (ATT, ATE or ATO)")


def balance_table(
    data: pd.DataFrame,
    treatment: str,
    covariates: Sequence[str],
    weights: np.ndarray,
    *,
    estimand: str = "ATT",
) -> pd.DataFrame:
    """Balance of each covariate before and after weighting.

    Parameters
    ----------
    data:
        One row per person with the 0/1 ``treatment`` column and numeric
        ``covariates`` (no missing values).
    weights:
        One weight per row of ``data``.
    estimand:
        ``"ATT"``, ``"ATE"`` or ``"ATO"``: chooses the SMD standardiser.

    Returns
    -------
    DataFrame
        One row per covariate with :data:`BALANCE_COLUMNS`; ``type`` is
        ``"binary"`` or ``"continuous"``; variance ratios are NaN for binary
        covariates.

    Examples
    --------
    Treated mean 3, control mean 8/3 (weighted: 15/5 = 3), treated SD sqrt(2):

    >>> frame = pd.DataFrame({"t": [1, 1, 0, 0, 0], "x": [2.0, 4.0, 1.0, 2.0, 5.0]})
    >>> table = balance_table(frame, "t", ["x"], np.array([1, 1, 1, 2, 2.0]))
    >>> table[["smd_before", "smd_after"]].round(4).to_dict("records")
    [{'smd_before': 0.2357, 'smd_after': 0.0}]
    """
    t = data[treatment].to_numpy(dtype=float) == 1.0
    w = np.asarray(weights, dtype=float)
    rows = []
    for name in covariates:
        x = data[name].to_numpy(dtype=float)
        binary = is_binary(x)
        denominator = smd_denominator(x, t, estimand, w, binary=binary)
        m1, m0 = weighted_mean(x[t]), weighted_mean(x[~t])
        m1w, m0w = weighted_mean(x[t], w[t]), weighted_mean(x[~t], w[~t])
        if binary:
            vr_before = vr_after = np.nan
        else:
            vr_before = weighted_variance(x[t]) / weighted_variance(x[~t])
            vr_after = weighted_variance(x[t], w[t]) / weighted_variance(x[~t], w[~t])
        rows.append((
            name, "binary" if binary else "continuous", m1, m0, m1w, m0w, denominator,
            (m1 - m0) / denominator, (m1w - m0w) / denominator, vr_before, vr_after,
        ))
    return pd.DataFrame(rows, columns=list(BALANCE_COLUMNS))
