"""``python -m ilb_eval fit``: fit a latent growth curve model to a data file.

The file is read by :func:`ilb_eval.io.read_table`, the code path ``validate``
uses: CSV of any common dialect, SPSS ``.sav``, Excel ``.xlsx``; declared
missing codes (``--missing-codes``) become missing, and typical codes that
were not declared are a warning; long data (``--long --id COL --time COL``)
are pivoted to one row per person. Prints the lavaan-like summary; with
``--json OUT.json`` also writes (atomically) ``{"params": [...], "fit":
{...}, "converged": ..., "warnings": [...], "seconds": ..., "model": {...},
"lavaan_syntax": "...", "ilb_eval_version": "...", "input": {"file", "sha256",
"dialect", ...}}``, where ``seconds`` is the estimation time without reading
the file. A model that does not converge prints one ``error:
[NOT_CONVERGED]`` line on stderr and exits 3; a model whose information matrix
is singular (not identified by the data: time scores that do not vary, a
covariate that is a copy of another, extreme values) prints no estimates, one
``error: [INFO_SINGULAR]`` line and exits 3.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from ilb_eval import __version__
from ilb_eval.cli import mark_warnings_shown, print_warnings, whole_number
from ilb_eval.exceptions import InputError
from ilb_eval.files import atomic_write_text, check_output_file, refuse_overwriting_inputs
from ilb_eval.growth import GrowthModel, GrowthSpec
from ilb_eval.io import read_table
from ilb_eval.io.datafile import outcome_columns

NAME = "fit"
HELP = "fit a latent growth curve model (FIML, as lavaan's growth()) to a data file (CSV, .sav, .xlsx)"

#: Exit code when the model did not converge or is not identified (no estimates are reported).
EXIT_NOT_CONVERGED = 3
#: Warnings after which the estimates are not a (unique) solution.
_FATAL = ("NOT_CONVERGED", "INFO_SINGULAR")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of the ``fit`` command."""
    parser.add_argument(
        "--data", required=True, metavar="FILE",
        help="CSV (any common dialect), SPSS .sav or Excel .xlsx; one row per person (or see --long)",
    )
    parser.add_argument(
        "--outcomes",
        required=True,
        nargs="+",
        metavar="COLUMN",
        help="outcome columns in wave order (with --long: the one outcome column)",
    )
    parser.add_argument(
        "--time-scores",
        nargs="+",
        type=float,
        metavar="T",
        help="one time score per outcome, e.g. 0 2 3 (with --long and a numeric time column: its values)",
    )
    parser.add_argument(
        "--missing-codes", nargs="+", type=float, default=[], metavar="CODE",
        help="values that mean 'missing' in every numeric column, e.g. -99 -9",
    )
    parser.add_argument("--sheet", metavar="NAME", help="worksheet of an .xlsx file (default: the one with data)")
    parser.add_argument(
        "--long", action="store_true", help="the file has one row per person and time: pivot it (needs --id, --time)"
    )
    parser.add_argument("--id", metavar="COLUMN", help="with --long: the person column")
    parser.add_argument("--time", metavar="COLUMN", help="with --long: the time (wave) column")
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
    parser.add_argument(
        "--weights", metavar="COLUMN",
        help="sampling weights (lavaan's sampling.weights: normalised to the sample size; "
        "robust standard errors and scaled test), e.g. the column `balance` writes",
    )
    parser.add_argument(
        "--cluster", metavar="COLUMN",
        help="cluster identifiers (persons nested in agencies): cluster-robust standard errors",
    )
    parser.add_argument("--json", metavar="OUT.json", help="also write the results as JSON")
    parser.add_argument(
        "--max-iter", type=int, default=200, metavar="N", help="largest number of Newton iterations (default 200)"
    )
    parser.add_argument(
        "--n-starts",
        type=whole_number(0),
        default=5,
        metavar="N",
        help="extra perturbed starts to detect local optima (default 5; 0 switches them off)",
    )
    parser.add_argument(
        "--seed", type=whole_number(0), default=0, metavar="N", help="seed of the perturbed starts (default 0)"
    )


def run(args: argparse.Namespace) -> int:
    """Fit the model, print the summary, optionally write JSON; 0, or 3 when it did not converge."""
    if args.json:  # before the work: never over the data, never into a missing folder
        refuse_overwriting_inputs([args.json], [args.data])
        check_output_file(args.json, option="--json")
    read = read_table(
        args.data, missing_codes=args.missing_codes, sheet=args.sheet, long=args.long, id=args.id, time=args.time,
        varying=args.outcomes if args.long else (),
        constant=[*args.covariates, *(c for c in (args.group, args.weights, args.cluster) if c)],
        numeric=[*([] if args.long else args.outcomes), *args.covariates,
                 *([args.weights] if args.weights else [])],
    )
    print_warnings([p.one_line() for p in read.warnings])
    outcomes, time_scores = outcome_columns(read, args.outcomes, args.time_scores)
    spec = GrowthSpec(
        outcomes=outcomes,
        time_scores=time_scores,
        covariates=tuple(args.covariates),
        group=args.group,
        equal_intercept_means=args.equal_intercept_means,
        equal_slope_means=args.equal_slope_means,
        residual_variances=args.residual_variances,
        estimator=args.estimator,
        slope_variance=args.slope_variance,
        time_basis=args.time_basis,
    )
    model = GrowthModel(spec, max_iter=args.max_iter, n_starts=args.n_starts, seed=args.seed,
                        sampling_weights=args.weights, cluster=args.cluster)
    try:
        results = model.fit(read.frame)
    except InputError as error:  # name the file the data came from
        raise InputError([dataclasses.replace(p, file=p.file or read.file) for p in error.problems]) from error
    fatal = [w for w in results.warnings if w.code in _FATAL]
    if not any(w.code == "INFO_SINGULAR" for w in fatal):
        sys.stdout.write(results.summary().as_text())
    mark_warnings_shown(w.message for w in results.warnings)
    if args.json:
        payload = results.to_dict()
        groups = [str(g) for g in dict.fromkeys(p["group"] for p in payload["params"]) if g is not None]
        payload.update(
            model=dataclasses.asdict(spec),
            lavaan_syntax=spec.to_lavaan(group_labels=groups if spec.group is not None else ()),
            ilb_eval_version=__version__,
            input=read.describe(),
        )
        atomic_write_text(args.json, json.dumps(payload, indent=1, allow_nan=False) + "\n")
    for warning in fatal:
        sys.stderr.write(f"error: [{warning.code}] {warning.message}\n")
    return EXIT_NOT_CONVERGED if fatal else 0
