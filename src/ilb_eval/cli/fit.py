"""``python -m ilb_eval fit``: fit a latent growth curve model to a CSV file.

Prints the lavaan-like summary; with ``--json OUT.json`` also writes
(atomically) ``{"params": [...], "fit": {...}, "converged": ..., "warnings":
[...], "seconds": ...}``, where ``seconds`` is the estimation time without
reading the file. A model that does not converge prints one ``error:
[NOT_CONVERGED]`` line on stderr and exits 3.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import pandas as pd

from ilb_eval.cli import mark_warnings_shown
from ilb_eval.exceptions import InputError, Problem
from ilb_eval.files import atomic_write_text, check_output_file, refuse_overwriting_inputs
from ilb_eval.growth import GrowthModel, GrowthSpec

NAME = "fit"
HELP = "fit a latent growth curve model (FIML, as lavaan's growth()) to a CSV file"

#: Exit code when the model did not converge (no estimates are reported).
EXIT_NOT_CONVERGED = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of the ``fit`` command."""
    parser.add_argument("--data", required=True, metavar="FILE.csv", help="one row per person")
    parser.add_argument(
        "--outcomes",
        required=True,
        nargs="+",
        metavar="COLUMN",
        help="outcome columns in wave order",
    )
    parser.add_argument(
        "--time-scores",
        required=True,
        nargs="+",
        type=float,
        metavar="T",
        help="one time score per outcome, e.g. 0 2 3",
    )
    parser.add_argument(
        "--covariates",
        nargs="*",
        default=[],
        metavar="COLUMN",
        help="covariates predicting intercept and slope",
    )
    parser.add_argument("--group", metavar="COLUMN", help="grouping column (multi-group model)")
    parser.add_argument(
        "--equal-intercept-means", action="store_true", help="equal intercept means across groups"
    )
    parser.add_argument(
        "--equal-slope-means", action="store_true", help="equal slope means across groups"
    )
    parser.add_argument(
        "--residual-variances",
        choices=("free", "equal"),
        default="free",
        help="residual variances free per wave (default) or equal over waves",
    )
    parser.add_argument(
        "--slope-variance",
        choices=("free", "zero"),
        default="free",
        help="random slope (default) or zero: random intercept, fixed slope",
    )
    parser.add_argument(
        "--time-basis",
        choices=("fixed", "latent"),
        default="fixed",
        help="fixed time scores (linear growth, default) or latent: estimate the time scores "
        "of the middle waves (the given values are their start values)",
    )
    parser.add_argument("--estimator", choices=("ML", "MLR"), default="ML", help="default: ML")
    parser.add_argument("--json", metavar="OUT.json", help="also write the results as JSON")
    parser.add_argument(
        "--max-iter", type=int, default=200, metavar="N", help="largest number of Newton iterations (default 200)"
    )
    parser.add_argument(
        "--n-starts",
        type=_non_negative,
        default=5,
        metavar="N",
        help="extra perturbed starts to detect local optima (default 5; 0 switches them off)",
    )
    parser.add_argument(
        "--seed", type=_non_negative, default=0, metavar="N", help="seed of the perturbed starts (default 0)"
    )


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value}")
    return value


def _read(path: str) -> pd.DataFrame:
    file = Path(path)
    if not file.is_file():
        raise InputError(
            [
                Problem(
                    code="NO_FILE",
                    message="the data file does not exist",
                    file=file.name,
                    fix="check the path given with --data",
                )
            ]
        )
    try:
        return pd.read_csv(file)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise InputError(
            [
                Problem(
                    code="BAD_CSV",
                    message=f"the file cannot be read as CSV ({type(error).__name__})",
                    file=file.name,
                    fix="save the data as comma-separated UTF-8 text with a header row",
                )
            ]
        ) from None


def run(args: argparse.Namespace) -> int:
    """Fit the model, print the summary, optionally write JSON; 0, or 3 when it did not converge."""
    spec = GrowthSpec(
        outcomes=tuple(args.outcomes),
        time_scores=tuple(args.time_scores),
        covariates=tuple(args.covariates),
        group=args.group,
        equal_intercept_means=args.equal_intercept_means,
        equal_slope_means=args.equal_slope_means,
        residual_variances=args.residual_variances,
        estimator=args.estimator,
        slope_variance=args.slope_variance,
        time_basis=args.time_basis,
    )
    if args.json:  # before the work: never over the data, never into a missing folder
        refuse_overwriting_inputs([args.json], [args.data])
        check_output_file(args.json, option="--json")
    data = _read(args.data)
    model = GrowthModel(spec, max_iter=args.max_iter, n_starts=args.n_starts, seed=args.seed)
    try:
        results = model.fit(data)
    except InputError as error:  # name the file the data came from
        name = Path(args.data).name
        raise InputError([dataclasses.replace(p, file=p.file or name) for p in error.problems]) from error
    sys.stdout.write(results.summary().as_text())
    mark_warnings_shown(w.message for w in results.warnings)
    if args.json:
        payload = results.to_dict()
        atomic_write_text(args.json, json.dumps(payload, indent=1, allow_nan=False) + "\n")
    if not results.converged:
        for warning in results.warnings:
            if warning.code == "NOT_CONVERGED":
                sys.stderr.write(f"error: [{warning.code}] {warning.message}\n")
        return EXIT_NOT_CONVERGED
    return 0
