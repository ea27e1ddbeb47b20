"""From parsed syntax to lavaan's parameter table (``lavaanify``), one group or several.

The parameter table is the model (DECISIONS 2): one row per parameter in
lavaan's vocabulary (``lhs``, ``op``, ``rhs``, ``group``), with whether it is
free (``free`` > 0: the index of the estimated parameter; rows constrained
equal share one index), its fixed or start value (``ustart``), its ``label``
and lavaan's ``plabel`` (``.p<id>.``). Rows are ordered as lavaan orders
them: the user's formulas first, then the defaults lavaan adds (residual
variances, factor variances, covariances of exogenous factors and of
endogenous residuals, the fixed covariates' moments, intercepts), the whole
block once per group, then constraints (``==``, ``<``, ``>``) and defined
parameters (``:=``) in the order written.

Defaults follow ``lav_partable_flat`` of lavaan 0.6-14 for ``cfa``, ``sem``
and ``growth`` (see :class:`~ilb_eval.sem.options.ModelOptions`); the variable
roles follow ``lav_partable_vnames`` (:class:`VariableNames`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from ilb_eval.exceptions import IlbEvalWarning, SpecError
from ilb_eval.sem.options import ModelOptions
from ilb_eval.sem.syntax import Constraint, Definition, ParsedModel, Term

__all__ = ["PARTABLE_COLUMNS", "ParTable", "VariableNames", "build_partable", "variable_names"]

#: Columns of the parameter table, as lavaan's ``parTable()``.
PARTABLE_COLUMNS = ("id", "lhs", "op", "rhs", "user", "block", "group", "free", "ustart",
                    "exo", "label", "plabel", "lower", "upper")  # fmt: skip


def _unique(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))


@dataclass(frozen=True)
class VariableNames:
    """The roles of the model's variables (lavaan's ``lavNames`` types).

    Attributes
    ----------
    lv
        Latent variables (left of ``=~``), in order of appearance.
    ov
        Observed variables: indicators, then dependent observed variables,
        then exogenous covariates, then any other observed variable mentioned.
    ov_x
        Observed exogenous covariates (predictors only, no variance, covariance
        or intercept written by the user): fixed under ``fixed_x``.
    ov_nox
        Observed variables that are modelled (``ov`` without ``ov_x``).
    lv_x, lv_y
        Exogenous latent variables; purely dependent latent variables.
    ov_y
        Purely dependent observed variables (left of ``~`` only).
    ov_ind
        Observed indicators of latent variables.
    """

    lv: tuple[str, ...]
    ov: tuple[str, ...]
    ov_x: tuple[str, ...]
    ov_nox: tuple[str, ...]
    lv_x: tuple[str, ...]
    lv_y: tuple[str, ...]
    ov_y: tuple[str, ...]
    ov_ind: tuple[str, ...]


def variable_names(
    rows: Sequence[tuple[str, str, str]], user_rows: Sequence[tuple[str, str, str]] | None = None
) -> VariableNames:
    """Variable roles from ``(lhs, op, rhs)`` rows (``lav_partable_vnames``).

    Parameters
    ----------
    rows
        The rows of the model (the user's formulas, or a whole table).
    user_rows
        The rows written by the user (for the rule that a covariate with a
        user-written variance, covariance or intercept is not fixed);
        defaults to ``rows``.

    Examples
    --------
    >>> names = variable_names([("f", "=~", "y1"), ("f", "=~", "y2"), ("f", "~", "x")])
    >>> names.lv, names.ov, names.ov_x
    (('f',), ('y1', 'y2', 'x'), ('x',))
    """
    user_rows = rows if user_rows is None else user_rows
    lv = _unique([lhs for lhs, op, _ in rows if op == "=~"])
    lv_set = set(lv)
    eqs_y = _unique([lhs for lhs, op, _ in rows if op == "~"])
    eqs_x = _unique([rhs for _, op, rhs in rows if op == "~"])
    v_ind = _unique([rhs for _, op, rhs in rows if op == "=~"])
    ov_ind = [v for v in v_ind if v not in lv_set]
    ov_y_all = [v for v in eqs_y if v not in lv_set and v not in ov_ind]
    ov_x = [v for v in eqs_x if v not in lv_set and v not in ov_ind and v not in ov_y_all]
    ov_cov = [lhs for lhs, op, _ in rows if op == "~~" and lhs not in lv_set] + [
        rhs for _, op, rhs in rows if op == "~~" and rhs not in lv_set
    ]
    ov_int = [lhs for lhs, op, _ in rows if op == "~1" and lhs not in lv_set]
    base = ov_ind + ov_y_all + ov_x
    ov = base + [v for v in _unique(ov_cov + ov_int) if v not in base]
    mentioned = {lhs for lhs, op, _ in user_rows if op in ("~1", "~~")} | {
        rhs for _, op, rhs in user_rows if op == "~~"
    }
    ov_x = [v for v in ov_x if v not in mentioned]
    ov_nox = [v for v in ov if v not in ov_x]
    lv_x = [v for v in lv if v not in v_ind and v not in eqs_y]
    lv_y = [v for v in lv if v in eqs_y and v not in v_ind and v not in eqs_x]
    pure_y = {v for v in eqs_y if v not in v_ind and v not in eqs_x and v not in lv_set}
    ov_y = [v for v in ov if v in pure_y]
    return VariableNames(
        lv=tuple(lv),
        ov=tuple(ov),
        ov_x=tuple(ov_x),
        ov_nox=tuple(ov_nox),
        lv_x=tuple(lv_x),
        lv_y=tuple(lv_y),
        ov_y=tuple(ov_y),
        ov_ind=tuple(ov_ind),
    )


@dataclass(frozen=True)
class ParTable:
    """The parameter table and what was derived with it.

    Attributes
    ----------
    table
        One row per parameter (columns :data:`PARTABLE_COLUMNS` plus
        ``group_label``), constraints and definitions at the end.
    names
        Variable roles.
    group_labels
        Group labels in group order (``("",)`` for one group).
    constraints
        The user's ``==``, ``<`` and ``>`` constraints (parsed).
    definitions
        The user's ``:=`` definitions (parsed).
    n_free
        Number of distinct free parameters (equal labels share one).
    """

    table: pd.DataFrame
    names: VariableNames
    group_labels: tuple[str, ...]
    constraints: tuple[Constraint, ...]
    definitions: tuple[Definition, ...]
    n_free: int

    @property
    def ngroups(self) -> int:
        """Number of groups."""
        return len(self.group_labels)

    def label_values(self) -> dict[str, tuple[int, float]]:
        """Every label and plabel with ``(free index, fixed value)`` (free index 0: fixed)."""
        out: dict[str, tuple[int, float]] = {}
        body = self.table[self.table["block"] > 0]
        for label, plabel, free, ustart in zip(
            body["label"], body["plabel"], body["free"], body["ustart"], strict=True
        ):
            value = (int(free), float(ustart))
            out.setdefault(plabel, value)
            if label:
                out.setdefault(label, value)
        return out


class _Rows:
    """Column lists of one group's block while it is assembled."""

    def __init__(self) -> None:
        self.lhs: list[str] = []
        self.op: list[str] = []
        self.rhs: list[str] = []
        self.user: list[int] = []
        self.term: list[int] = []  # index of the user term (-1: default row)

    def add(self, lhs: str, op: str, rhs: str, user: int, term: int = -1) -> None:
        self.lhs.append(lhs)
        self.op.append(op)
        self.rhs.append(rhs)
        self.user.append(user)
        self.term.append(term)

    def keys(self) -> list[tuple[str, str, str]]:
        return list(zip(self.lhs, self.op, self.rhs, strict=True))


def _reorder_covariances(terms: Sequence[Term], names: VariableNames) -> list[tuple[str, str, str]]:
    """User rows with covariances written in lavaan's order (lv first, then ov order)."""
    order = {v: i for i, v in enumerate(names.lv + names.ov)}
    rows = []
    for t in terms:
        lhs, rhs = t.lhs, t.rhs
        if t.op == "~~" and lhs != rhs and order.get(lhs, 0) > order.get(rhs, 0):
            lhs, rhs = rhs, lhs
        rows.append((lhs, t.op, rhs))
    return rows


def _default_rows(names: VariableNames) -> list[tuple[str, str, str]]:
    """lavaan's default elements of one block, in lavaan's order."""
    rows = [(v, "~~", v) for v in names.ov_nox + names.lv]
    if len(names.lv_x) > 1:
        rows += [(a, "~~", b) for a, b in combinations(names.lv_x, 2)]
    lvov_y = names.lv_y + names.ov_y
    if len(lvov_y) > 1:
        rows += [(a, "~~", b) for a, b in combinations(lvov_y, 2)]
    x = names.ov_x
    rows += [(x[j], "~~", x[i]) for j in range(len(x)) for i in range(j, len(x))]
    rows += [(v, "~1", "") for v in names.ov + names.lv]
    return rows


def _vector(values: tuple, ngroups: int, what: str, term: Term) -> list | None:
    if not values:
        return None
    if len(values) == 1:
        return list(values) * ngroups
    if len(values) != ngroups:
        raise SpecError(
            f"model syntax, line {term.line}: the {what} vector of "
            f"'{term.lhs} {term.op} {term.rhs}' has {len(values)} values but the data "
            f"have {ngroups} group(s). Give one value per group, e.g. c(a1, a2)*{term.rhs or 1}."
        )
    return list(values)


def build_partable(
    parsed: ParsedModel, options: ModelOptions, group_labels: Sequence[str] = ("",)
) -> ParTable:
    """lavaan's parameter table for a parsed model.

    Parameters
    ----------
    parsed
        The parsed model syntax.
    options
        Entry point and options (defaults as lavaan's function of that name).
    group_labels
        Group labels in group order (``("",)`` for a single group).

    Returns
    -------
    ParTable

    Raises
    ------
    SpecError
        A per-group modifier vector of the wrong length, or a latent variable
        measured by itself.

    Examples
    --------
    >>> from ilb_eval.sem.syntax import parse_model
    >>> pt = build_partable(parse_model("f =~ y1 + y2 + y3"), ModelOptions("cfa"))
    >>> pt.table[["lhs", "op", "rhs", "free"]].head(4).values.tolist()
    [['f', '=~', 'y1', 0], ['f', '=~', 'y2', 1], ['f', '=~', 'y3', 2], ['y1', '~~', 'y1', 3]]
    """
    terms = list(parsed.terms)
    for t in terms:
        if t.op == "=~" and t.lhs == t.rhs:
            raise SpecError(
                f"model syntax, line {t.line}: latent variable '{t.lhs}' cannot be measured by "
                "itself. Name its indicators on the right of =~."
            )
    raw = [(t.lhs, t.op, t.rhs) for t in terms]
    names = variable_names(raw)
    user_keys = _reorder_covariances(terms, names)
    ngroups = len(group_labels)
    equal = set(options.group_equal) if ngroups > 1 else set()

    block = _Rows()
    seen: dict[tuple[str, str, str], int] = {}
    for index, key in enumerate(user_keys):
        if key in seen:
            warnings.warn(
                f"model syntax, line {terms[index].line}: '{' '.join(key).strip()}' is given "
                "twice; the repetition is ignored.",
                IlbEvalWarning,
                stacklevel=3,
            )
            continue
        seen[key] = index
        block.add(*key, user=1, term=index)
    for key in _default_rows(names):
        if key not in seen:
            block.add(*key, user=0)

    lhs = np.array(block.lhs, dtype=object)
    op = np.array(block.op, dtype=object)
    rhs = np.array(block.rhs, dtype=object)
    user = np.array(block.user)
    n_rows = len(lhs)
    free = np.ones(n_rows, dtype=bool)
    ustart = np.full(n_rows, np.nan)
    exo = np.zeros(n_rows, dtype=int)
    lv = set(names.lv)
    ov = set(names.ov)
    ov_x = set(names.ov_x)
    is_var = (op == "~~") & (lhs == rhs)
    is_lv_var = is_var & np.isin(lhs, list(lv))

    if options.std_lv:
        ustart[is_lv_var] = 1.0
        free[is_lv_var] = False
    else:  # fix the first loading of every factor (user rows come first)
        first = {}
        for i in np.flatnonzero(op == "=~"):
            first.setdefault(lhs[i], i)
        idx = list(first.values())
        ustart[idx] = 1.0
        free[idx] = False
    # single-indicator factors: residual variance of the indicator fixed at 0
    loadings = [(a, b) for a, o, b in zip(lhs, op, rhs, strict=True) if o == "=~"]
    indicator_count: dict[str, int] = {}
    for _, b in loadings:
        indicator_count[b] = indicator_count.get(b, 0) + 1
    per_factor: dict[str, list[str]] = {}
    for a, b in loadings:
        per_factor.setdefault(a, []).append(b)
    singles = {
        inds[0]
        for f, inds in per_factor.items()
        if len(inds) == 1 and inds[0] != f and indicator_count[inds[0]] == 1
    }
    idx = is_var & np.isin(lhs, list(singles)) & (user == 0)
    ustart[idx] = 0.0
    free[idx] = False
    if options.orthogonal:
        idx = (op == "~~") & (lhs != rhs) & np.isin(lhs, list(lv)) & np.isin(rhs, list(lv))
        idx &= user == 0
        ustart[idx] = 0.0
        free[idx] = False
    is_int = op == "~1"
    if not options.int_ov_free:
        idx = is_int & np.isin(lhs, list(ov)) & (user == 0)
        ustart[idx] = 0.0
        free[idx] = False
    if not options.int_lv_free:
        idx = is_int & np.isin(lhs, list(lv)) & (user == 0)
        ustart[idx] = 0.0
        free[idx] = False
    if options.fixed_x and ov_x:
        idx = (op == "~~") & np.isin(lhs, list(ov_x)) & np.isin(rhs, list(ov_x)) & (user == 0)
        idx |= is_int & np.isin(lhs, list(ov_x)) & (user == 0)
        free[idx] = False
        exo[idx] = 1

    # replicate per group, with lavaan's changes for groups 2, 3, ...
    group = np.repeat(np.arange(1, ngroups + 1), n_rows)
    lhs_all = np.tile(lhs, ngroups)
    op_all = np.tile(op, ngroups)
    rhs_all = np.tile(rhs, ngroups)
    user_all = np.tile(user, ngroups)
    free_all = np.tile(free, ngroups)
    ustart_all = np.tile(ustart, ngroups)
    exo_all = np.tile(exo, ngroups)
    term_all = np.tile(np.array(block.term), ngroups)
    later = group > 1
    if not options.int_lv_free and "intercepts" in equal and "means" not in equal:
        idx = later & (op_all == "~1") & np.isin(lhs_all, list(lv)) & (user_all == 0)
        free_all[idx] = True
        ustart_all[idx] = np.nan
    if options.std_lv and "loadings" in equal and "lv.variances" not in equal:
        idx = later & np.tile(is_lv_var, ngroups) & (user_all == 0)
        free_all[idx] = True
        ustart_all[idx] = np.nan

    # the user's modifiers
    n_all = len(lhs_all)
    label = np.array([""] * n_all, dtype=object)
    lower = np.full(n_all, -np.inf)
    upper = np.full(n_all, np.inf)
    has_bounds = False
    single_label_warning = False
    for index, t in enumerate(terms):
        rows_t = np.flatnonzero(term_all == index)
        if not len(rows_t):
            continue
        mod = t.modifiers
        fixed = _vector(mod.fixed, ngroups, "fixed-value", t)
        start = _vector(mod.start, ngroups, "start-value", t)
        labels = _vector(mod.label, ngroups, "label", t)
        lows = _vector(mod.lower, ngroups, "lower-bound", t)
        ups = _vector(mod.upper, ngroups, "upper-bound", t)
        if ngroups > 1 and len(mod.label) == 1 and not options.group_equal:
            single_label_warning = True
        if fixed is not None:
            for r, value in zip(rows_t, fixed, strict=True):
                if value is None:
                    free_all[r] = True
                    ustart_all[r] = np.nan
                else:
                    free_all[r] = False
                    ustart_all[r] = float(value)
        if start is not None:
            for r, value in zip(rows_t, start, strict=True):
                ustart_all[r] = np.nan if value is None else float(value)
        if labels is not None:
            for r, value in zip(rows_t, labels, strict=True):
                label[r] = value or ""
        if lows is not None:
            has_bounds = True
            for r, value in zip(rows_t, lows, strict=True):
                lower[r] = -np.inf if value is None else float(value)
        if ups is not None:
            has_bounds = True
            for r, value in zip(rows_t, ups, strict=True):
                upper[r] = np.inf if value is None else float(value)
    if single_label_warning:
        warnings.warn(
            "a single label on a parameter of a multi-group model makes it equal in every group "
            "(as in lavaan); write one label per group, c(a1, a2)*x, if that is not intended.",
            IlbEvalWarning,
            stacklevel=3,
        )
    if has_bounds:
        fixed_rows = ~free_all
        lower[fixed_rows] = ustart_all[fixed_rows]
        upper[fixed_rows] = ustart_all[fixed_rows]

    # equality labels (lav_partable_labels): user labels, group.equal, group.partial
    base = np.array([f"{a}{o}{b}" for a, o, b in zip(lhs_all, op_all, rhs_all, strict=True)],
                    dtype=object)  # fmt: skip
    virtual = np.array(
        [b if g == 1 else f"{b}.g{g}" for b, g in zip(base, group, strict=True)], dtype=object
    )
    if equal:
        nox = set(names.ov_nox)
        first = group == 1
        flag = np.zeros(n_all, dtype=bool)
        if "loadings" in equal:
            flag |= first & (op_all == "=~")
        if "intercepts" in equal:
            flag |= first & (op_all == "~1") & np.isin(lhs_all, list(nox))
        if "means" in equal:
            flag |= first & (op_all == "~1") & np.isin(lhs_all, list(lv))
        if "regressions" in equal:
            flag |= first & (op_all == "~")
        cov = op_all == "~~"
        if "residuals" in equal:
            flag |= first & cov & np.isin(lhs_all, list(nox)) & (lhs_all == rhs_all)
        if "residual.covariances" in equal:
            flag |= first & cov & np.isin(lhs_all, list(nox)) & (lhs_all != rhs_all)
        if "lv.variances" in equal:
            flag |= first & cov & np.isin(lhs_all, list(lv)) & (lhs_all == rhs_all)
        if "lv.covariances" in equal:
            flag |= first & cov & np.isin(lhs_all, list(lv)) & (lhs_all != rhs_all)
        if options.group_partial:
            flag &= ~np.isin(virtual, list(options.group_partial))
        for ref in np.flatnonzero(flag):
            same = later & (base == base[ref])
            virtual[same] = virtual[ref]
    has_label = label != ""
    virtual[has_label] = label[has_label]

    ids = np.arange(1, n_all + 1)
    plabel = np.array([f".p{i}." for i in ids], dtype=object)
    # duplicated labels: fixed wins (all fixed), else one shared free parameter
    share = np.arange(n_all)
    groups_of_label: dict[str, list[int]] = {}
    for r, v in enumerate(virtual):
        groups_of_label.setdefault(v, []).append(r)
    for rows_l in groups_of_label.values():
        if len(rows_l) < 2:
            continue
        rows_arr = np.array(rows_l)
        fixed_rows = rows_arr[~free_all[rows_arr]]
        if len(fixed_rows):
            value = ustart_all[fixed_rows[0]]
            if not np.all(ustart_all[fixed_rows] == value):
                warnings.warn(
                    f"parameters labelled '{virtual[rows_arr[0]]}' are fixed at different values; "
                    "the first value is used for all (as in lavaan).",
                    IlbEvalWarning,
                    stacklevel=3,
                )
            ustart_all[rows_arr] = value
            free_all[rows_arr] = False
        else:
            share[rows_arr] = rows_arr[0]
            empty = rows_arr[label[rows_arr] == ""]
            label[empty] = plabel[rows_arr[0]]
    free_index = np.zeros(n_all, dtype=int)
    counter = 0
    for r in range(n_all):
        if not free_all[r]:
            continue
        if share[r] != r:
            free_index[r] = free_index[share[r]]
        else:
            counter += 1
            free_index[r] = counter

    labels_out = [str(g) for g in group_labels]
    table = pd.DataFrame(
        {
            "id": ids,
            "lhs": lhs_all.astype(str),
            "op": op_all.astype(str),
            "rhs": rhs_all.astype(str),
            "user": user_all.astype(int),
            "block": group.astype(int),
            "group": group.astype(int),
            "free": free_index,
            "ustart": ustart_all,
            "exo": exo_all.astype(int),
            "label": label.astype(str),
            "plabel": plabel.astype(str),
            "lower": lower,
            "upper": upper,
            "group_label": [labels_out[g - 1] for g in group],
        }
    )
    extra = sorted(
        [*parsed.constraints, *parsed.definitions], key=lambda c: (c.line, c.column)
    )
    if extra:
        rows_extra = []
        for k, item in enumerate(extra, start=n_all + 1):
            if isinstance(item, Definition):
                lhs_e, op_e, rhs_e, label_e = item.name, ":=", item.expression.text, item.name
            else:
                lhs_e, op_e, rhs_e, label_e = item.lhs.text, item.op, item.rhs.text, ""
            rows_extra.append(
                {"id": k, "lhs": lhs_e, "op": op_e, "rhs": rhs_e, "user": 1, "block": 0,
                 "group": 0, "free": 0, "ustart": np.nan, "exo": 0, "label": label_e,
                 "plabel": "", "lower": -np.inf, "upper": np.inf, "group_label": ""}
            )  # fmt: skip
        table = pd.concat([table, pd.DataFrame(rows_extra)], ignore_index=True)
    return ParTable(
        table=table,
        names=names,
        group_labels=tuple(labels_out),
        constraints=tuple(parsed.constraints),
        definitions=tuple(parsed.definitions),
        n_free=counter,
    )
