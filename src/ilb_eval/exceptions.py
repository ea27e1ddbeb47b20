"""Exceptions and warning classes of ilb_eval.

Every error the package raises on purpose derives from :class:`IlbEvalError`
and also from the matching builtin, so ``except ValueError`` keeps working.
Input errors carry a list of :class:`Problem` records, so that *all* problems
of a file are reported together, each with file, column, row numbers, what was
expected, what was found and how to fix it. Row numbers are spreadsheet rows:
the header is row 1, the first data row is row 2. Identifier values never
appear in a message.

Statistical trouble is not an error: it is a warning (a subclass of
:class:`IlbEvalWarning`) that is also stored on the result object.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "ConvergenceWarning",
    "EstimationError",
    "IlbEvalError",
    "IlbEvalWarning",
    "InadmissibleSolutionWarning",
    "InputError",
    "MissingDataWarning",
    "OutputError",
    "Problem",
    "SpecError",
    "StudyDefinitionError",
    "WeightingWarning",
    "format_rows",
    "printable",
    "printable_lines",
]

_MAX_ROWS_SHOWN = 10


def format_rows(rows: Sequence[int], limit: int = _MAX_ROWS_SHOWN) -> str:
    """Render row numbers compactly: ``"rows 3, 7, 12 and 4 more"``.

    >>> format_rows([5])
    'row 5'
    >>> format_rows(list(range(2, 15)))
    'rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 3 more'
    """
    rows = sorted(set(int(r) for r in rows))
    if not rows:
        return ""
    head = ", ".join(str(r) for r in rows[:limit])
    more = len(rows) - limit
    word = "row" if len(rows) == 1 else "rows"
    return f"{word} {head}" + (f" and {more} more" if more > 0 else "")


_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def printable(text: str) -> str:
    r"""``text`` with control, format and other invisible characters escaped.

    Messages quote column names, file names and sheet names taken from the
    input; a NUL byte, an escape sequence, a line break or a right-to-left
    override in such a name must never reach a terminal or a report raw
    (spaces other than the plain space are shown escaped as well).
    Each such character is written as ``\xNN``, ``\uNNNN`` or ``\UNNNNNNNN``.

    >>> print(printable("fk_1\x00\x1b[2J"), printable("Größe\u200b"), printable("a\nb"))
    fk_1\x00\x1b[2J Größe\u200b a\nb
    """
    if text.isprintable():
        return text
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category in _INVISIBLE or (category == "Zs" and char != " "):
            out.append(char.encode("unicode_escape").decode("ascii"))
        else:
            out.append(char)
    return "".join(out)


def printable_lines(text: str) -> str:
    r"""Several lines, each made :func:`printable` (the line breaks themselves are kept).

    >>> print(printable_lines("data folder: /data/\x1b[2Jx\nok"))
    data folder: /data/\x1b[2Jx
    ok
    """
    return "\n".join(printable(line) for line in text.split("\n"))


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file or definition.

    Attributes
    ----------
    code:
        Stable machine-readable code, e.g. ``"OUT_OF_RANGE"``.
    message:
        What is wrong, in one sentence, without identifier values.
    file:
        File name (not the full path) the problem was found in, if any.
    column:
        Column (field) name, if the problem concerns one column.
    rows:
        Spreadsheet row numbers (header = row 1) of the affected rows.
    expected, found:
        Short descriptions of what the schema expects and what was found.
    fix:
        How the user can fix it.
    severity:
        ``"error"`` (the data cannot be used as they are), ``"warning"`` (usable,
        but check) or ``"note"`` (for information). :class:`InputError` is
        raised for errors; the validation report lists all three.
    """

    code: str
    message: str
    file: str | None = None
    column: str | None = None
    rows: tuple[int, ...] = field(default=())
    expected: str | None = None
    found: str | None = None
    fix: str | None = None
    severity: Literal["error", "warning", "note"] = "error"

    @property
    def count(self) -> int:
        """Number of affected rows (0 when the problem is not row-specific)."""
        return len(self.rows)

    def one_line(self) -> str:
        """The problem as a single line, as the command line prints it."""
        where = []
        if self.file:
            where.append(self.file)
        if self.column:
            where.append(f"column '{self.column}'")
        if self.rows:
            where.append(f"{format_rows(self.rows)} ({self.count} in all)")
        parts = [f"[{self.code}]"]
        if where:
            parts.append(", ".join(where) + ":")
        parts.append(self.message.rstrip("."))
        details = []
        if self.expected is not None:
            details.append(f"expected {self.expected}")
        if self.found is not None:
            details.append(f"found {self.found}")
        text = " ".join(parts)
        if details:
            text += " (" + "; ".join(details) + ")"
        text += "."
        if self.fix:
            text += f" Fix: {self.fix.rstrip('.')}."
        return printable(text)


class IlbEvalError(Exception):
    """Base class of all errors raised on purpose by ilb_eval."""

    @property
    def lines(self) -> list[str]:
        """The error as one or more one-line messages for the command line."""
        return [str(self)]


class InputError(IlbEvalError, ValueError):
    """Input data cannot be used; carries every :class:`Problem` found."""

    def __init__(self, problems: Iterable[Problem] | str, *, file: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [Problem(code="INPUT", message=problems, file=file)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("InputError needs at least one problem")
        n = len(self.problems)
        head = self.problems[0].one_line()
        super().__init__(head if n == 1 else f"{n} problems; first: {head}")

    @property
    def lines(self) -> list[str]:
        return [p.one_line() for p in self.problems]


class StudyDefinitionError(IlbEvalError, ValueError):
    """A study definition or wave table schema is invalid (names the JSON path)."""


class SpecError(IlbEvalError, ValueError):
    """A model specification cannot be fitted as given (says why and how to fix)."""


class EstimationError(IlbEvalError, RuntimeError):
    """Estimation failed in a way that leaves no usable result."""


class OutputError(IlbEvalError, OSError):
    """An output could not be written safely (nothing partial is left behind)."""


class IlbEvalWarning(UserWarning):
    """Base class of the warnings ilb_eval emits (and stores on results)."""


class ConvergenceWarning(IlbEvalWarning):
    """The optimiser did not converge, or converged to a doubtful point."""


class InadmissibleSolutionWarning(IlbEvalWarning):
    """Negative variances, non-positive-definite covariance matrices."""


class MissingDataWarning(IlbEvalWarning):
    """Rows were dropped or coverage is low; the count is in the message."""


class WeightingWarning(IlbEvalWarning):
    """Weights leave covariates imbalanced or rest on a few persons (balance diagnostics)."""
