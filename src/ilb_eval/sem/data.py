"""Checking a data frame against a model and splitting it into groups (``lavData``).

Rows are used as lavaan uses them with ``missing = "fiml"`` and fixed
covariates: a row with a missing group value or a missing fixed covariate is
dropped (counted and warned about), a row with every model variable missing is
dropped as empty; a row whose covariates are observed but every outcome is
missing is kept (it counts in the sample size and the covariates' sample
moments, and adds nothing to the likelihood of the outcomes). Groups are in
order of first appearance, as in lavaan (or in the order ``group_label`` gives).
Sampling weights are normalised to sum to the total sample size (lavaan's
``sampling.weights.normalization = "total"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ilb_eval.exceptions import InputError, Problem
from ilb_eval.sem.blocks import PatternBlock, pattern_blocks
from ilb_eval.sem.patterns import Pattern, pattern_stats

__all__ = ["GroupData", "SemData", "group_value_label", "prepare_data"]

_DROP_TEXT = {
    "missing_group": "a missing group value",
    "missing_covariate": "a missing covariate",
    "empty": "no observed value of any model variable",
}


@dataclass(frozen=True)
class GroupData:
    """The data of one group and its sufficient statistics.

    Attributes
    ----------
    label
        Group label (``""`` without groups).
    y
        Modelled observed variables (n x p), NaN where missing.
    x
        Fixed covariates (n x q), complete.
    weights
        Normalised sampling weights (n,), or None.
    clusters
        Cluster codes 0..C-1 (n,), or None.
    patterns
        Missing-data patterns with their (weighted) sufficient statistics.
    blocks
        The same patterns stacked by their number of observed variables.
    x_mean, x_cov
        (Weighted) sample mean and covariance (N denominator) of ``x``.
    rows
        Positions of the group's rows in the input data frame.
    """

    label: str
    y: np.ndarray
    x: np.ndarray
    weights: np.ndarray | None
    clusters: np.ndarray | None
    patterns: tuple[Pattern, ...]
    blocks: tuple[PatternBlock, ...]
    x_mean: np.ndarray
    x_cov: np.ndarray
    rows: np.ndarray

    @property
    def n(self) -> int:
        """Number of persons in the group."""
        return int(self.y.shape[0])

    @property
    def n_weighted(self) -> float:
        """Sum of the weights (the number of persons without weights)."""
        return float(self.n if self.weights is None else self.weights.sum())


@dataclass(frozen=True)
class SemData:
    """The groups in group order and what was dropped.

    ``norig`` counts the rows of each group before rows were dropped
    (lavaan's ``norig``: the "Total" column of its summary).
    """

    groups: tuple[GroupData, ...]
    y_names: tuple[str, ...]
    x_names: tuple[str, ...]
    n_dropped: dict[str, int] = field(default_factory=dict)
    norig: tuple[int, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        """Group labels in group order."""
        return tuple(g.label for g in self.groups)

    @property
    def ntotal(self) -> int:
        """Number of persons used."""
        return sum(g.n for g in self.groups)

    def dropped_text(self) -> str:
        """The dropped rows in words (empty when none were dropped)."""
        return "; ".join(f"{n} row(s) with {_DROP_TEXT[k]}" for k, n in self.n_dropped.items())


def group_value_label(value: object) -> str:
    """The group label of a value of the group column (``2.0`` reads ``"2"``).

    >>> group_value_label(2.0), group_value_label("Pasteur")
    ('2', 'Pasteur')
    """
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _numeric(data: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    problems = []
    for column in columns:
        series = data[column]
        if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
            bad = pd.to_numeric(series, errors="coerce").isna() & series.notna()
            rows = tuple(int(i) + 2 for i in np.flatnonzero(bad.to_numpy()))
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
    if not len(columns):
        return np.empty((len(data), 0))
    values = data.loc[:, list(columns)].to_numpy(dtype=float, na_value=np.nan)
    infinite = np.isinf(values)
    if infinite.any():
        raise InputError(
            [
                Problem(
                    code="NOT_FINITE",
                    message="the column contains infinite values",
                    column=columns[c],
                    rows=tuple(int(i) + 2 for i in np.flatnonzero(infinite[:, c])),
                    fix="replace infinite values by valid numbers or empty cells",
                )
                for c in np.flatnonzero(infinite.any(axis=0))
            ]
        )
    return values


def _weights(data: pd.DataFrame, column: str, keep: np.ndarray) -> np.ndarray:
    values = _numeric(data, [column])[:, 0]
    bad = keep & ~(np.isfinite(values) & (values >= 0))
    if bad.any():
        raise InputError(
            [
                Problem(
                    code="BAD_WEIGHTS",
                    message="sampling weights must be non-negative numbers on every row used",
                    column=column,
                    rows=tuple(int(i) + 2 for i in np.flatnonzero(bad)),
                    expected="a weight >= 0 on every row",
                    found="missing or negative weights",
                    fix="fill in or correct the weights, or drop those rows before fitting",
                )
            ]
        )
    if not values[keep].sum() > 0:
        raise InputError(
            [
                Problem(
                    code="BAD_WEIGHTS",
                    message="the sampling weights of the rows used sum to zero",
                    column=column,
                    fix="check the weight column (every weight is 0)",
                )
            ]
        )
    return values


def _clusters(data: pd.DataFrame, column: str, keep: np.ndarray) -> np.ndarray:
    values = data[column]
    missing = values.isna().to_numpy() & keep
    if missing.any():
        raise InputError(
            [
                Problem(
                    code="MISSING_CLUSTER",
                    message="the cluster column has missing values on rows used",
                    column=column,
                    rows=tuple(int(i) + 2 for i in np.flatnonzero(missing)),
                    fix="fill in the cluster of every row, or drop those rows before fitting",
                )
            ]
        )
    codes = pd.factorize(values)[0]
    n_clusters = len(np.unique(codes[keep]))
    if n_clusters < 2:
        raise InputError(
            [
                Problem(
                    code="ONE_CLUSTER",
                    message=f"the cluster column has {n_clusters} cluster among the rows used; "
                    "cluster-robust standard errors need many clusters",
                    column=column,
                    fix="fit without cluster=, or check the cluster column",
                )
            ]
        )
    return codes


def prepare_data(
    data: pd.DataFrame,
    y_names: Sequence[str],
    x_names: Sequence[str],
    *,
    group: str | None = None,
    group_label: Sequence[str] | None = None,
    sampling_weights: str | None = None,
    cluster: str | None = None,
) -> SemData:
    """Check ``data`` for a model's variables and split it into groups.

    Parameters
    ----------
    data
        One row per person.
    y_names, x_names
        Modelled observed variables and fixed covariates.
    group
        Grouping column (multi-group model).
    group_label
        Group labels in the order wanted (default: order of first appearance).
    sampling_weights, cluster
        Weight and cluster columns.

    Returns
    -------
    SemData

    Raises
    ------
    InputError
        A model variable or named column is not in the data, a column is not
        numeric or holds infinite values, bad weights, a single cluster, or
        no row is left.

    Examples
    --------
    >>> frame = pd.DataFrame({"y": [1.0, 2.0, None, 4.0], "x": [0.0, 1.0, 1.0, None]})
    >>> prepared = prepare_data(frame, ["y"], ["x"])
    >>> prepared.ntotal, prepared.n_dropped
    (3, {'missing_covariate': 1})
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError(
            f"data must be a pandas DataFrame, got {type(data).__name__}. "
            "Read the file with pandas.read_csv (or ilb_eval.io) first."
        )
    y_names, x_names = tuple(y_names), tuple(x_names)
    named = [*y_names, *x_names]
    extra = [c for c in (group, sampling_weights, cluster) if c is not None]
    missing = [c for c in dict.fromkeys(named + extra) if c not in data.columns]
    if missing:
        raise InputError(
            [
                Problem(
                    code="MISSING_COLUMN",
                    message="a variable named in the model (or as group, weights or cluster) "
                    "is not a column of the data; names that are not latent variables "
                    "(left of =~) must be data columns",
                    column=c,
                    fix="check the spelling in the model syntax, or define it as a latent "
                    "variable with =~",
                )
                for c in missing
            ]
        )
    y = _numeric(data, y_names)
    x = _numeric(data, x_names)
    keep = np.ones(len(data), dtype=bool)
    dropped: dict[str, int] = {}
    if group is not None:
        no_group = data[group].isna().to_numpy()
        if no_group.any():
            dropped["missing_group"] = int(no_group.sum())
        keep &= ~no_group
    no_x = np.isnan(x).any(axis=1) & keep
    if no_x.any():
        dropped["missing_covariate"] = int(no_x.sum())
    keep &= ~no_x
    empty = np.isnan(y).all(axis=1) & keep & (x.shape[1] == 0)
    if empty.any():
        dropped["empty"] = int(empty.sum())
    keep &= ~empty
    if not keep.any():
        raise InputError(
            "no row has an observed model variable together with complete covariates (and "
            "group). Check the columns named in the model."
        )
    weights = _weights(data, sampling_weights, keep) if sampling_weights else None
    clusters = _clusters(data, cluster, keep) if cluster else None
    if group is None:
        members = [("", np.flatnonzero(keep))]
        norig = (len(data),)
    else:
        labels = np.array([group_value_label(v) for v in data[group].to_numpy()], dtype=object)
        order = list(dict.fromkeys(labels[keep]))
        if group_label is not None:
            wanted = [str(g) for g in group_label]
            unknown = [g for g in order if g not in wanted]
            if unknown:
                raise InputError(
                    f"group_label does not list the group value(s) {', '.join(unknown)} found "
                    f"in column {group!r}. List every group label."
                )
            order = [g for g in wanted if g in order]
        if len(order) < 2:
            raise InputError(
                [
                    Problem(
                        code="ONE_GROUP",
                        message="the group column has a single value among the rows used",
                        column=group,
                        fix="fit without group=, or check the group column",
                    )
                ]
            )
        members = [(g, np.flatnonzero(keep & (labels == g))) for g in order]
        norig = tuple(int(np.sum(~no_group & (labels == g))) for g in order)
    if weights is not None:
        total_n = int(keep.sum())
        weights = weights / weights[keep].sum() * total_n
    groups = []
    for label, rows in members:
        y_g, x_g = y[rows], x[rows]
        w_g = None if weights is None else weights[rows]
        c_g = None if clusters is None else pd.factorize(clusters[rows])[0]
        if w_g is None:
            x_mean = x_g.mean(axis=0)
            centred = x_g - x_mean
            x_cov = centred.T @ centred / len(rows)
        else:
            x_mean = (w_g @ x_g) / w_g.sum()
            centred = x_g - x_mean
            x_cov = (centred * w_g[:, None]).T @ centred / w_g.sum()
        patterns = tuple(pattern_stats(y_g, x_g, w_g))
        groups.append(
            GroupData(
                label=label,
                y=y_g,
                x=x_g,
                weights=w_g,
                clusters=c_g,
                patterns=patterns,
                blocks=pattern_blocks(patterns, y_g.shape[1]),
                x_mean=x_mean,
                x_cov=x_cov,
                rows=rows,
            )
        )
    return SemData(groups=tuple(groups), y_names=y_names, x_names=x_names, n_dropped=dropped,
                   norig=norig)  # fmt: skip
