"""``python -m ilb_eval init``: draft a study definition from the raw exports in a folder.

Reads every export in ``--data DIR`` (CSV of any common dialect, SPSS .sav,
Excel .xlsx), writes a draft study definition, one table schema per wave and
``init-notes.txt`` into ``--out STUDYDIR``, prints what it inferred and what
a person must check, and then validates the exports against the draft (the
report of ``validate``). The logic is :func:`ilb_eval.study.draft.draft_study`.

The output folder must be new or empty; ``--force`` replaces an earlier
draft, but never a draft that was edited since (or other data files).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ilb_eval.files import check_output_dir, check_output_folder, refuse_overwriting_inputs
from ilb_eval.io import validate_study_data
from ilb_eval.study import load_study
from ilb_eval.study.draft import GENERATOR, draft_study

__all__ = ["HELP", "NAME", "add_arguments", "run"]

NAME = "init"
HELP = "draft a study definition (waves, person code, scales, missing codes) from raw survey exports"

EXIT_OK = 0
EXIT_INVALID = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the init command."""
    parser.add_argument("--data", type=Path, required=True, metavar="DIR", help="folder with one export per wave")
    parser.add_argument("--out", type=Path, required=True, metavar="STUDYDIR",
                        help="new folder for the study definition and the table schemas")
    parser.add_argument("--name", metavar="NAME", help="study name (default: the data folder's name)")
    parser.add_argument("--time-scores", nargs="+", type=float, metavar="T",
                        help="one time score per wave, in file-name order (default: 0 1 2 ...)")
    parser.add_argument("--sheet", metavar="NAME", help="worksheet of .xlsx exports that have several")
    parser.add_argument("--force", action="store_true",
                        help="replace an earlier, unedited draft in --out (an edited one is never replaced)")


def run(args: argparse.Namespace) -> int:
    """Draft, write, print the notes and the validation of the exports against the draft."""
    check_output_dir(args.out, option="--out")
    check_output_folder(args.out, force=args.force, generator=GENERATOR)
    refuse_overwriting_inputs([args.out], [args.data])
    draft = draft_study(args.data, name=args.name, time_scores=args.time_scores, sheet=args.sheet)
    sys.stdout.write(draft.as_text() + "\n")
    written = draft.write(args.out)
    for path in written:
        sys.stdout.write(f"wrote {path}\n")
    report = validate_study_data(load_study(written[0]), args.data)
    sys.stdout.write(report.as_text() + "\n")
    sys.stdout.write(f"Next: python -m ilb_eval validate --study {written[0]} --data {args.data}\n")
    return EXIT_OK if report.ok else EXIT_INVALID
