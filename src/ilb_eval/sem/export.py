"""The lavaan model syntax and R call that reproduce a fit (``SemResults.to_lavaan()``).

:func:`model_syntax` writes the model back as lavaan syntax from the
parameter table: every formula the user wrote, with the modifiers that make
it differ from the defaults of the entry point (fixed values, ``NA*`` to free
a marker loading, labels, ``start()``, ``lower()``/``upper()``, per-group
vectors ``c(...)``), then the constraints and defined parameters. Which
modifiers are needed is decided against the table the same formulas give
without modifiers, so the syntax parses (with :func:`~ilb_eval.sem.parse_model`
and the same options) into the same parameter table. Labels lavaan makes for
``group.equal`` (``.p2.``) are not written: the option recreates them.

:func:`to_lavaan` wraps it in R code: the model string and the call of
lavaan's function of the same name with every option of the fit.

Examples
--------
>>> from ilb_eval.datasets import load_example_growth_data
>>> from ilb_eval.sem import growth
>>> res = growth("i =~ 1*t1 + 1*t3 + 1*t4; s =~ 0*t1 + 2*t3 + 3*t4; s ~ b*ilb",
...              load_example_growth_data("selbststaendigkeit"))
>>> print(model_syntax(res.model.partable, res.options))
i =~ 1*t1 + 1*t3 + 1*t4
s =~ 0*t1 + 2*t3 + 3*t4
s ~ b*ilb
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ilb_eval.sem.options import ModelOptions
from ilb_eval.sem.partable import ParTable, build_partable
from ilb_eval.sem.syntax import Modifiers, ParsedModel, Term

if TYPE_CHECKING:
    from ilb_eval.sem.results import SemResults

__all__ = ["model_syntax", "r_call", "to_lavaan"]

_Key = tuple[str, str, str]


def _number(value: float) -> str:
    """A number as lavaan syntax and R read it back exactly (shortest round-trip form)."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _vector(values: Sequence[str]) -> str:
    """One value for every group, or ``c(...)`` when the groups differ."""
    if len(set(values)) == 1:
        return values[0]
    return f"c({', '.join(values)})"


def _user_keys(body: pd.DataFrame) -> list[_Key]:
    rows = body[body["user"] == 1]
    keys = zip(rows["lhs"], rows["op"], rows["rhs"], strict=True)
    return list(dict.fromkeys((str(a), str(b), str(c)) for a, b, c in keys))


def _rows_by_key(body: pd.DataFrame) -> dict[_Key, pd.DataFrame]:
    out: dict[_Key, pd.DataFrame] = {}
    for key, rows in body.groupby(["lhs", "op", "rhs"], sort=False):
        out[(str(key[0]), str(key[1]), str(key[2]))] = rows.sort_values("group")
    return out


def _fixed(rows: pd.DataFrame) -> list[float | None]:
    """Fixed value per group (None: free)."""
    free = rows["free"].to_numpy() > 0
    values = rows["ustart"].to_numpy(dtype=float)
    return [None if f else float(v) for f, v in zip(free, values, strict=True)]


def _modifier_terms(
    rhs: str, rows: pd.DataFrame, bare: pd.DataFrame, *, show_fixed: bool = False
) -> list[str]:
    """The terms for one formula: ``rhs`` alone, or one term per modifier it needs.

    A fixed value is written where it differs from the default, or, with
    ``show_fixed``, wherever the parameter is fixed (``1*y1`` of a growth factor).
    """
    free = rows["free"].to_numpy() > 0
    ustart = rows["ustart"].to_numpy(dtype=float)
    fixed = _fixed(rows)
    terms = []
    if fixed != _fixed(bare) or (show_fixed and None not in fixed):
        terms.append(_vector(["NA" if v is None else _number(v) for v in fixed]))
    labels = [
        str(mine) if str(mine) != str(auto) else ""
        for mine, auto in zip(rows["label"], bare["label"], strict=True)
    ]
    if any(labels):
        if all(labels):  # one label per group: an equal label is an equality, written out
            terms.append(labels[0] if len(labels) == 1 else f"c({', '.join(labels)})")
        else:  # some groups without a label: quoted labels and NA, as lavaan reads them
            quoted = [f'"{label}"' if label else "NA" for label in labels]
            terms.append(f"c({', '.join(quoted)})")
    starts = [_number(v) if f and math.isfinite(v) else "NA" for f, v in zip(free, ustart,
                                                                             strict=True)]  # fmt: skip
    if any(s != "NA" for s in starts):
        terms.append(f"start({_vector(starts)})")
    for bound, infinite in (("lower", -np.inf), ("upper", np.inf)):
        values = rows[bound].to_numpy(dtype=float)
        written = [_number(v) if f and v != infinite else "NA" for f, v in zip(free, values,
                                                                              strict=True)]  # fmt: skip
        if any(w != "NA" for w in written):
            terms.append(f"{bound}({_vector(written)})")
    target = "1" if rhs == "" else rhs
    if not terms:
        return [target]
    return [f"{modifier}*{target}" for modifier in terms]


def model_syntax(partable: ParTable, options: ModelOptions) -> str:
    """lavaan model syntax that gives ``partable`` again with the same options.

    Parameters
    ----------
    partable
        The parameter table of a fit (``SemResults.model.partable``).
    options
        The fit's options (the entry point decides which values are defaults).

    Returns
    -------
    str
        One statement per line: the formulas in the table's order, then the
        constraints and defined parameters in the order they were written.

    Examples
    --------
    >>> from ilb_eval.sem.syntax import parse_model
    >>> table = build_partable(parse_model("f =~ NA*x1 + x2 + b*x3; f ~~ 1*f; x1 ~ start(2)*1"),
    ...                        ModelOptions("cfa"))
    >>> print(model_syntax(table, ModelOptions("cfa")))
    f =~ NA*x1 + x2 + b*x3
    f ~~ 1*f
    x1 ~ start(2)*1
    """
    table = partable.table
    body = table[table["block"] > 0]
    keys = _user_keys(body)
    bare_terms = tuple(Term(lhs, op, rhs, Modifiers(), 0, 0) for lhs, op, rhs in keys)
    bare = build_partable(ParsedModel(bare_terms, (), ()), options, partable.group_labels).table
    actual_rows = _rows_by_key(body)
    bare_rows = _rows_by_key(bare[bare["block"] > 0])
    # where a factor has loadings fixed at other values than the default, write all of them
    # (i =~ 1*y1 + 1*y2, not i =~ y1 + 1*y2)
    explicit = {
        lhs
        for lhs, op, rhs in keys
        if op == "=~" and _fixed(actual_rows[(lhs, op, rhs)]) != _fixed(bare_rows[(lhs, op, rhs)])
    }
    lines: list[str] = []
    previous: tuple[str, str] | None = None
    for lhs, op, rhs in keys:
        terms = _modifier_terms(rhs, actual_rows[(lhs, op, rhs)], bare_rows[(lhs, op, rhs)],
                                show_fixed=op == "=~" and lhs in explicit)  # fmt: skip
        written_op = "~" if op == "~1" else op
        if previous == (lhs, op):
            lines[-1] += " + " + " + ".join(terms)
        else:
            lines.append(f"{lhs} {written_op} " + " + ".join(terms))
        previous = (lhs, op)
    extras = sorted([*partable.constraints, *partable.definitions], key=lambda item: item.line)
    for item in extras:
        if hasattr(item, "name"):
            lines.append(f"{item.name} := {item.expression.text}")
        else:
            lines.append(f"{item.lhs.text} {item.op} {item.rhs.text}")
    return "\n".join(lines)


def _r_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _r_value(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, list | tuple):
        return "c(" + ", ".join(_r_value(v) for v in value) + ")"
    return _r_string(str(value))


def r_call(options: ModelOptions, group_labels: Sequence[str], data_name: str = "dat") -> str:
    """The call of lavaan's ``cfa``/``sem``/``growth`` with every option of the fit.

    Examples
    --------
    >>> print(r_call(ModelOptions("cfa", group="school", group_equal=("loadings",),
    ...                           estimator="MLR"), ["Pasteur", "Grant-White"]))
    cfa(model, data = dat, missing = "fiml", estimator = "MLR", std.lv = FALSE,
        orthogonal = FALSE, fixed.x = TRUE, group = "school",
        group.label = c("Pasteur", "Grant-White"), group.equal = c("loadings"))
    """
    arguments: list[tuple[str, object]] = [
        ("missing", "fiml"),
        ("estimator", options.estimator),
        ("std.lv", bool(options.std_lv)),
        ("orthogonal", bool(options.orthogonal)),
        ("fixed.x", bool(options.fixed_x)),
    ]
    if options.group is not None:
        arguments += [("group", options.group), ("group.label", list(group_labels))]
        if options.group_equal:
            arguments.append(("group.equal", list(options.group_equal)))
        if options.group_partial:
            arguments.append(("group.partial", list(options.group_partial)))
    if options.sampling_weights is not None:
        arguments.append(("sampling.weights", options.sampling_weights))
    if options.cluster is not None:
        arguments.append(("cluster", options.cluster))
    parts = ["model", f"data = {data_name}"] + [f"{k} = {_r_value(v)}" for k, v in arguments]
    head = f"{options.function}("
    lines, line = [], head
    for i, part in enumerate(parts):
        piece = part + (", " if i < len(parts) - 1 else ")")
        if len(line) + len(piece.rstrip()) > 79 and line.strip() != head.strip():
            lines.append(line.rstrip())
            line = " " * len(head)
        line += piece
    lines.append(line)
    return "\n".join(lines)


def to_lavaan(
    results: SemResults,
    data_file: str | None = None,
    data_name: str = "dat",
    read_options: Mapping[str, object] | None = None,
) -> str:
    """R code that fits the same model with lavaan: the model string and the call.

    Parameters
    ----------
    results
        The fit.
    data_file
        A CSV file to read with ``read.csv`` in the code (None: the code
        expects a data frame ``data_name`` with one row per person, ``NA``
        where a value is missing).
    data_name
        Name of the R data frame.
    read_options
        More arguments of ``read.csv`` (``sep``, ``dec``, ``fileEncoding``,
        ``na.strings``), as R names them.

    Returns
    -------
    str
        Runnable R code, ending with lavaan's ``summary()`` call.
    """
    from ilb_eval import __version__

    labels = results.group_labels if results.options.group is not None else ()
    syntax = model_syntax(results.model.partable, results.options).replace("'", "\\'")
    if data_file is None:
        read = f"# {data_name}: the data, one row per person (NA where a value is missing)"
    else:
        extra = "".join(f", {k} = {_r_value(v)}" for k, v in (read_options or {}).items())
        read = f"{data_name} <- read.csv({_r_string(str(data_file))}{extra})"
    fit = r_call(results.options, labels, data_name).replace("\n", "\n       ")
    return "\n".join(
        [
            f"# lavaan code that reproduces the fit of ilb_eval {__version__}",
            "library(lavaan)",
            read,
            "model <- '",
            syntax,
            "'",
            f"fit <- {fit}",
            "summary(fit, fit.measures = TRUE, standardized = TRUE)",
        ]
    ) + "\n"

