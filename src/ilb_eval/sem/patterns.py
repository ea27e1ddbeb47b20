"""Missing-data patterns and their (weighted) sufficient statistics.

Full-information maximum likelihood needs, per missing-data pattern, only the
(weighted) count, the means and the centred cross-product matrices of
``z = [1, x]`` (constant and fixed covariates) and of ``y_o``, the observed
outcomes of the pattern:

``n = sum w``, ``mean_z``, ``mean_y``, ``czz = sum w (z - mean_z)(z - mean_z)'``,
``czy = sum w (z - mean_z)(y_o - mean_y)'``, ``cyy = sum w (y_o - mean_y)(y_o - mean_y)'``.

They are accumulated once, so every later evaluation of the likelihood costs
time proportional to the number of patterns, not the number of persons.
Centring keeps the residual sums of squares accurate when the outcomes have
large means and small variances. Patterns are found without a Python loop over
persons: each row's pattern is encoded as an integer bitmask and grouped with a
stable sort. Sampling weights (lavaan's ``sampling.weights``) enter as
frequency weights: every sum is a weighted sum, and ``n`` is the sum of the
weights of the pattern.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Pattern", "pattern_code", "pattern_rows", "pattern_stats"]


@dataclass(frozen=True)
class Pattern:
    """Sufficient statistics of the persons sharing one missing-data pattern.

    Attributes
    ----------
    observed
        Indices (into the outcomes) of the observed outcomes, ascending.
    n
        Number of persons with this pattern (sum of their weights when
        weighted).
    mean_z, mean_y
        (Weighted) means of ``z = [1, x]`` (length k) and of ``y_o`` (length p_o).
    czz, czy, cyy
        Centred (weighted) cross products ``sum w (z - mean_z)(z - mean_z)'``
        (k x k), ``sum w (z - mean_z)(y_o - mean_y)'`` (k x p_o) and
        ``sum w (y_o - mean_y)(y_o - mean_y)'`` (p_o x p_o).
    rows
        Row numbers (0-based, into the group's data) of the persons.
    """

    observed: np.ndarray
    n: float
    mean_z: np.ndarray
    mean_y: np.ndarray
    czz: np.ndarray
    czy: np.ndarray
    cyy: np.ndarray
    rows: np.ndarray

    @property
    def szz(self) -> np.ndarray:
        """Raw cross products ``sum w z z'``."""
        return self.czz + self.n * np.outer(self.mean_z, self.mean_z)


def pattern_code(observed: np.ndarray) -> np.ndarray:
    """Encode each row of a boolean (n, p) observed-mask as an integer bitmask.

    Examples
    --------
    >>> pattern_code(np.array([[True, False, True], [False, False, True]]))
    array([5, 4])
    """
    weights = np.left_shift(np.int64(1), np.arange(observed.shape[1], dtype=np.int64))
    return observed.astype(np.int64) @ weights


def _group_starts(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stable sort order of ``codes`` and the start/end of each run of equal codes."""
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    ends = np.r_[starts[1:], len(codes)]
    return order, starts, ends


def pattern_rows(observed: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Rows of each missing-data pattern and the outcomes they observe.

    Examples
    --------
    >>> mask = np.array([[True, False], [True, True], [True, False]])
    >>> [(rows.tolist(), o.tolist()) for rows, o in pattern_rows(mask)]
    [([0, 2], [0]), ([1], [0, 1])]
    """
    if observed.shape[0] == 0:
        return []
    order, starts, ends = _group_starts(pattern_code(observed))
    return [
        (order[start:end], np.flatnonzero(observed[order[start]]))
        for start, end in zip(starts, ends, strict=True)
    ]


def pattern_stats(
    y: np.ndarray, x: np.ndarray, weights: np.ndarray | None = None
) -> list[Pattern]:
    """Group persons by missing-data pattern and accumulate sufficient statistics.

    Parameters
    ----------
    y
        Outcomes, shape (n, p), NaN where missing. Rows without any observed
        outcome form no pattern (they add nothing to the likelihood of the
        outcomes given the covariates).
    x
        Covariates, shape (n, q), complete (q may be 0).
    weights
        Sampling weights (n,), positive; None for unweighted data.

    Returns
    -------
    list of Pattern
        One entry per distinct pattern with an observed outcome (and a
        positive sum of weights), ordered by bitmask.

    Examples
    --------
    >>> y = np.array([[1.0, np.nan], [2.0, 3.0], [4.0, np.nan], [np.nan, np.nan]])
    >>> [(p.observed.tolist(), p.n) for p in pattern_stats(y, np.empty((4, 0)))]
    [([0], 2.0), ([0, 1], 1.0)]
    """
    n, p = y.shape
    observed = ~np.isnan(y)
    codes = pattern_code(observed)
    order, starts, ends = _group_starts(codes)
    k = 1 + x.shape[1]
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    # one work matrix [1, x, y] in pattern order, centred at the overall
    # (available-case) means so that raw cross products lose no precision;
    # missing outcomes are set to 0 and never read
    with np.errstate(invalid="ignore"):
        y_shift = np.where(observed.any(axis=0), np.nanmean(np.where(observed, y, np.nan), axis=0), 0.0)
    shift = np.concatenate([[0.0], x.mean(axis=0) if n else np.zeros(k - 1), y_shift])
    work = np.empty((n, k + p))
    work[:, 0] = 1.0
    work[:, 1:k] = x[order]
    work[:, k:] = y[order]
    work[:, 1:] -= shift[1:]
    np.nan_to_num(work, copy=False, nan=0.0)
    w_sorted = w[order]
    result = []
    for start, end in zip(starts, ends, strict=True):
        obs = np.flatnonzero(observed[order[start]])
        if obs.size == 0:
            continue
        cols = np.r_[np.arange(k), k + obs]
        block = work[start:end][:, cols]
        wb = w_sorted[start:end]
        gram = block.T @ (block * wb[:, None])
        total = float(gram[0, 0])  # the constant column sums the weights
        if total <= 0.0:  # every weight of the pattern is zero: it adds nothing
            continue
        mean = gram[0] / total
        gram = gram - total * np.outer(mean, mean)
        mean = mean + shift[cols]
        result.append(
            Pattern(
                observed=obs,
                n=total,
                mean_z=mean[:k],
                mean_y=mean[k:],
                czz=gram[:k, :k],
                czy=gram[:k, k:],
                cyy=gram[k:, k:],
                rows=np.sort(order[start:end]),
            )
        )
    return result
