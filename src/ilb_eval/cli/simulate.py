"""``python -m ilb_eval simulate``: write the synthetic iLB study (both samples) into a folder.

Writes the wave export files named by the study definitions (EAP as German
Excel CSV, ZP as SPSS .sav), ``interviews.csv``, ``true_parameters.csv`` and
``manifest.json``, and prints one line per file. The logic is
:func:`ilb_eval.simulate.simulate_study`.

The output folder must be new or empty; ``--force`` allows a non-empty one,
but a folder that holds data files (wave exports, study definitions, ...)
that an earlier ``simulate`` did not write, or that changed since, is never
written into (:func:`ilb_eval.files.check_output_folder`): real exports are
never replaced by synthetic ones.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ilb_eval.files import check_output_dir, check_output_folder, refuse_overwriting_inputs
from ilb_eval.simulate import simulate_study

__all__ = ["HELP", "NAME", "add_arguments", "run"]

NAME = "simulate"
HELP = "generate the synthetic iLB study calibrated to the published figures"


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the simulate command."""
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder to write the files into")
    parser.add_argument("--seed", type=int, metavar="N", help="random seed (default: the settings' seed)")
    parser.add_argument(
        "--scale", type=_positive, default=1.0, metavar="FACTOR",
        help="multiply all sample sizes (default 1: 1,737 EAP and 488 ZP persons)",
    )
    parser.add_argument("--settings", type=Path, metavar="FILE.json", help="settings file (default: the shipped one)")
    parser.add_argument(
        "--force", action="store_true",
        help="write into a non-empty folder (replacing an earlier simulate output; a folder with other data "
        "files is refused even so)",
    )


def run(args: argparse.Namespace) -> int:
    """Generate the study and list the files written."""
    check_output_dir(args.out, option="--out")
    check_output_folder(args.out, force=args.force, generator=simulate_study.__module__)
    refuse_overwriting_inputs([args.out], [args.settings] if args.settings else [])
    result = simulate_study(args.out, seed=args.seed, scale=args.scale, settings=args.settings)
    for name, n in result.persons.items():
        waves = ", ".join(f"{w} {k}" for w, k in result.records[name].items())
        sys.stdout.write(f"{name}: {n} persons, {sum(result.records[name].values())} records ({waves})\n")
    for name in result.files:
        sys.stdout.write(f"wrote {result.out_dir / name}\n")
    return 0
