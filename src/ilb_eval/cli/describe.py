"""``python -m ilb_eval describe``: sample sizes, demographics, correlations and reuse of a study.

Without ``--study`` both shipped studies are described; without ``--data`` the
shipped example study is read. ``--json`` prints the machine-readable
summary of :func:`ilb_eval.describe.describe_studies` instead of text. The
panel's problems (rows excluded, values set to missing, waves that link to
nobody) are printed on stderr, one ``warning:`` line each.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ilb_eval.cli import print_warnings
from ilb_eval.exceptions import printable_lines
from ilb_eval.files import check_input_folder
from ilb_eval.resources import example_dir
from ilb_eval.study import available_studies, load_study

__all__ = ["HELP", "NAME", "add_arguments", "run"]

NAME = "describe"
HELP = "summarise a study's data: persons, records, demographics, correlations, reuse"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the describe command."""
    parser.add_argument(
        "--study", nargs="+", action="extend", metavar="NAME|PATH",
        help="shipped study name (EAP, ZP) or path of a .study.json file; default: all shipped studies",
    )
    parser.add_argument("--data", type=Path, metavar="DIR", help="folder with the wave files; default: the example study")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--lang", choices=("de", "en"), default="de", help="language of the text output")


def run(args: argparse.Namespace) -> int:
    """Describe the studies; 0 on success."""
    # imported here so that other commands do not pay for loading the io and prep layers
    from ilb_eval.describe import describe_studies, describe_text

    studies = [load_study(name) for name in args.study or available_studies()]
    data_dir = args.data if args.data is not None else example_dir()
    check_input_folder(data_dir)
    summary = describe_studies(studies, data_dir)
    if args.json:
        sys.stdout.write(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(printable_lines(describe_text(summary, args.lang, studies)) + "\n")
    print_warnings([line for study in studies for line in summary[study.name]["problems"]])
    return 0
