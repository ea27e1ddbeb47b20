"""Command line: ``python -m ilb_eval <command>``.

The CLI is a thin layer. Each command lives in its own module in this package
and exposes ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args) -> int``; all logic is in the library. Errors raised on purpose
(:class:`~ilb_eval.exceptions.IlbEvalError`) are printed one line per problem
and give exit code 2; so are file-system errors (permissions, missing or
read-only paths, a full disk, link loops, a folder where a file is expected:
:func:`ilb_eval.files.os_error_line`). ``--debug`` shows the traceback instead.
Every line is printed with control characters escaped.

Warnings: the library stores its warnings on the objects it returns (panel
problems, model warnings); the commands print them from there, as one line per
cause or one summary line (:func:`print_warnings`). Python warnings raised
during a command are recorded, not shown as raw ``warnings`` output; the
package's own warnings (:class:`~ilb_eval.exceptions.IlbEvalWarning`) that a
command did not print itself are printed once each at the end. ``--debug``
shows all warnings as Python prints them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from collections.abc import Callable, Iterable, Sequence
from types import ModuleType

from ilb_eval import __version__
from ilb_eval.exceptions import IlbEvalError, IlbEvalWarning, printable
from ilb_eval.files import os_error_line

__all__ = ["COMMAND_MODULES", "build_parser", "main", "mark_warnings_shown", "print_warnings", "whole_number"]

#: Modules (in ``ilb_eval.cli``) that implement one subcommand each, in the
#: order ``--help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "init", "validate", "fit", "sem", "balance", "simulate", "describe", "report",
)

EXIT_OK = 0
EXIT_INPUT_ERROR = 2
#: Most warning lines a command prints before summarising the rest in one line.
MAX_WARNING_LINES = 20

_printed_warnings: list[str] = []


def whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse ``type`` for whole numbers of at least ``minimum`` (e.g. ``--seed``, ``--max-iter``).

    Examples
    --------
    >>> whole_number(1)("5")
    5
    >>> whole_number(0)("-1")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: expected a number >= 0, got -1
    """

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a number >= {minimum}, got {value}")
        return value

    return parse
_ALL = "\0all"  # marks that a summary line covered every warning of the run


def print_warnings(lines: Sequence[str], *, summary: str | None = None) -> None:
    r"""Print warnings to stderr: ``warning: <line>``, one per distinct line (at most :data:`MAX_WARNING_LINES`).

    With ``summary`` only that one line is printed (``"51 warnings — see section ..."``);
    it stands for all warnings of the run, so none is repeated at the end.

    >>> import contextlib, io
    >>> buffer = io.StringIO()
    >>> with contextlib.redirect_stderr(buffer):
    ...     print_warnings(["[EMPTY_SCALE] eap_t3.csv: ...", "[EMPTY_SCALE] eap_t3.csv: ...", "[X] b\x00"])
    >>> print(buffer.getvalue(), end="")
    warning: [EMPTY_SCALE] eap_t3.csv: ...
    warning: [X] b\x00
    """
    distinct = list(dict.fromkeys(lines))
    _printed_warnings.extend(distinct)
    if summary is not None:
        _printed_warnings.append(_ALL)
        print(f"warning: {printable(summary)}", file=sys.stderr)
        return
    for line in distinct[:MAX_WARNING_LINES]:
        print(f"warning: {printable(line)}", file=sys.stderr)
    if len(distinct) > MAX_WARNING_LINES:
        print(f"warning: ... and {len(distinct) - MAX_WARNING_LINES} more warnings", file=sys.stderr)


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


def mark_warnings_shown(lines: Iterable[str]) -> None:
    """Record warnings a command has already shown in its own output (e.g. ``fit``'s summary)."""
    _printed_warnings.extend(" ".join(line.split()) for line in lines)


def _unprinted(caught: list[warnings.WarningMessage]) -> list[str]:
    """The package's own warnings that the command did not print itself, once each."""
    shown = set(_printed_warnings)
    if _ALL in shown:
        return []
    lines = []
    for record in caught:
        if issubclass(record.category, IlbEvalWarning):
            text = " ".join(str(record.message).split())
            if not any(text in line or line in text for line in shown):
                lines.append(text)
    return list(dict.fromkeys(lines))


def _run(args: argparse.Namespace, debug: bool) -> int:
    if debug:
        return int(args._run(args))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            return int(args._run(args))
        finally:
            rest = _unprinted(caught)
            if rest:
                print_warnings(rest)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    _printed_warnings.clear()
    try:
        return _run(args, debug)
    except IlbEvalError as error:
        if debug:
            raise
        for line in error.lines:
            print(f"error: {printable(line)}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    except OSError as error:  # the file system: permissions, full disk, missing paths, links
        if debug:
            raise
        print(f"error: {os_error_line(error)}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        print("error: interrupted", file=sys.stderr)
        return 130
