"""``python -m ilb_eval balance``: weights that make the control group comparable, and their balance.

Reads one table (one row per person: a 0/1 treatment column and covariates
measured before treatment) with :func:`ilb_eval.io.read_table` (every format
and dialect ``validate`` and ``fit`` read), estimates weights with
:func:`ilb_eval.weighting.estimate_weights` (default: entropy balancing for
the ATT), writes the input table with a ``weight`` column appended to
``--out`` (CSV in the input's dialect, the cells as the file holds them;
atomically, owner-readable only; the input is never overwritten), prints the
balance table and with ``--json`` writes ``{"method", "estimand", "n",
"effective_sample_size", "balance": [...], "warnings"}`` (one ``balance``
entry per covariate with ``smd_before``, ``smd_after``, variance ratios and
the effective sample size per group).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd

from ilb_eval.cli import mark_warnings_shown, print_warnings
from ilb_eval.exceptions import InputError, Problem
from ilb_eval.files import atomic_write_text, check_output_file, refuse_overwriting_inputs
from ilb_eval.io import read_table
from ilb_eval.io.formats import read_file
from ilb_eval.weighting import DEFAULT_METHOD, ESTIMANDS, METHODS, estimate_weights
from ilb_eval.weighting.text import balance_text

__all__ = ["HELP", "NAME", "add_arguments", "run"]

NAME = "balance"
HELP = "weight the control group to the treated (entropy balancing, IPW, overlap) and show covariate balance"

#: Name of the column the command appends.
WEIGHT_COLUMN = "weight"


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
    parser.add_argument(
        "--missing-codes", nargs="+", type=float, default=[], metavar="CODE",
        help="values that mean 'missing' in every numeric column, e.g. -99 -9",
    )
    parser.add_argument("--sheet", metavar="NAME", help="worksheet of an .xlsx file (default: the one with data)")
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


def _problem(code: str, message: str, file: str, fix: str, column: str | None = None) -> InputError:
    return InputError([Problem(code=code, message=message, file=file, column=column, fix=fix)])


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        return f"{value:.15g}"
    return str(value)


def _write_output(path: Path, source: Path, weights: pd.Series, sheet: str | None) -> None:
    """The input's cells as read, in its CSV dialect (.sav/.xlsx: UTF-8, comma, point), plus the weights."""
    raw = read_file(source, dialect={"sheet": sheet} if sheet else None)
    dialect = raw.dialect
    csv_input = dialect is not None and dialect.format == "csv"
    delimiter = dialect.delimiter if csv_input and dialect.delimiter else ","
    decimal = dialect.decimal if csv_input and dialect.decimal else "."
    encoding = dialect.encoding if csv_input and dialect.encoding else "utf-8"
    if csv_input and dialect.bom and encoding.lower().replace("_", "-") == "utf-8":
        encoding = "utf-8-sig"
    by_row = {row: k for k, row in enumerate(raw.rows)}
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([*raw.header, WEIGHT_COLUMN])
    for row, weight in weights.items():
        k = by_row[int(row)]
        cells = [_cell_text(raw.cells[name][k]) if name in raw.cells else "" for name in raw.header]
        writer.writerow([*cells, f"{weight:.12g}".replace(".", decimal)])
    atomic_write_text(path, buffer.getvalue(), encoding=encoding, private=True)


def _check_paths(args: argparse.Namespace) -> None:
    """Before any work: outputs writable, never over the input, the weighted table as CSV."""
    targets = [args.out] + ([args.json] if args.json else [])
    refuse_overwriting_inputs(targets, [args.data])
    check_output_file(args.out, option="--out")
    if args.json:
        check_output_file(args.json, option="--json")
    if args.out.suffix.lower() != ".csv":
        raise _problem("UNSUPPORTED_FORMAT", "the weighted table is written as CSV", args.out.name,
                       "give --out a file name ending in .csv")


def run(args: argparse.Namespace) -> int:
    """Estimate the weights, write the weighted table (and JSON), print the balance table."""
    _check_paths(args)
    read = read_table(args.data, missing_codes=args.missing_codes, sheet=args.sheet,
                      numeric=[c for c in (args.treatment, *args.covariates)])
    print_warnings([p.one_line() for p in read.warnings])
    if WEIGHT_COLUMN in read.frame.columns:
        raise _problem("WEIGHT_COLUMN_EXISTS", f"the input already has a column named '{WEIGHT_COLUMN}'",
                       read.file, "rename or drop that column before weighting", column=WEIGHT_COLUMN)
    try:
        result = estimate_weights(
            read.frame, args.treatment, args.covariates, method=args.method, estimand=args.estimand,
            moments=args.moments, trim=args.trim, file=read.file,
        )
    except InputError as error:
        raise InputError([replace(p, file=p.file or read.file) for p in error.problems]) from None
    _write_output(args.out, args.data, result.weights, args.sheet)
    if args.json:
        atomic_write_text(args.json, json.dumps(result.to_dict(), indent=1, allow_nan=False) + "\n")
    sys.stdout.write(balance_text(result, args.lang) + "\n")
    mark_warnings_shown(result.warnings)
    return 0
