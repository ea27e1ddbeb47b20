"""The parameter table: the single source of truth of a growth model.

One row per model parameter in lavaan's vocabulary (``lhs``, ``op``, ``rhs``;
operators ``=~`` loading, ``~`` regression, ``~~`` (co)variance, ``~1``
intercept or mean), per group, in the order lavaan's ``parameterEstimates()``
lists a ``growth()`` fit. The table is built from a :class:`GrowthSpec`,
drives the model matrices (:mod:`ilb_eval.growth.matrices`), receives the
estimates and is the output.

Column ``free`` numbers the free parameters from 1 (0 = fixed). Rows that
share a non-empty ``label`` share one free parameter: that is how equality
constraints (across groups or over waves) are expressed. Estimated time
scores (a latent basis) are free ``s =~`` rows, shared across groups.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ilb_eval.growth.spec import GrowthSpec

__all__ = ["COLUMNS", "FACTORS", "build_partable"]

#: Columns of the parameter table, in order.
COLUMNS: tuple[str, ...] = (
    "lhs", "op", "rhs", "group", "group_label", "label", "free",
    "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all",
)  # fmt: skip

#: Names of the growth factors (intercept, slope).
FACTORS: tuple[str, str] = ("i", "s")


def _rows_for_group(spec: GrowthSpec, group: int, label: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []

    def add(lhs: str, op: str, rhs: str, free: bool, value: float = np.nan, name: str = "") -> None:
        rows.append(
            {"lhs": lhs, "op": op, "rhs": rhs, "group": group, "group_label": label,
             "label": name, "free": 1 if free else 0, "est": np.nan if free else value}
        )  # fmt: skip

    for y in spec.outcomes:
        add("i", "=~", y, False, 1.0)
    estimated = set(spec.free_time_scores)
    for t, y in zip(spec.time_scores, spec.outcomes, strict=True):
        shared = spec.time_score_label(y) if spec.group is not None else ""
        add("s", "=~", y, y in estimated, float(t), name=shared if y in estimated else "")
    for f in FACTORS:
        for x in spec.covariates:
            add(f, "~", x, True)
    theta_label = ""
    if spec.residual_variances == "equal":
        theta_label = f"th{group}" if spec.group is not None else "th"
    for y in spec.outcomes:
        add(y, "~~", y, True, name=theta_label)
    add("i", "~~", "i", True)
    random_slope = spec.slope_variance == "free"
    add("s", "~~", "s", random_slope, 0.0)
    add("i", "~~", "s", random_slope, 0.0)
    for a, xa in enumerate(spec.covariates):
        for xb in spec.covariates[a:]:
            add(xa, "~~", xb, False)
    for y in spec.outcomes:
        add(y, "~1", "", False, 0.0)
    for x in spec.covariates:
        add(x, "~1", "", False)
    shared = spec.equal_labels()
    for f in FACTORS:
        add(f, "~1", "", True, name=shared.get((f, "~1", ""), ""))
    return rows


def build_partable(spec: GrowthSpec, group_labels: Sequence[str] = ("",)) -> pd.DataFrame:
    """Build the parameter table of ``spec`` for the given groups.

    Parameters
    ----------
    spec
        The model specification.
    group_labels
        Group labels in group order (``("",)`` for a single-group model).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; ``est`` holds the values of fixed rows
        (the covariate moments are filled in at fit time) and NaN for free
        rows; ``se`` and the inference columns are NaN.

    Examples
    --------
    >>> spec = GrowthSpec(outcomes=("y1", "y3", "y4"), time_scores=(0, 2, 3))
    >>> table = build_partable(spec)
    >>> free = table[table["free"] > 0]
    >>> [f"{l} {o} {r}".strip() for l, o, r in zip(free["lhs"], free["op"], free["rhs"], strict=True)]
    ['y1 ~~ y1', 'y3 ~~ y3', 'y4 ~~ y4', 'i ~~ i', 's ~~ s', 'i ~~ s', 'i ~1', 's ~1']
    """
    rows: list[dict[str, object]] = []
    for g, label in enumerate(group_labels, start=1):
        rows.extend(_rows_for_group(spec, g, label))
    table = pd.DataFrame(rows)
    free_ids: dict[str, int] = {}
    numbers = []
    for is_free, name in zip(table["free"].to_numpy(), table["label"].to_numpy(), strict=True):
        if not is_free:
            numbers.append(0)
        elif name and name in free_ids:
            numbers.append(free_ids[name])
        else:
            number = len(free_ids) + 1
            free_ids[name if name else f"\0{number}"] = number
            numbers.append(number)
    table["free"] = np.asarray(numbers, dtype=np.int64)
    for column in COLUMNS[COLUMNS.index("se") :]:
        table[column] = np.nan
    return table.loc[:, list(COLUMNS)]
