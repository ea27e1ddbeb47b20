"""``python -m ilb_eval sem``: fit a model written in lavaan syntax to a data file.

The model file holds lavaan model syntax (docs/MODELS.md); ``--function``
chooses the defaults of lavaan's ``sem()`` (default), ``cfa()`` or
``growth()``. The data file is read by :func:`ilb_eval.io.read_table`, as
``fit`` reads it (CSV of any common dialect, SPSS ``.sav``, Excel ``.xlsx``;
``--missing-codes``). Prints the lavaan-like summary; with ``--json OUT.json``
also writes (atomically) the layout of ``fit --json``: ``{"params": [...],
"fit": {...}, "converged": ..., "warnings": [...], "seconds": ..., "status":
{...}, "model": {"syntax", "function", options}, "lavaan_syntax": "<R code>",
"ilb_eval_version": "...", "input": {"file", "sha256", "dialect", ...}}``.

Exit codes: 2 for bad syntax (one line with the line and column), data that
do not fit the model (an unknown variable, non-positive weights, a single
cluster) and a model that is not identified (``NOT_IDENTIFIED``, refused
before fitting); 3 when the fit gives no valid estimates: the optimiser did
not converge (``NOT_CONVERGED``; the summary shows ``NA``) or the
information matrix is singular (``INFO_SINGULAR``; no summary is printed) —
one ``error:`` line each on stderr.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from ilb_eval import __version__
from ilb_eval import sem as sem_api
from ilb_eval.cli import mark_warnings_shown, print_warnings, whole_number
from ilb_eval.exceptions import InputError, Problem, SpecError
from ilb_eval.files import atomic_write_text, check_output_file, refuse_overwriting_inputs
from ilb_eval.io import TableRead, read_table
from ilb_eval.sem.options import ESTIMATORS, FUNCTIONS, GROUP_EQUAL, ModelOptions
from ilb_eval.sem.syntax import ModelSyntaxError, ParsedModel, observed_names, parse_model

NAME = "sem"
HELP = "fit a model written in lavaan syntax (CFA, SEM, growth; FIML as lavaan) to a data file"

#: Exit code when the fit gives no valid estimates (not converged, singular information).
EXIT_NOT_ESTIMATED = 3
#: Warnings after which the estimates are not a (unique) solution.
FATAL = ("NOT_CONVERGED", "INFO_SINGULAR")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of the ``sem`` command."""
    parser.add_argument("--model", required=True, metavar="FILE",
                        help="text file with the model in lavaan syntax (see docs/MODELS.md)")  # fmt: skip
    parser.add_argument(
        "--data", required=True, metavar="FILE",
        help="CSV (any common dialect), SPSS .sav or Excel .xlsx; one row per person",
    )  # fmt: skip
    parser.add_argument("--function", choices=FUNCTIONS, default="sem",
                        help="whose defaults: lavaan's sem() (default), cfa() or growth()")  # fmt: skip
    parser.add_argument("--group", metavar="COLUMN", help="grouping column (multi-group model)")
    parser.add_argument(
        "--group-equal", nargs="+", type=_group_equal, default=[], metavar="TYPE",
        help=f"parameter types equal across groups: {' '.join(GROUP_EQUAL)} "
        "(separated by spaces or commas)",
    )  # fmt: skip
    parser.add_argument(
        "--group-partial", nargs="+", default=[], metavar="PARAMETER",
        help="exceptions from --group-equal, written as lavaan does: 'f=~x2' 'x3~1'",
    )  # fmt: skip
    parser.add_argument("--estimator", choices=ESTIMATORS, default="ML",
                        help="ML (default) or MLR (robust standard errors and test)")  # fmt: skip
    parser.add_argument("--weights", metavar="COLUMN", help="sampling weights (lavaan's sampling.weights)")
    parser.add_argument("--cluster", metavar="COLUMN", help="cluster column (cluster-robust standard errors and test)")
    parser.add_argument("--std-lv", action="store_true",
                        help="scale factors by fixing their variances at 1 (lavaan's std.lv)")  # fmt: skip
    parser.add_argument(
        "--missing-codes", nargs="+", type=float, default=[], metavar="CODE",
        help="values that mean 'missing' in every numeric column, e.g. -99 -9",
    )  # fmt: skip
    parser.add_argument("--sheet", metavar="NAME", help="worksheet of an .xlsx file (default: the one with data)")
    parser.add_argument("--json", metavar="OUT.json", help="also write the results as JSON")
    parser.add_argument("--max-iter", type=whole_number(1), default=500, metavar="N",
                        help="largest number of iterations (default 500)")  # fmt: skip


def _names(values: list[str]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _group_equal(text: str) -> str:
    unknown = [name for name in _names([text]) if name not in GROUP_EQUAL]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"{', '.join(map(repr, unknown))} is not a parameter type; use any of "
            f"{', '.join(GROUP_EQUAL)}"
        )
    return text


def read_model(path: str) -> tuple[str, ParsedModel]:
    """The model file's text and its parsed statements.

    Raises
    ------
    InputError
        The file does not exist or is not text (``FILE_NOT_FOUND``,
        ``ENCODING``), or its syntax cannot be read (``MODEL_SYNTAX``, with
        line and column).
    """
    file = Path(path)
    if not file.is_file():
        found = "the path is not a file" if file.exists() else "the model file does not exist"
        raise InputError([Problem(code="FILE_NOT_FOUND", message=found, file=file.name,
                                  fix="check the path given with --model")])  # fmt: skip
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError([Problem(
            code="ENCODING", message="the model file is not UTF-8 text", file=file.name,
            fix="save the model as plain UTF-8 text (lavaan syntax, one formula per line)",
        )]) from None  # fmt: skip
    try:
        return text, parse_model(text)
    except ModelSyntaxError as error:
        raise InputError([Problem(
            code="MODEL_SYNTAX", file=file.name,
            message=f"line {error.line}, column {error.column}: the model syntax cannot be read",
            expected=error.expected, found=error.found, fix=error.fix,
        )]) from error  # fmt: skip


def _named_in_model(problem: Problem, variables: tuple[str, ...], model_file: str) -> Problem:
    if problem.code != "MISSING_COLUMN" or problem.column not in variables:
        return problem
    return dataclasses.replace(
        problem,
        message=f"the variable is named in the model ({model_file}) but is not a column of the data "
        "file; names that are not latent variables (left of =~) must be data columns",
        fix="check the spelling in the model file (names are case-sensitive), or define it as a "
        "latent variable with =~",
    )


def _read_data(read: TableRead) -> tuple[str | None, dict[str, object]]:
    """The data file and ``read.csv`` options for the R code (None: not a CSV R reads as is)."""
    dialect = read.dialect
    if dialect.format != "csv" or dialect.extra_header_rows:
        return None, {}
    options: dict[str, object] = {}
    if dialect.delimiter not in (None, ","):
        options["sep"] = dialect.delimiter
    if dialect.decimal not in (None, "."):
        options["dec"] = dialect.decimal
    if dialect.encoding and dialect.encoding.replace("_", "-").lower() not in ("utf-8", "ascii"):
        options["fileEncoding"] = dialect.encoding
    if read.missing_codes:
        options["na.strings"] = ["NA", "", *(f"{c:g}" for c in read.missing_codes)]
    return read.file, options


def run(args: argparse.Namespace) -> int:
    """Fit the model, print the summary, optionally write JSON; 0, or 3 without valid estimates."""
    if args.json:  # before the work: never over an input, never into a missing folder
        refuse_overwriting_inputs([args.json], [args.data, args.model])
        check_output_file(args.json, option="--json")
    text, parsed = read_model(args.model)
    options = ModelOptions(
        function=args.function,
        group=args.group,
        group_equal=_names(args.group_equal),
        group_partial=_names(args.group_partial),
        estimator=args.estimator,
        sampling_weights=args.weights,
        cluster=args.cluster,
        std_lv=args.std_lv,
    )
    variables = observed_names(parsed.terms)
    numeric = [*variables, *([args.weights] if args.weights else [])]
    try:
        read = read_table(args.data, missing_codes=args.missing_codes, sheet=args.sheet, numeric=numeric)
    except InputError as error:  # a model variable the file does not have: say where it was named
        raise InputError([_named_in_model(p, variables, Path(args.model).name)
                          for p in error.problems]) from error  # fmt: skip
    print_warnings([p.one_line() for p in read.warnings])
    fit = getattr(sem_api, options.function)
    try:
        results = fit(parsed, read.frame, group=options.group, group_equal=options.group_equal,
                      group_partial=options.group_partial, estimator=options.estimator,
                      sampling_weights=options.sampling_weights, cluster=options.cluster,
                      std_lv=options.std_lv, max_iter=args.max_iter)  # fmt: skip
    except InputError as error:  # name the file the data came from
        raise InputError([dataclasses.replace(p, file=p.file or read.file) for p in error.problems]) from error
    except SpecError as error:  # the model cannot be fitted as written: name the model file
        raise SpecError(f"{Path(args.model).name}: {error}") from error
    fatal = [w for w in results.warnings if w.code in FATAL]
    if not any(w.code == "INFO_SINGULAR" for w in fatal):
        sys.stdout.write(results.summary().as_text())
        mark_warnings_shown(w.message for w in results.warnings)
    else:  # no estimates are shown: the other warnings still reach the terminal
        print_warnings([f"[{w.code}] {w.message}" for w in results.warnings if w.code not in FATAL])
        mark_warnings_shown(w.message for w in fatal)
    if args.json:
        data_file, read_options = _read_data(read)
        payload = results.to_dict()
        payload.update(
            model={"syntax": text, **dataclasses.asdict(options)},
            lavaan_syntax=results.to_lavaan(data_file=data_file, read_options=read_options),
            ilb_eval_version=__version__,
            input=read.describe(),
        )
        atomic_write_text(args.json, json.dumps(payload, indent=1, allow_nan=False) + "\n")
    for warning in fatal:
        sys.stderr.write(f"error: [{warning.code}] {warning.message}\n")
    return EXIT_NOT_ESTIMATED if fatal else 0
