"""Command line: ``python -m ilb_eval <command>``.

The CLI is a thin layer. Each command lives in its own module in this package
and exposes ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args) -> int``; all logic is in the library. Errors raised on purpose
(:class:`~ilb_eval.exceptions.IlbEvalError`) are printed one line per problem
and give exit code 2; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType

from ilb_eval import __version__
from ilb_eval.exceptions import IlbEvalError

__all__ = ["COMMAND_MODULES", "build_parser", "main"]

#: Modules (in ``ilb_eval.cli``) that implement one subcommand each, in the
#: order ``--help`` lists them.
COMMAND_MODULES: tuple[str, ...] = ("validate", "fit", "simulate", "describe", "report")

EXIT_OK = 0
EXIT_INPUT_ERROR = 2


def _commands() -> list[ModuleType]:
    return [importlib.import_module(f"ilb_eval.cli.{name}") for name in COMMAND_MODULES]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subparser per command module."""
    parser = argparse.ArgumentParser(
        prog="python -m ilb_eval",
        description="Evaluation of individual learning support (iLB): validate survey "
        "waves, fit growth models, simulate the example study and write the report.",
    )
    parser.add_argument("--version", action="version", version=f"ilb_eval {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the full traceback when something fails"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _commands():
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        command.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS,
            help="show the full traceback when something fails",
        )
        module.add_arguments(command)
        command.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    try:
        with warnings.catch_warnings():
            # Statistical warnings are stored on results and printed by the
            # commands themselves; do not print them a second time here.
            warnings.simplefilter("ignore")
            return int(args._run(args))
    except IlbEvalError as error:
        if debug:
            raise
        for line in error.lines:
            print(f"error: {line}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        print("error: interrupted", file=sys.stderr)
        return 130
