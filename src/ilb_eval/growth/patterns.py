"""Missing-data patterns and their sufficient statistics.

Full-information maximum likelihood needs, per missing-data pattern, only the
means and the centred cross-product matrices of ``z = [1, x]`` (constant and
covariates) and of ``y_o``, the observed outcomes of the pattern:

``mean_z``, ``mean_y``, ``czz = sum (z - mean_z)(z - mean_z)'``,
``czy = sum (z - mean_z)(y_o - mean_y)'``, ``cyy = sum (y_o - mean_y)(y_o - mean_y)'``.

They are accumulated once, so every later evaluation of the likelihood costs
time proportional to the number of patterns, not the number of persons.
Centring keeps the residual sums of squares accurate when the outcomes have
large means and small variances (no cancellation of large raw moments).
Patterns are found without a Python loop over persons: each row's pattern is
encoded as an integer bitmask and grouped with a stable sort.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Pattern", "pattern_code", "pattern_stats"]


@dataclass(frozen=True)
class Pattern:
    """Sufficient statistics of the persons sharing one missing-data pattern.

    Attributes
    ----------
    observed
        Indices (into the outcomes) of the observed outcomes, ascending.
    n
        Number of persons with this pattern.
    mean_z, mean_y
        Means of ``z = [1, x]`` (length k) and of ``y_o`` (length p_o).
    czz, czy, cyy
        Centred cross products ``sum (z - mean_z)(z - mean_z)'`` (k x k),
        ``sum (z - mean_z)(y_o - mean_y)'`` (k x p_o) and
        ``sum (y_o - mean_y)(y_o - mean_y)'`` (p_o x p_o).
    """

    observed: np.ndarray
    n: int
    mean_z: np.ndarray
    mean_y: np.ndarray
    czz: np.ndarray
    czy: np.ndarray
    cyy: np.ndarray

    @property
    def szz(self) -> np.ndarray:
        """Raw cross products ``sum z z'``."""
        return self.czz + self.n * np.outer(self.mean_z, self.mean_z)

    @property
    def szy(self) -> np.ndarray:
        """Raw cross products ``sum z y_o'``."""
        return self.czy + self.n * np.outer(self.mean_z, self.mean_y)

    @property
    def syy(self) -> np.ndarray:
        """Raw cross products ``sum y_o y_o'``."""
        return self.cyy + self.n * np.outer(self.mean_y, self.mean_y)


def pattern_code(observed: np.ndarray) -> np.ndarray:
    """Encode each row of a boolean (n, p) observed-mask as an integer bitmask.

    Examples
    --------
    >>> pattern_code(np.array([[True, False, True], [False, False, True]]))
    array([5, 4])
    """
    weights = np.left_shift(np.int64(1), np.arange(observed.shape[1], dtype=np.int64))
    return observed.astype(np.int64) @ weights


def pattern_rows(observed: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Rows of each missing-data pattern and the outcomes they observe.

    Examples
    --------
    >>> mask = np.array([[True, False], [True, True], [True, False]])
    >>> [(rows.tolist(), o.tolist()) for rows, o in pattern_rows(mask)]
    [([0, 2], [0]), ([1], [0, 1])]
    """
    codes = pattern_code(observed)
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    ends = np.r_[starts[1:], len(codes)]
    return [
        (order[start:end], np.flatnonzero(observed[order[start]]))
        for start, end in zip(starts, ends, strict=True)
    ]


def pattern_stats(y: np.ndarray, x: np.ndarray) -> list[Pattern]:
    """Group persons by missing-data pattern and accumulate sufficient statistics.

    Parameters
    ----------
    y
        Outcomes, shape (n, p), NaN where missing. Rows must have at least one
        observed outcome.
    x
        Covariates, shape (n, q), complete (q may be 0).

    Returns
    -------
    list of Pattern
        One entry per distinct pattern, ordered by bitmask.

    Examples
    --------
    >>> y = np.array([[1.0, np.nan], [2.0, 3.0], [4.0, np.nan]])
    >>> [(p.observed.tolist(), p.n) for p in pattern_stats(y, np.empty((3, 0)))]
    [([0], 2), ([0, 1], 1)]
    """
    n, p = y.shape
    observed = ~np.isnan(y)
    codes = pattern_code(observed)
    if p <= 16:  # small integers sort by radix sort
        codes = codes.astype(np.uint8 if p <= 8 else np.uint16)
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    ends = np.r_[starts[1:], n]
    k = 1 + x.shape[1]
    # one work matrix [1, x, y] in pattern order, centred at the overall
    # (available-case) means so that raw cross products lose no precision;
    # missing outcomes are set to 0 and never read
    shift = np.concatenate([[0.0], x.mean(axis=0), np.nanmean(y, axis=0)])
    work = np.empty((n, k + p))
    work[:, 0] = 1.0
    work[:, 1:k] = x[order]
    work[:, k:] = y[order]
    work[:, 1:] -= shift[1:]
    np.nan_to_num(work, copy=False, nan=0.0)
    result = []
    for start, end in zip(starts, ends, strict=True):
        obs = np.flatnonzero(observed[order[start]])
        cols = np.r_[np.arange(k), k + obs]
        block = work[start:end]
        count = end - start
        gram = (block.T @ block)[np.ix_(cols, cols)]
        mean = gram[0] / count  # the constant column sums every column
        gram = gram - count * np.outer(mean, mean)
        mean = mean + shift[cols]
        result.append(
            Pattern(
                observed=obs,
                n=int(count),
                mean_z=mean[:k],
                mean_y=mean[k:],
                czz=gram[:k, :k],
                czy=gram[:k, k:],
                cyy=gram[k:, k:],
            )
        )
    return result
