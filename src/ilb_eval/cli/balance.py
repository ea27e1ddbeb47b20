"""``python -m ilb_eval balance``: weights that make the control group comparable, and their balance.

Reads one table (one row per person: a 0/1 treatment column and covariates
measured before treatment), estimates weights with
:func:`ilb_eval.weighting.estimate_weights` (default: entropy balancing for
the ATT), writes the input table with a ``weight`` column appended to
``--out`` (CSV, atomically, owner-readable only; the input is never
overwritten), prints the balance table and with ``--json`` writes
``{"method", "estimand", "n", "effective_sample_size", "balance": [...],
"warnings"}`` (one ``balance`` entry per covariate with ``smd_before``,
``smd_after``, variance ratios and the effective sample size per group).

The input is read by :func:`_read_table`, a small stand-in that reads CSV
(UTF-8 or Windows-1252; comma, semicolon or tab; decimal point or comma),
Excel ``.xlsx`` and SPSS ``.sav``; the columns not used pass through as
written. It gives way to the io layer's table reader once that exists.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ilb_eval.cli import mark_warnings_shown
from ilb_eval.exceptions import InputError, Problem
from ilb_eval.files import atomic_write_text
from ilb_eval.weighting import DEFAULT_METHOD, ESTIMANDS, METHODS, estimate_weights
from ilb_eval.weighting.text import balance_text

__all__ = ["HELP", "NAME", "add_arguments", "run"]

NAME = "balance"
HELP = "weight the control group to the treated (entropy balancing, IPW, overlap) and show covariate balance"

#: Name of the column the command appends.
WEIGHT_COLUMN = "weight"

_NUMBER_WITH_COMMA = re.compile(r"^\s*[-+]?\d*,\d+\s*$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the balance command."""
    parser.add_argument("--data", required=True, type=Path, metavar="FILE", help="one row per person (.csv, .xlsx or .sav)")
    parser.add_argument("--treatment", required=True, metavar="COLUMN", help="0 = control, 1 = treated (e.g. iLB users)")
    parser.add_argument("--covariates", required=True, nargs="+", metavar="COLUMN", help="covariates measured before treatment")
    parser.add_argument("--estimand", choices=ESTIMANDS, help="ATT (default: weight the controls to the treated) or ATE")
    parser.add_argument(
        "--method", choices=METHODS, default=DEFAULT_METHOD,
        help="entropy: entropy balancing, exact balance of the means (default); ipw: inverse probability "
        "weights from a logistic regression; overlap: overlap weights (estimand ATO)",
    )
    parser.add_argument("--moments", type=int, choices=(1, 2), default=1, help="2: entropy balancing also balances variances")
    parser.add_argument("--trim", type=_quantile, metavar="Q", help="cap weights at this quantile, e.g. 0.99")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE.csv", help="the input table with a weight column")
    parser.add_argument("--json", type=Path, metavar="FILE.json", help="also write the balance diagnostics as JSON")
    parser.add_argument("--lang", choices=("de", "en"), default="de", help="language of the printed table")


def _quantile(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 0.99, got {text!r}") from None
    if not 0.5 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a quantile from 0.5 up to (not including) 1, got {value}")
    return value


@dataclass(frozen=True)
class _Table:
    """A table read as text cells (index: spreadsheet row numbers) and how to write it back."""

    cells: pd.DataFrame
    delimiter: str
    decimal: str
    encoding: str


def _problem(code: str, message: str, file: str, fix: str, column: str | None = None) -> InputError:
    return InputError([Problem(code=code, message=message, file=file, column=column, fix=fix)])


def _decode(data: bytes, file: str) -> tuple[str, str]:
    for encoding in ("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8", "windows-1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise _problem("UNREADABLE_FILE", "the file is neither UTF-8 nor Windows-1252 text", file,
                   "save the table as CSV (UTF-8) from the spreadsheet program")


def _read_csv(path: Path) -> _Table:
    text, encoding = _decode(path.read_bytes(), path.name)
    lines = text.splitlines()
    if not lines:
        raise _problem("EMPTY_FILE", "the file is empty", path.name, "export the table again with its header row")
    header = lines[0]
    delimiter = max((";", ",", "\t"), key=header.count)
    records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    names = records[0]
    width = len(names)
    bad = [i + 1 for i, record in enumerate(records[1:], start=1) if record and len(record) != width]
    if bad:
        raise InputError([Problem(
            code="RAGGED_ROWS", message="rows do not have as many fields as the header", file=path.name,
            rows=tuple(bad), expected=f"{width} fields", fix="check the delimiter and quoting of these rows",
        )])
    body = [record for record in records[1:] if record]
    cells = pd.DataFrame(body, columns=names, index=pd.RangeIndex(2, len(body) + 2, name="row"), dtype=object)
    commas = cells.apply(lambda col: col.astype(str).str.match(_NUMBER_WITH_COMMA)).to_numpy().any()
    decimal = "," if delimiter == ";" and commas else "."
    return _Table(cells=cells, delimiter=delimiter, decimal=decimal, encoding=encoding)


def _read_table(path: Path) -> _Table:
    """Read the input table as text cells; row numbers as the index (header = row 1)."""
    if not path.is_file():
        raise _problem("NO_FILE", "the data file does not exist", path.name, "check the path given with --data")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".xlsx":
        frame = pd.read_excel(path, dtype=object)
    elif suffix == ".sav":
        import pyreadstat

        frame, _ = pyreadstat.read_sav(str(path))
    else:
        raise _problem("UNSUPPORTED_FORMAT", f"files ending in {suffix or '(nothing)'} cannot be read", path.name,
                       "give a .csv, .xlsx or .sav file")
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
    cells = frame.astype(object).where(frame.notna(), "").map(lambda v: f"{v:.15g}" if isinstance(v, float) else str(v))
    return _Table(cells=cells, delimiter=",", decimal=".", encoding="utf-8")


def _analysis_frame(table: _Table, columns: list[str]) -> pd.DataFrame:
    """The used columns with empty cells as missing and decimal commas read as numbers."""
    used = table.cells.loc[:, [c for c in columns if c in table.cells.columns]].astype(str)
    used = used.apply(lambda col: col.str.strip())
    if table.decimal == ",":
        used = used.apply(lambda col: col.where(~col.str.match(_NUMBER_WITH_COMMA), col.str.replace(",", ".")))
    return used.replace("", np.nan)


def _write_output(table: _Table, weights: pd.Series, path: Path) -> None:
    text = weights.map(lambda w: f"{w:.12g}".replace(".", table.decimal))
    out = table.cells.assign(**{WEIGHT_COLUMN: text})
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=table.delimiter, lineterminator="\r\n")
    writer.writerow(out.columns)
    writer.writerows(out.itertuples(index=False))
    atomic_write_text(path, buffer.getvalue(), encoding=table.encoding, private=True)


def _check_paths(args: argparse.Namespace) -> None:
    data = args.data.resolve()
    for option, target in (("--out", args.out), ("--json", args.json)):
        if target is None:
            continue
        if target.resolve() == data:
            raise _problem("OVERWRITES_INPUT", f"{option} names the input file, which is never overwritten",
                           target.name, f"give {option} a new file name")
        if not target.parent.is_dir():
            raise _problem("NO_FOLDER", f"the folder for {option} does not exist", target.name,
                           "create the folder first or choose another path")
    if args.out.suffix.lower() != ".csv":
        raise _problem("UNSUPPORTED_FORMAT", "the weighted table is written as CSV", args.out.name,
                       "give --out a file name ending in .csv")
    if WEIGHT_COLUMN in (args.treatment, *args.covariates):
        raise _problem("WEIGHT_COLUMN_USED", f"a column named '{WEIGHT_COLUMN}' would be replaced",
                       args.data.name, "rename that column in the input", column=WEIGHT_COLUMN)


def run(args: argparse.Namespace) -> int:
    """Estimate the weights, write the weighted table (and JSON), print the balance table."""
    _check_paths(args)
    table = _read_table(args.data)
    if WEIGHT_COLUMN in table.cells.columns:
        raise _problem("WEIGHT_COLUMN_EXISTS", f"the input already has a column named '{WEIGHT_COLUMN}'",
                       args.data.name, "rename or drop that column before weighting", column=WEIGHT_COLUMN)
    frame = _analysis_frame(table, [args.treatment, *args.covariates])
    try:
        result = estimate_weights(
            frame, args.treatment, args.covariates, method=args.method, estimand=args.estimand,
            moments=args.moments, trim=args.trim, file=args.data.name,
        )
    except InputError as error:
        raise InputError([replace(p, file=p.file or args.data.name) for p in error.problems]) from None
    _write_output(table, result.weights, args.out)
    if args.json:
        atomic_write_text(args.json, json.dumps(result.to_dict(), indent=1, allow_nan=False) + "\n")
    sys.stdout.write(balance_text(result, args.lang) + "\n")
    mark_warnings_shown(result.warnings)
    return 0
