"""The containers the io layer passes on: a raw table from a reader, a WaveTable.

A format reader (CSV, .sav, .xlsx) returns a :class:`RawTable`: the header,
the spreadsheet row numbers of the data rows, and the raw cells of the
declared columns only. The validator turns it into a :class:`WaveTable`,
the contract with the rest of the package (see docs/DESIGN.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ilb_eval.exceptions import Problem
from ilb_eval.io.dialect import Dialect

__all__ = ["RawTable", "WaveTable"]


@dataclass
class RawTable:
    """What a format reader hands to the validator.

    Attributes
    ----------
    file:
        File name (no folder).
    sha256:
        SHA-256 of the file's bytes.
    dialect:
        The settings the file was read with (``None`` when they could not be
        settled, e.g. an ambiguous delimiter).
    header:
        All column names of the file, in file order (names only, no values).
    rows:
        Spreadsheet row numbers (header = row 1) of the data rows whose cells
        are in ``cells``.
    n_rows:
        Number of data rows in the file, including rows that could not be read.
    cells:
        Raw cells of the declared columns present in the file, one list per
        column, aligned with ``rows``. Undeclared columns are never kept.
    value_labels, user_missing, column_labels:
        From a .sav file: value labels, user-defined missing codes and the
        variable label (question text) per column.
    problems:
        Problems found while reading.
    readable:
        ``False`` when the structure is unusable (undecodable, ambiguous, no
        header): the column and value checks are then skipped.
    """

    file: str
    sha256: str
    dialect: Dialect | None = None
    header: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    n_rows: int = 0
    cells: dict[str, list[object]] = field(default_factory=dict)
    value_labels: dict[str, dict[float | str, str]] = field(default_factory=dict)
    user_missing: dict[str, tuple[float, ...]] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True


@dataclass(frozen=True, eq=False)
class WaveTable:
    """One wave file, loaded and validated.

    Attributes
    ----------
    wave:
        Wave name from the study definition (``"t1"``).
    file:
        File name (no folder).
    frame:
        Exactly the declared columns in schema order; numeric fields float64
        with missing codes still present as values; string fields str/object
        with ``NaN``/``None`` for blanks; index = spreadsheet row number
        (name ``"row"``).
    dialect:
        Detected or declared settings (format, encoding, delimiter, decimal, bom).
    sha256:
        SHA-256 of the file as read.
    value_labels:
        Value labels per column from a .sav file (empty for CSV/.xlsx).
    user_missing:
        User-defined missing codes per column from a .sav file.
    problems:
        Warnings and notes about the file (errors are raised instead).
    """

    wave: str
    file: str
    frame: pd.DataFrame
    dialect: Dialect
    sha256: str
    value_labels: dict[str, dict[float | str, str]] = field(default_factory=dict)
    user_missing: dict[str, tuple[float, ...]] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    @property
    def n_rows(self) -> int:
        """Number of data rows."""
        return len(self.frame)
