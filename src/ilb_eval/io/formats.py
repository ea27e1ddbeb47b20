"""One entry to the format readers: a data file of any supported format as a :class:`RawTable`.

``validate`` (through :mod:`ilb_eval.io.waves`), ``init`` (drafting a study
from raw exports) and ``fit`` (through :func:`ilb_eval.io.read_table`) all read
files here, so they accept the same formats and dialects: CSV/TSV/TXT of any
common dialect (:mod:`~ilb_eval.io.csv_reader`), SPSS ``.sav``
(:mod:`~ilb_eval.io.sav_reader`) and Excel ``.xlsx``
(:mod:`~ilb_eval.io.xlsx_reader`). Nothing raises for bad content: problems
are collected on the table. A file whose first bytes say it is another format
than its name promises (an Excel workbook named ``.csv``) is named as such
(``WRONG_FORMAT``, :mod:`ilb_eval.io.signature`) before any reader decodes it.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "data.txt"
>>> _ = path.write_text("id\\tscore\\n1\\t2,5\\n", encoding="utf-16")
>>> raw = read_file(path)
>>> raw.header, raw.cells["score"], raw.dialect.encoding, raw.dialect.delimiter, raw.dialect.decimal
(['id', 'score'], ['2,5'], 'utf-16', '\\t', ',')
>>> read_file(path.with_suffix(".dta")).problems[0].code
'UNSUPPORTED_FORMAT'
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from ilb_eval.io.codes import make_problem
from ilb_eval.io.csv_reader import read_csv
from ilb_eval.io.sav_reader import read_sav
from ilb_eval.io.signature import signature_mismatch
from ilb_eval.io.table import RawTable
from ilb_eval.io.xlsx_reader import read_xlsx

__all__ = ["CSV_SUFFIXES", "SUFFIXES", "read_file"]

#: File endings read as delimited text.
CSV_SUFFIXES: tuple[str, ...] = (".csv", ".tsv", ".txt")
#: Every file ending the readers accept.
SUFFIXES: tuple[str, ...] = (*CSV_SUFFIXES, ".sav", ".xlsx")


def read_file(
    path: Path,
    usecols: Sequence[str] | None = None,
    *,
    numeric: Collection[str] | None = None,
    dialect: Mapping[str, object] | None = None,
    wave: str | None = None,
) -> RawTable:
    """Read a data file with the reader its ending names; never raises for bad content.

    Parameters
    ----------
    path:
        The file (opened read-only).
    usecols:
        The column names to keep (``None``: every column).
    numeric:
        The numeric columns among them, for the decimal-mark detection of a
        CSV file (``None``: all).
    dialect:
        Declared settings (``encoding``, ``delimiter``, ``decimal``,
        ``extra_header_rows``, ``sheet``); they win over detection.
    wave:
        Wave name, for the messages.
    """
    suffix = path.suffix.lower()
    try:
        wrong_format = signature_mismatch(path, wave)  # an .xlsx, .sav or archive under another name
        if wrong_format is not None:
            return wrong_format
        if suffix in CSV_SUFFIXES:
            return read_csv(path, usecols, numeric, declared=dialect, wave=wave)
        if suffix == ".sav":
            return read_sav(path, usecols)
        if suffix == ".xlsx":
            return read_xlsx(path, usecols, declared=dialect, wave=wave)
    except OSError as error:  # permissions, a file removed while reading, a broken disk
        raw = RawTable(file=path.name, sha256="", readable=False)
        raw.problems.append(
            make_problem(
                "UNREADABLE_FILE", f"the file cannot be opened ({type(error).__name__})", file=path.name,
                fix="check that the file exists and that you may read it",
            )
        )
        return raw
    raw = RawTable(file=path.name, sha256="", readable=False)
    raw.problems.append(
        make_problem(
            "UNSUPPORTED_FORMAT", f"files ending in {suffix or '(nothing)'} cannot be read", file=path.name,
            expected=", ".join(SUFFIXES), fix="export the data as CSV, SPSS .sav or Excel .xlsx",
        )
    )
    return raw
