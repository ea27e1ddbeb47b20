"""The stable problem codes of the io layer and their default severities.

Every problem the loaders and the validator report carries one of these
codes. ``"error"`` means the data cannot be analysed as they are;
``"warning"`` and ``"note"`` do not stop an analysis.

>>> SEVERITY["OUT_OF_RANGE"], SEVERITY["UNEXPECTED_COLUMN"]
('error', 'note')
>>> make_problem("EMPTY_FILE", "the file is empty", file="eap_t1.csv").severity
'error'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from ilb_eval.exceptions import Problem

__all__ = ["SEVERITY", "Severity", "make_problem", "errors_only"]

Severity = Literal["error", "warning", "note"]

#: Default severity of every problem code of the io layer.
SEVERITY: dict[str, Severity] = {
    # the file itself
    "FILE_NOT_FOUND": "error",
    "UNEXPECTED_FILE": "warning",
    "UNSUPPORTED_FORMAT": "error",
    "WRONG_FORMAT": "error",
    "UNREADABLE_FILE": "error",
    "EMPTY_FILE": "error",
    "HEADER_ONLY": "error",
    "ENCODING": "error",
    "DIALECT_AMBIGUOUS": "error",
    "DIALECT_MISMATCH": "error",
    "BYTE_ORDER_MARK": "note",
    "EXTRA_HEADER_ROWS": "note",
    "SHEET_NOT_FOUND": "error",
    "SEVERAL_SHEETS": "error",
    "RAGGED_ROW": "error",
    "UNTERMINATED_QUOTE": "error",
    "MALFORMED_CSV": "error",
    # the columns
    "NO_HEADER": "error",
    "DUPLICATE_HEADER": "error",
    "MISSING_COLUMN": "error",
    "UNEXPECTED_COLUMN": "note",
    "DIRECT_IDENTIFIER": "error",
    "SCHEMA_DRIFT": "error",
    "WAVE_NOT_IN_SCALE": "warning",
    # the values
    "WRONG_TYPE": "error",
    "OUT_OF_RANGE": "error",
    "SUSPECT_MISSING_CODE": "error",
    "DUPLICATE_ID": "error",
    "UNUSUAL_CODE": "warning",
    "EMPTY_ID": "error",
    "REQUIRED_EMPTY": "error",
    "NO_ANSWERS": "error",
    # drafting a study from raw exports (init)
    "TOO_FEW_EXPORTS": "error",
    "NO_PERSON_CODE": "error",
    # long data (fit --long)
    "DUPLICATE_TIME": "error",
    "TIME_VARYING": "error",
}


def make_problem(code: str, message: str, *, severity: Severity | None = None, **details: object) -> Problem:
    """A :class:`~ilb_eval.exceptions.Problem` with the default severity of ``code``.

    Parameters
    ----------
    code:
        One of the keys of :data:`SEVERITY`.
    message:
        What is wrong, without identifier values.
    severity:
        Override the default severity (e.g. a mismatch that is only a warning).
    **details:
        ``file``, ``column``, ``rows``, ``expected``, ``found``, ``fix``.

    Examples
    --------
    >>> p = make_problem("DUPLICATE_ID", "2 person ids occur more than once", rows=(3, 9))
    >>> p.code, p.rows, p.severity
    ('DUPLICATE_ID', (3, 9), 'error')
    """
    if code not in SEVERITY:
        raise KeyError(f"unknown problem code {code!r}")
    rows = details.pop("rows", ())
    return Problem(
        code=code,
        message=message,
        rows=tuple(sorted({int(r) for r in rows})),  # type: ignore[union-attr]
        severity=severity or SEVERITY[code],
        **details,  # type: ignore[arg-type]
    )


def errors_only(problems: Iterable[Problem]) -> list[Problem]:
    """The problems of severity ``"error"``, in their order."""
    return [p for p in problems if p.severity == "error"]
