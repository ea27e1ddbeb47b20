"""``python -m ilb_eval report``: the whole evaluation as a PDF with figures, tables and provenance.

Without arguments the shipped synthetic study (EAP and ZP) is reported into a
new run folder under ``reports/``. Progress goes to stderr, one line per
step; the path of the finished run folder is printed to stdout. Exit code 0
on success, 2 for input errors, 3 when an analysis the study declares could
not run (no iLB users, a control variable that does not vary, ...) or a
model failed or did not converge: one ``error:`` line per cause; the report
is still written and says in the section concerned what is missing and why.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from ilb_eval.cli import print_warnings
from ilb_eval.exceptions import printable
from ilb_eval.files import check_input_folder, check_output_dir, refuse_overwriting_inputs
from ilb_eval.report.context import ReportWarning
from ilb_eval.resources import example_dir
from ilb_eval.study import available_studies

__all__ = ["HELP", "NAME", "add_arguments", "run"]

NAME = "report"
HELP = "write the evaluation report (PDF, figures, tables, manifest) into a new run folder"

EXIT_MODEL_FAILED = 3
_CODE = re.compile(r"\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+):")
_STATUS = re.compile(r"\): (skipped|failed|not_converged)\b")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the report command."""
    parser.add_argument("--study", nargs="+", action="extend", metavar="NAME|PATH",
                        help="shipped study name (EAP, ZP) or path of a .study.json file; default: all shipped studies")
    parser.add_argument("--data", type=Path, metavar="DIR", help="folder with the wave files; default: the example study")
    parser.add_argument("--out", type=Path, metavar="DIR", help="reports folder; default: reports/")
    parser.add_argument("--lang", choices=("de", "en"), default="de", help="report language (default: de)")
    parser.add_argument("--min-cell-size", type=int, metavar="N",
                        help="minimum persons per published cell (default 10; floor 5; lowering is recorded)")
    parser.add_argument("--seed", type=int, metavar="N", help="seed recorded in the manifest")
    parser.add_argument("--adjust", choices=("holm", "bh"), default="holm",
                        help="multiple-testing correction of the iLB effects (default: holm)")
    parser.add_argument("--correlation", choices=("pearson", "spearman"), default="pearson",
                        help="correlation coefficient (default: pearson)")
    parser.add_argument("--no-invariance", dest="invariance", action="store_false",
                        help="leave out the measurement-invariance section and its second-order growth "
                             "models (faster)")


def warning_summary(warnings: Sequence[ReportWarning]) -> str:
    """One terminal line for the warnings of a run: how many, of which kinds, and the sections that show them.

    >>> from ilb_eval.report.context import ReportWarning
    >>> warning_summary([ReportWarning("EAP: ILB_USE_UNKNOWN: 13 persons ...", "Warnings and model status", "9"),
    ...                  ReportWarning("EAP x (conditional): ROWS_DROPPED: ...", "Warnings and model status", "9"),
    ...                  ReportWarning("EAP x (multigroup): skipped – a group has fewer than 30 persons",
    ...                                "Warnings and model status", "9")])
    "3 warnings (ILB_USE_UNKNOWN 1, ROWS_DROPPED 1, skipped 1) — see section 9 'Warnings and model status' of report.pdf"
    """
    codes: dict[str, int] = {}
    for warning in warnings:
        found = _CODE.search(warning.text) or _STATUS.search(warning.text)
        code = found.group(1) if found else "other"
        codes[code] = codes.get(code, 0) + 1
    kinds = ", ".join(f"{code} {n}" for code, n in sorted(codes.items(), key=lambda item: (-item[1], item[0])))
    word = "warning" if len(warnings) == 1 else "warnings"
    sections = list(dict.fromkeys(f"{w.number} '{w.section}'".strip() for w in warnings))
    where = ("section " if len(sections) == 1 else "sections ") + ", ".join(sections)
    return f"{len(warnings)} {word} ({kinds}) — see {where} of report.pdf"


def run(args: argparse.Namespace) -> int:
    """Write the report; prints the run folder."""
    from ilb_eval.analysis.pipeline import DEFAULT_SEED
    from ilb_eval.report.pipeline import write_report

    check_input_folder(args.data if args.data is not None else example_dir())
    if args.out is not None:  # before the work: a writable folder, never inside the data
        check_output_dir(args.out, option="--out")
        refuse_overwriting_inputs([args.out], [args.data if args.data is not None else example_dir()])
    started = time.perf_counter()

    def progress(message: str) -> None:
        if not message.startswith("  "):
            print(f"[{time.perf_counter() - started:5.1f} s] {message}", file=sys.stderr, flush=True)

    result = write_report(
        args.data, studies=args.study or available_studies(), out=args.out, lang=args.lang,
        min_cell_size=args.min_cell_size, seed=args.seed if args.seed is not None else DEFAULT_SEED,
        adjust=args.adjust, correlation=args.correlation, invariance=args.invariance, progress=progress,
    )
    print(f"[{time.perf_counter() - started:5.1f} s] done", file=sys.stderr)
    print(result.path)
    for cause in result.results.causes:
        print(f"error: {printable(cause)}", file=sys.stderr)
    if result.warnings:
        print_warnings([w.text for w in result.warnings], summary=warning_summary(result.warnings))
    return EXIT_MODEL_FAILED if result.failed else 0
