"""``python -m ilb_eval validate``: check the wave files of one or more studies.

Prints a validation report per study (per file: format and dialect, rows,
columns, problems by severity, one line per problem) and exits 0 when the
data can be analysed, 2 otherwise. Without arguments it checks the shipped
example studies in the package's example folder. A coded interview table
(``interviews.csv``) in the data folder is checked as well, since the report
reads it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ilb_eval.exceptions import printable_lines
from ilb_eval.files import check_input_folder
from ilb_eval.io import validate_study_data
from ilb_eval.io.interviews import INTERVIEW_FILE, interview_problems
from ilb_eval.resources import example_dir
from ilb_eval.study import available_studies, load_study

__all__ = ["HELP", "NAME", "add_arguments", "run"]

NAME = "validate"
HELP = "check the survey-wave export files of a study against its table schemas"

EXIT_OK = 0
EXIT_INVALID = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the validate command."""
    parser.add_argument(
        "--study", nargs="+", action="extend", metavar="NAME|PATH",
        help="shipped study name (EAP, ZP) or path of a .study.json file; default: all shipped studies",
    )
    parser.add_argument(
        "--data", type=Path, metavar="DIR",
        help="folder holding the wave files; default: the shipped example study",
    )


def run(args: argparse.Namespace) -> int:
    """Validate each study's data; 0 when all can be analysed, 2 otherwise."""
    names = args.study or available_studies()
    data_dir = args.data if args.data is not None else example_dir()
    check_input_folder(data_dir)
    studies = [load_study(name) for name in names]
    ok = True
    for study in studies:
        report = validate_study_data(study, data_dir)
        sys.stdout.write(printable_lines(report.as_text()) + "\n")
        ok = ok and report.ok
    problems = interview_problems(data_dir)
    if problems:
        sys.stdout.write(f"Coded interview table {INTERVIEW_FILE}\n")
        sys.stdout.write("".join(f"    {p.severity} {p.one_line()}\n" for p in problems))  # one_line escapes
        ok = ok and not any(p.severity == "error" for p in problems)
    return EXIT_OK if ok else EXIT_INVALID
