"""Primary and secondary (complementary) cell suppression for tables of counts, as statistical offices do it.

A table is a set of **cells** (counts of persons, or sums such as the sum of
ages behind a mean) and the **relations** between them that a reader knows:
``total = part_1 + ... + part_k`` (a group total and its groups, the answers
of an item and its categories, the persons at a wave and those retained and
dropped out). Publishing a share with its base publishes the count behind it,
so shares are cells of the same kind.

:func:`protect` suppresses

* **primary**: every count cell below the minimum cell size (zero included:
  "0 of 7" discloses the answer of everyone in the group), and every cell the
  caller marks (e.g. a mean resting on too few persons);
* **secondary**: in every relation with exactly one suppressed member, one
  more member (the smallest part, else the total), repeated until no relation
  has a single suppressed member; then, as long as the audit below finds a
  suppressed cell that can still be recovered, the smallest visible member of
  a relation holding it.

:func:`recoverable` is the audit (the differencing attack): it treats the
suppressed cells as unknowns, the relations with the published cells as
linear equations, and asks for each unknown whether its value is determined:
exactly (it lies in the row space of the equations), or, for counts, because
non-negativity leaves a single whole number (linear programming over the
feasible set). A count whose interval holds only one integer is recovered.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from ilb_eval.privacy.rule import CellRule

__all__ = ["Relation", "mask_small", "protect", "protect_partition", "recoverable"]

Key = Hashable


@dataclass(frozen=True)
class Relation:
    """``total = sum(parts)``: a relation between cells that readers of the published tables know.

    >>> Relation("persons", ("ilb", "control")).members
    ('persons', 'ilb', 'control')
    """

    total: Key
    parts: tuple[Key, ...]

    @property
    def members(self) -> tuple[Key, ...]:
        """The total and the parts."""
        return (self.total, *self.parts)


def _pick(relation: Relation, cells: Mapping[Key, float], hidden: set[Key]) -> Key | None:
    """The visible member to suppress next: the smallest part (then the total)."""
    parts = [p for p in relation.parts if p not in hidden and p in cells]
    if parts:
        return min(parts, key=lambda p: (cells[p], str(p)))
    return relation.total if relation.total not in hidden and relation.total in cells else None


def _equations(cells: Mapping[Key, float], relations: Sequence[Relation], hidden: Sequence[Key]
               ) -> tuple[np.ndarray, np.ndarray]:
    """``A x = b`` over the hidden cells ``x`` (in the order of ``hidden``)."""
    index = {key: j for j, key in enumerate(hidden)}
    rows, rhs = [], []
    for relation in relations:
        if not any(m in index for m in relation.members):
            continue
        row = np.zeros(len(hidden))
        constant = 0.0
        for sign, member in ((1.0, relation.total), *((-1.0, p) for p in relation.parts)):
            if member in index:
                row[index[member]] += sign
            else:
                constant -= sign * float(cells[member])
        rows.append(row)
        rhs.append(constant)
    if not rows:
        return np.zeros((0, len(hidden))), np.zeros(0)
    return np.vstack(rows), np.asarray(rhs)


def recoverable(cells: Mapping[Key, float], relations: Sequence[Relation], hidden: Iterable[Key], *,
                counts: Iterable[Key] | None = None) -> set[Key]:
    """The suppressed cells a reader can recover from the published cells and the relations.

    Parameters
    ----------
    cells:
        Every cell's true value.
    relations:
        What readers know about the cells.
    hidden:
        The suppressed cells (all others are published).
    counts:
        The cells that are counts of persons (non-negative whole numbers);
        default: all cells. For them non-negativity and integrality are used too.

    Examples
    --------
    >>> rel = [Relation("total", ("ilb", "control"))]
    >>> sorted(recoverable({"total": 100, "ilb": 3, "control": 97}, rel, {"ilb"}))
    ['ilb']
    >>> recoverable({"total": 100, "ilb": 3, "control": 97}, rel, {"ilb", "control"})
    set()
    >>> recoverable({"total": 3, "ilb": 3, "control": 0}, rel, {"ilb", "control"}, counts={"ilb"})
    set()
    """
    hidden = sorted(set(hidden), key=str)
    if not hidden:
        return set()
    a, b = _equations(cells, relations, hidden)
    counted = set(cells) if counts is None else set(counts)
    found: set[Key] = set()
    rank = np.linalg.matrix_rank(a) if a.size else 0
    for j, key in enumerate(hidden):
        unit = np.zeros(len(hidden))
        unit[j] = 1.0
        if a.size and np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            found.add(key)
    if not a.size:
        return found
    bounds = [(0, None) if key in counted else (None, None) for key in hidden]
    for j, key in enumerate(hidden):
        if key in found or key not in counted:
            continue
        objective = np.zeros(len(hidden))
        objective[j] = 1.0
        low = linprog(objective, A_eq=a, b_eq=b, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a, b_eq=b, bounds=bounds, method="highs")
        if low.status == 0 and high.status == 0:
            lo, hi = low.fun, -high.fun
            if math.floor(hi + 1e-9) == math.ceil(lo - 1e-9):
                found.add(key)
    return found


def protect(cells: Mapping[Key, float], relations: Sequence[Relation], rule: CellRule, *,
            counts: Iterable[Key] | None = None, primary: Iterable[Key] = ()) -> set[Key]:
    """The cells to suppress: primary below the rule, secondary until none can be recovered.

    Parameters
    ----------
    cells:
        Every cell that would be published, with its true value.
    relations:
        What readers know about the cells (see :class:`Relation`).
    rule:
        The minimum cell size.
    counts:
        The cells that are counts of persons (primary suppression below the
        rule applies to them); default: all cells.
    primary:
        Further cells to suppress whatever their value (e.g. the sum behind a
        mean of too few persons).

    Returns
    -------
    set
        The keys to suppress; publishing every other cell discloses none of them.

    Examples
    --------
    Three categories of 194 answers, one below 10: a second one goes, so
    the first cannot be had as ``194 - 118 - 72``:

    >>> cells = {"n": 194, "slower": 4, "same": 118, "faster": 72}
    >>> sorted(protect(cells, [Relation("n", ("slower", "same", "faster"))], CellRule(10)))
    ['faster', 'slower']
    """
    counted = set(cells) if counts is None else set(counts)
    hidden = {k for k in counted if k in cells and not cells[k] >= rule.min_cell_size} | set(primary)
    if not hidden:
        return hidden
    while True:
        changed = True
        while changed:
            changed = False
            for relation in relations:
                members = [m for m in relation.members if m in cells]
                if sum(m in hidden for m in members) == 1:
                    pick = _pick(relation, cells, hidden)
                    if pick is not None:
                        hidden.add(pick)
                        changed = True
        exposed = recoverable(cells, relations, hidden, counts=counted)
        if not exposed:
            return hidden
        grown = False
        for key in sorted(exposed, key=str):
            for relation in relations:
                if key in relation.members:
                    pick = _pick(relation, cells, hidden)
                    if pick is not None:
                        hidden.add(pick)
                        grown = True
                        break
        if not grown:  # nothing left to hide around the exposed cells: hide every member of their relations
            hidden |= {m for r in relations for m in r.members if m in cells and set(r.members) & exposed}
            if not recoverable(cells, relations, hidden, counts=counted):
                return hidden
            return set(cells)


def protect_partition(parts: Mapping[Key, float], rule: CellRule) -> set[Key]:
    """The categories of one answered question to suppress (their total, the persons answering, is published).

    >>> sorted(protect_partition({"online": 172, "in person": 111, "hybrid": 6}, CellRule(10)))
    ['hybrid', 'in person']
    >>> protect_partition({"yes": 40, "no": 60}, CellRule(10))
    set()
    """
    total = object()
    cells: dict[Key, float] = {total: float(sum(parts.values())), **{k: float(v) for k, v in parts.items()}}
    hidden = protect(cells, [Relation(total, tuple(parts))], rule)
    return hidden - {total} if total not in hidden else set(parts)


def mask_small(frame: pd.DataFrame, rule: CellRule, count: str, values: Sequence[str] = ()) -> pd.DataFrame:
    """Primary suppression in a table whose rows have no totals in common: a ``count`` below the rule is
    set missing, and so are the row's ``values`` (the statistics resting on it).

    >>> frame = pd.DataFrame({"n": [120, 7], "r": [0.4, 0.9]})
    >>> mask_small(frame, CellRule(10), "n", ["r"]).to_dict("list")
    {'n': [120.0, nan], 'r': [0.4, nan]}
    """
    out = frame.copy()
    if not len(out):
        return out
    small = ~out[count].map(rule.allows).astype(bool)
    out[count] = out[count].astype(float).where(~small)
    for column in values:
        out[column] = out[column].where(~small)
    return out
