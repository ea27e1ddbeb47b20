"""What a draft study infers from the values of raw exports.

Pure functions on numbers and codes, used by :mod:`ilb_eval.study.draft`:

* :func:`person_code_score`: how well a column serves as the person code
  (filled and unique in every wave, not a row counter, its codes found again
  in other waves, a name like ``code``);
* :func:`is_likert`: whether pooled item values look like a rating scale;
* :func:`reverse_keyed`: reverse-keyed candidates from negative item-rest
  correlations, flipping the most negative item until none is negative.

Missing codes come from :func:`ilb_eval.io.datafile.stray_codes` (typical
codes standing apart from the other values) and from .sav metadata.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["CodeScore", "is_likert", "item_rest", "person_code_score", "reverse_keyed"]

_CODE_NAME = re.compile(r"code|kennung|pseud|token|serial|panel|person|ident|(?:^|_)id(?:$|_)|(?:^|_)pc\d*")
#: Share of filled rows and of distinct codes a person code needs in every wave.
MIN_FILLED, MIN_UNIQUE = 0.9, 0.98


@dataclass(frozen=True)
class CodeScore:
    """How a column serves as the person code.

    Attributes
    ----------
    eligible:
        Filled in at least 90 % of the rows and distinct in at least 98 % of
        the filled rows of every wave, and not a row counter (1, 2, 3, ...).
    overlap:
        Mean share of a later wave's codes that occur in an earlier wave.
    named:
        Whether the name suggests a code (``code``, ``id``, ``token``, ...).
    text:
        Whether the codes are text (self-generated codes are).
    """

    eligible: bool
    overlap: float
    named: bool
    text: bool

    @property
    def key(self) -> tuple[bool, float, bool, bool]:
        """Sort key: eligible first, then more overlap, a code-like name, text."""
        return (self.eligible, round(self.overlap, 2), self.named, self.text)


def _normal(code: object) -> str:
    return str(code).strip().casefold()


def _row_counter(values: Sequence[object]) -> bool:
    try:
        numbers = [float(v) for v in values]
    except (TypeError, ValueError):
        return False
    return len(numbers) > 1 and numbers == [float(i) for i in range(1, len(numbers) + 1)]


def person_code_score(name: str, waves: Sequence[Sequence[object | None]], *, text: bool) -> CodeScore:
    """Score one column as the person code, from its cells in every wave (``None`` = empty).

    Examples
    --------
    >>> waves = [["AB12", "CD34", "EF56"], ["cd34", "AB12", None]]
    >>> person_code_score("code", waves, text=True)
    CodeScore(eligible=False, overlap=1.0, named=True, text=True)
    >>> person_code_score("CASE", [[1, 2, 3], [1, 2]], text=False).eligible
    False
    """
    eligible = True
    seen: set[str] = set()
    overlaps = []
    for i, cells in enumerate(waves):
        filled = [c for c in cells if c is not None]
        codes = [_normal(c) for c in filled]
        if not cells or len(filled) < MIN_FILLED * len(cells) or len(set(codes)) < MIN_UNIQUE * max(len(codes), 1):
            eligible = False
        if not text and _row_counter(filled):
            eligible = False
        if i and codes:
            overlaps.append(sum(c in seen for c in set(codes)) / len(set(codes)))
        seen |= set(codes)
    overlap = float(np.mean(overlaps)) if overlaps else 0.0
    return CodeScore(eligible, overlap, bool(_CODE_NAME.search(name.lower())), text)


def is_likert(values: np.ndarray) -> bool:
    """Whether pooled item values (codes removed, NaN = missing) look like a rating scale.

    Whole numbers, 2 to 11 distinct values, a range of at most 10.

    >>> is_likert(np.array([1.0, 5, 3, np.nan, 4])), is_likert(np.array([12.5, 30, 45]))
    (True, False)
    """
    present = values[~np.isnan(values)]
    if present.size == 0 or not np.all(present == np.round(present)):
        return False
    distinct = np.unique(present)
    return 2 <= distinct.size <= 11 and float(distinct[-1] - distinct[0]) <= 10


def item_rest(items: np.ndarray) -> np.ndarray:
    """Correlation of each item with the mean of the other items (rows with the item and 2+ others).

    >>> rng = np.random.default_rng(1)
    >>> trait = rng.normal(size=300)
    >>> items = np.column_stack([trait + rng.normal(size=300) for _ in range(3)] + [-trait + rng.normal(size=300)])
    >>> np.round(item_rest(items), 1).tolist()  # in the population .35, .35, .35 and -1/sqrt(8/3) = -.61
    [0.3, 0.3, 0.2, -0.6]
    """
    out = np.full(items.shape[1], np.nan)
    for j in range(items.shape[1]):
        rest = np.delete(items, j, axis=1)
        rest_mean = np.nanmean(np.where(np.isnan(rest).all(axis=1, keepdims=True), 0.0, rest), axis=1)
        usable = ~np.isnan(items[:, j]) & (np.sum(~np.isnan(rest), axis=1) >= min(2, rest.shape[1]))
        if usable.sum() >= 10 and np.std(items[usable, j]) > 0 and np.std(rest_mean[usable]) > 0:
            out[j] = float(np.corrcoef(items[usable, j], rest_mean[usable])[0, 1])
    return out


def reverse_keyed(items: np.ndarray, low: float, high: float) -> tuple[list[int], np.ndarray]:
    """Reverse-keyed candidates: the columns whose item-rest correlation is negative.

    The item with the most negative correlation is reversed (``low + high -
    x``) and the correlations are computed again, until none is negative.

    Returns
    -------
    reversed, first
        The positions reversed (in the order found), and the item-rest
        correlations before any reversal.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> trait = rng.normal(size=400)
    >>> answers = [np.clip(np.round(3 + s * trait + rng.normal(size=400)), 1, 5) for s in (1, 1, -1, 1)]
    >>> found, first = reverse_keyed(np.column_stack(answers), 1, 5)
    >>> found, bool(first[2] < 0)
    ([2], True)
    """
    work = items.astype(float).copy()
    first = item_rest(work)
    found: list[int] = []
    for _ in range(items.shape[1]):
        r = item_rest(work)
        candidates = [(value, j) for j, value in enumerate(r) if not np.isnan(value) and value < 0 and j not in found]
        if not candidates:
            break
        _, worst = min(candidates)
        work[:, worst] = low + high - work[:, worst]
        found.append(worst)
    return found, first
