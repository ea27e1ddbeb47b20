"""Missing-data patterns stacked by their number of observed variables.

The likelihood sums over missing-data patterns; with a dozen indicators and
attrition there are hundreds of patterns. Patterns that observe the same
number of variables are stacked into one :class:`PatternBlock` (arrays with a
leading pattern axis), so every evaluation runs a handful of batched numpy
operations per block (batched Cholesky factors, inverses, products) instead of
a Python loop over patterns. Results in the moment coordinates (the distinct
entries of ``Sigma`` in vech order, then the entries of ``M``) are scattered
back with :func:`scatter` (``numpy.bincount``); the positions are computed
once per block.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ilb_eval.sem.patterns import Pattern

__all__ = ["PatternBlock", "pattern_blocks", "scatter", "vech_positions"]


@dataclass(frozen=True)
class PatternBlock:
    """All patterns that observe ``size`` variables, stacked.

    Attributes
    ----------
    obs
        (n_b, size) indices of the observed variables of each pattern.
    n
        (n_b,) (weighted) number of persons per pattern.
    mean_z, mean_y
        (n_b, k) and (n_b, size) pattern means.
    czz, czy, cyy
        (n_b, k, k), (n_b, k, size), (n_b, size, size) centred cross products.
    szz
        (n_b, k, k) raw cross products of ``z``.
    rows
        Per pattern, the persons' row positions in the group's data.
    p
        Number of outcomes of the group (all patterns).

    The flat positions of the block's entries in the moment coordinates
    (``Sigma`` entries row-major, then ``M`` entries) and in the square
    information matrix over them are computed once (cached properties).
    """

    obs: np.ndarray
    n: np.ndarray
    mean_z: np.ndarray
    mean_y: np.ndarray
    czz: np.ndarray
    czy: np.ndarray
    cyy: np.ndarray
    szz: np.ndarray
    rows: tuple[np.ndarray, ...]
    p: int

    @property
    def size(self) -> int:
        """Number of observed variables of the block's patterns."""
        return int(self.obs.shape[1])

    @property
    def k(self) -> int:
        """Columns of ``z = [1, x]``."""
        return int(self.mean_z.shape[1])

    @property
    def n_sigma(self) -> int:
        """Number of distinct Sigma entries, p (p + 1) / 2."""
        return self.p * (self.p + 1) // 2

    @property
    def n_moments(self) -> int:
        """Number of moment coordinates: vech(Sigma), then the p*k entries of M."""
        return self.n_sigma + self.p * self.k

    @cached_property
    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Positions (a <= b) within a pattern of its distinct Sigma entries."""
        return np.triu_indices(self.size)

    @cached_property
    def vech_index(self) -> np.ndarray:
        """(n_b, t) moment coordinates of the patterns' distinct Sigma entries."""
        a, b = self.pairs
        return vech_positions(self.p)[self.obs[:, a], self.obs[:, b]]

    @cached_property
    def mean_index(self) -> np.ndarray:
        """(n_b, size, k) moment coordinates of the patterns' M entries."""
        return self.n_sigma + self.obs[:, :, None] * self.k + np.arange(self.k)

    @cached_property
    def diagonal_scale(self) -> np.ndarray:
        """(t,) 1 for an off-diagonal pair, 1/2 for a diagonal one."""
        a, b = self.pairs
        return np.where(a == b, 0.5, 1.0)

    @cached_property
    def sigma_sigma_index(self) -> np.ndarray:
        """Flat positions of the Sigma-Sigma entries in the information matrix."""
        v = self.vech_index
        return (v[:, :, None] * self.n_moments + v[:, None, :]).ravel()

    @cached_property
    def mean_mean_index(self) -> np.ndarray:
        """Flat positions of the M-M entries in the information matrix."""
        m = self.mean_index
        return (m[:, :, :, None, None] * self.n_moments + m[:, None, None, :, :]).ravel()

    @cached_property
    def sigma_mean_index(self) -> tuple[np.ndarray, np.ndarray]:
        """Flat positions of the Sigma-M entries and of their transposes."""
        v, m = self.vech_index, self.mean_index
        rows = v[:, :, None, None] * self.n_moments + m[:, None, :, :]
        cols = m[:, None, :, :] * self.n_moments + v[:, :, None, None]
        return rows.ravel(), cols.ravel()


def vech_positions(p: int) -> np.ndarray:
    """(p, p) position of each Sigma entry in vech order (upper triangle, row by row).

    Examples
    --------
    >>> vech_positions(3).tolist()
    [[0, 1, 2], [1, 3, 4], [2, 4, 5]]
    """
    rows, cols = np.triu_indices(p)
    out = np.empty((p, p), dtype=int)
    out[rows, cols] = np.arange(len(rows))
    out[cols, rows] = np.arange(len(rows))
    return out


def pattern_blocks(patterns: Sequence[Pattern], p: int) -> tuple[PatternBlock, ...]:
    """Stack patterns by their number of observed variables (``p`` outcomes in all).

    Examples
    --------
    >>> from ilb_eval.sem.patterns import pattern_stats
    >>> y = np.array([[1.0, np.nan], [2.0, 3.0], [np.nan, 4.0], [5.0, 1.0]])
    >>> [(b.size, b.obs.tolist(), b.n.tolist()) for b in pattern_blocks(
    ...     pattern_stats(y, np.empty((4, 0))), 2)]
    [(1, [[0], [1]], [1.0, 1.0]), (2, [[0, 1]], [2.0])]
    """
    by_size: dict[int, list[Pattern]] = {}
    for pat in patterns:
        by_size.setdefault(len(pat.observed), []).append(pat)
    blocks = []
    for size in sorted(by_size):
        pats = by_size[size]
        blocks.append(
            PatternBlock(
                obs=np.array([p.observed for p in pats], dtype=int).reshape(len(pats), size),
                n=np.array([p.n for p in pats], dtype=float),
                mean_z=np.array([p.mean_z for p in pats]),
                mean_y=np.array([p.mean_y for p in pats]),
                czz=np.array([p.czz for p in pats]),
                czy=np.array([p.czy for p in pats]),
                cyy=np.array([p.cyy for p in pats]),
                szz=np.array([p.szz for p in pats]),
                rows=tuple(pat.rows for pat in pats),
                p=p,
            )
        )
    return tuple(blocks)


def scatter(index: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sum ``values`` into a vector of length ``size`` at ``index`` (same shapes).

    Examples
    --------
    >>> scatter(np.array([0, 2, 0]), np.array([1.0, 2.0, 3.0]), 3)
    array([4., 0., 2.])
    """
    return np.bincount(index.ravel(), weights=values.ravel(), minlength=size)
