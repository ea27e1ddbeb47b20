"""The model's equality constraints as lavaan 0.6-14 writes them: ``==`` rows in the row space.

The fit shares one free parameter among rows with the same label (a user
label, or the labels ``group_equal`` implies). lavaan 0.6-14 instead keeps
every row a parameter of its own and adds an explicit constraint per tied
row: for each label, the first row against each later one,
``.p2. == .p38.`` (``plabel`` of both rows), the labels in the order of
their second appearance; these come after the user's own ``==``
constraints (in the order written). Score tests release these rows one at a
time (:mod:`~ilb_eval.sem.score`); modification indices need them to invert
the information matrix of the constrained model
(:mod:`~ilb_eval.sem.modindices`).

In the row space a label used in a user constraint stands for the first row
that carries it, a ``plabel`` for its own row, as in lavaan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilb_eval.sem.constraints import LabelSpace, linear_system
from ilb_eval.sem.model import SemModel

__all__ = ["Equalities", "SIDE_COLUMNS", "free_rows", "row_equalities"]

#: Columns naming the parameter on each side of a constraint (empty for expressions).
SIDE_COLUMNS = ("left_lhs", "left_op", "left_rhs", "left_group",
                "right_lhs", "right_op", "right_rhs", "right_group")  # fmt: skip


@dataclass(frozen=True)
class Equalities:
    """Equality constraints ``matrix @ x = const`` in the row space.

    Attributes
    ----------
    matrix
        Jacobian of ``lhs - rhs`` of every constraint in the free rows
        (constraints x rows).
    table
        One row per constraint: ``lhs``, ``op``, ``rhs`` as lavaan writes them,
        ``label`` (the label that ties the two rows: the user's, or the first
        row's plabel for ``group_equal``; "" for a user constraint) and
        :data:`SIDE_COLUMNS`: the parameter (lhs, op, rhs, group label) that
        each side names, where a side is a single label.
    """

    matrix: np.ndarray
    table: pd.DataFrame


def free_rows(model: SemModel) -> pd.DataFrame:
    """The free rows of the model's table (lavaan's parameter vector), in table order."""
    table = model.partable.table
    return table[(table["block"] > 0) & (table["free"] > 0)]


def _side(name: str, rows_by_label: dict[str, int], table: pd.DataFrame) -> list[str]:
    r = rows_by_label.get(name)
    if r is None:
        return ["", "", "", ""]
    return [table.at[r, "lhs"], table.at[r, "op"], table.at[r, "rhs"], table.at[r, "group_label"]]


def row_equalities(model: SemModel) -> Equalities:
    """lavaan's ``==`` constraints of a model in the space of its free rows.

    Examples
    --------
    >>> from ilb_eval.sem import cfa
    >>> from ilb_eval.datasets import load_example_growth_data
    >>> data = load_example_growth_data("belastbarkeit")
    >>> res = cfa("f =~ t1 + a*t3 + a*t4", data)
    >>> row_equalities(res.model).table[["lhs", "op", "rhs", "right_rhs"]].values.tolist()
    [['.p2.', '==', '.p3.', 't4']]
    """
    table = model.partable.table
    rows = free_rows(model)
    position = {r: i for i, r in enumerate(rows.index)}
    body = table[table["block"] > 0]
    labels: dict[str, tuple[int, float]] = {}
    rows_by_label: dict[str, int] = {}
    for r in body.index:
        entry = (position[r] + 1 if r in position else 0, float(table.at[r, "ustart"]))
        for name in (table.at[r, "plabel"], table.at[r, "label"]):
            if name and name not in labels:
                labels[name] = entry
                rows_by_label[name] = r
    space = LabelSpace(labels, model.partable.definitions)
    user = sorted((c for c in model.partable.constraints if c.op == "=="),
                  key=lambda c: (c.line, c.column))  # fmt: skip
    matrix, _ = linear_system(space, user, len(rows))
    records = [
        [c.lhs.text, "==", c.rhs.text, "",
         *_side(c.lhs.text, rows_by_label, table), *_side(c.rhs.text, rows_by_label, table)]
        for c in user
    ]  # fmt: skip
    tied: dict[int, list[int]] = {}
    for r, index in zip(rows.index, rows["free"], strict=True):
        tied.setdefault(int(index), []).append(r)
    groups = sorted((members for members in tied.values() if len(members) > 1),
                    key=lambda members: members[1])  # fmt: skip
    extra = []
    for first, *others in groups:
        for other in others:
            line = np.zeros(len(rows))
            line[position[first]] = 1.0
            line[position[other]] = -1.0
            extra.append(line)
            records.append(
                [table.at[first, "plabel"], "==", table.at[other, "plabel"],
                 table.at[first, "label"],
                 *_side(table.at[first, "plabel"], rows_by_label, table),
                 *_side(table.at[other, "plabel"], rows_by_label, table)]
            )  # fmt: skip
    if extra:
        matrix = np.vstack([matrix, np.array(extra)])
    frame = pd.DataFrame(records, columns=["lhs", "op", "rhs", "label", *SIDE_COLUMNS])
    return Equalities(matrix=matrix, table=frame)
