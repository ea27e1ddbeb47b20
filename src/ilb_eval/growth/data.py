"""Checking the data against a specification and splitting it into groups.

Rows are dropped as lavaan's ``growth(..., missing = "fiml")`` drops them:
rows with a missing group value, rows with a missing covariate (fixed.x),
and rows without any observed outcome. Each reason is counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilb_eval.exceptions import InputError, Problem
from ilb_eval.growth.spec import GrowthSpec
from ilb_eval.privacy import DEFAULT_MIN_CELL_SIZE

__all__ = ["GroupData", "PreparedData", "prepare_data"]


@dataclass(frozen=True)
class GroupData:
    """Outcomes (NaN = missing) and complete covariates of one group."""

    label: str
    y: np.ndarray
    x: np.ndarray

    @property
    def n(self) -> int:
        """Number of persons in the group."""
        return int(self.y.shape[0])


@dataclass(frozen=True)
class PreparedData:
    """The groups in label order and the counts of dropped rows by reason."""

    groups: tuple[GroupData, ...]
    n_dropped: dict[str, int]

    @property
    def labels(self) -> tuple[str, ...]:
        """Group labels (``("",)`` for a single group)."""
        return tuple(g.label for g in self.groups)


def _label(value: object) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _numeric(data: pd.DataFrame, columns: tuple[str, ...]) -> np.ndarray:
    problems = []
    for column in columns:
        series = data[column]
        if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
            bad = pd.to_numeric(series, errors="coerce").isna() & series.notna()
            rows = tuple(int(i) + 2 for i in np.flatnonzero(bad.to_numpy())) if bad.any() else ()
            problems.append(
                Problem(
                    code="NOT_NUMERIC",
                    message="the column is not numeric",
                    column=column,
                    rows=rows,
                    expected="numbers (empty cells for missing values)",
                    found=f"values of type {series.dtype}",
                    fix="recode text values and missing-value codes to numbers or empty cells",
                )
            )
    if problems:
        raise InputError(problems)
    values = data.loc[:, list(columns)].to_numpy(dtype=float, na_value=np.nan)
    infinite = np.isinf(values)
    if infinite.any():
        col = int(np.flatnonzero(infinite.any(axis=0))[0])
        raise InputError(
            [
                Problem(
                    code="NOT_FINITE",
                    message="the column contains infinite values",
                    column=columns[col],
                    rows=tuple(int(i) + 2 for i in np.flatnonzero(infinite[:, col])),
                    fix="replace infinite values by valid numbers or empty cells",
                )
            ]
        )
    return values


def prepare_data(
    data: pd.DataFrame, spec: GrowthSpec, *, min_group_size: int = DEFAULT_MIN_CELL_SIZE
) -> PreparedData:
    """Check ``data`` for ``spec`` and split it into groups.

    Parameters
    ----------
    data
        One row per person; outcome, covariate and group columns.
    spec
        The model specification.
    min_group_size
        Smallest number of persons a group of a multi-group model may have
        (the minimum cell size rule, DECISIONS 7; default 10).

    Returns
    -------
    PreparedData

    Raises
    ------
    InputError
        A column is missing, not numeric or holds infinite values, an outcome
        or covariate does not vary (in some group), a group has fewer than
        ``min_group_size`` persons (SMALL_GROUP), or no row is left to fit.
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError(
            f"data must be a pandas DataFrame, got {type(data).__name__}. "
            "Read the file with pandas.read_csv first."
        )
    missing = [c for c in spec.columns if c not in data.columns]
    if missing:
        raise InputError(
            [
                Problem(
                    code="MISSING_COLUMN",
                    message="the column named in the model is not in the data",
                    column=c,
                    fix="check the spelling or pass the right data frame",
                )
                for c in missing
            ]
        )
    y = _numeric(data, spec.outcomes)
    x = _numeric(data, spec.covariates) if spec.covariates else np.empty((len(data), 0))
    keep = np.ones(len(data), dtype=bool)
    dropped: dict[str, int] = {}
    if spec.group is not None:
        group_values = data[spec.group]
        no_group = group_values.isna().to_numpy()
        if no_group.any():
            dropped["missing_group"] = int(no_group.sum())
        keep &= ~no_group
    no_x = np.isnan(x).any(axis=1) & keep
    if no_x.any():
        dropped["missing_covariate"] = int(no_x.sum())
    keep &= ~no_x
    empty = np.isnan(y).all(axis=1) & keep
    if empty.any():
        dropped["no_outcome"] = int(empty.sum())
    keep &= ~empty
    if not keep.any():
        raise InputError(
            "no row has an observed outcome together with complete covariates (and group). "
            "Check the outcome and covariate columns."
        )
    if spec.group is None:
        groups = (GroupData(label="", y=y[keep], x=x[keep]),)
    else:
        values = data[spec.group].to_numpy()[keep]
        distinct = pd.unique(values)
        try:
            distinct = np.sort(distinct)
        except TypeError:
            distinct = np.array(sorted(distinct, key=str), dtype=object)
        if len(distinct) < 2:
            raise InputError(
                [
                    Problem(
                        code="ONE_GROUP",
                        message="the group column has a single value among the rows used",
                        column=spec.group,
                        fix="fit without group=, or check the group column",
                    )
                ]
            )
        yk, xk = y[keep], x[keep]
        groups = tuple(
            GroupData(label=_label(v), y=yk[values == v], x=xk[values == v]) for v in distinct
        )
        small = [g.label for g in groups if g.n < min_group_size]
        if small:
            raise InputError(
                [
                    Problem(
                        code="SMALL_GROUP",
                        message=f"group {label} has fewer than {min_group_size} persons with usable data, "
                        "too few to fit and publish a group of its own",
                        column=spec.group,
                        expected=f"at least {min_group_size} persons per group (minimum cell size)",
                        found=f"fewer than {min_group_size}",
                        fix="merge the small group with another one, or fit without group=",
                    )
                    for label in small
                ]
            )
    for group in groups:
        _check_variation(group, spec)
    return PreparedData(groups=groups, n_dropped=dropped)


def _check_variation(group: GroupData, spec: GrowthSpec) -> None:
    """Every outcome and covariate must vary among the rows used (in each group)."""
    problems = []
    where = f" in group {group.label}" if group.label else ""
    # fmin/fmax reductions skip NaN without copying the column
    spread = np.fmax.reduce(group.y, axis=0) - np.fmin.reduce(group.y, axis=0)
    counts = np.count_nonzero(~np.isnan(group.y), axis=0)
    for j, name in enumerate(spec.outcomes):
        if counts[j] < 2 or not spread[j] > 0:
            problems.append((name, "outcome", int(counts[j])))
    if spec.covariates:
        x_spread = np.ptp(group.x, axis=0)
        for c, name in enumerate(spec.covariates):
            if x_spread[c] == 0:
                problems.append((name, "covariate", group.n))
    if problems:
        raise InputError(
            [
                Problem(
                    code="ZERO_VARIANCE",
                    message=f"the {role} does not vary among the {n} row(s) used{where}",
                    column=name,
                    fix="drop the column from the model or check its values",
                )
                for name, role, n in problems
            ]
        )
