"""Read an Excel ``.xlsx`` wave export with openpyxl (read-only, cached values).

The first worksheet is read; its first row holds the column names. Row
numbers are Excel's own. Only the cells of declared columns are kept;
completely empty rows hold no data and are passed over.

>>> import pathlib, tempfile, openpyxl
>>> path = pathlib.Path(tempfile.mkdtemp()) / "t1.xlsx"
>>> book = openpyxl.Workbook()
>>> for row in (["code", "fk_1", "extra"], ["AB12", 4, "x"], [None, None, None], ["CD34", -9, None]):
...     book.active.append(row)
>>> book.save(path)
>>> raw = read_xlsx(path, ["code", "fk_1"])
>>> raw.header, raw.rows, raw.cells["fk_1"]
(['code', 'fk_1', 'extra'], [2, 4], [4, -9])
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Sequence
from pathlib import Path

import openpyxl

from ilb_eval.io.codes import make_problem
from ilb_eval.io.dialect import Dialect
from ilb_eval.io.table import RawTable

__all__ = ["read_xlsx"]


def read_xlsx(path: Path, usecols: Sequence[str]) -> RawTable:
    """Read an .xlsx file into a :class:`RawTable` (never raises for bad content).

    Parameters
    ----------
    path:
        The file (opened read-only).
    usecols:
        The declared column names: only their cells are kept.
    """
    with open(path, "rb") as handle:
        raw = RawTable(file=path.name, sha256=hashlib.file_digest(handle, "sha256").hexdigest())
    if path.stat().st_size == 0:
        raw.problems.append(
            make_problem("EMPTY_FILE", "the file is empty", file=raw.file, found="0 bytes", fix="export the wave again")
        )
        raw.readable = False
        return raw
    try:
        _read_book(path, usecols, raw)
    except Exception as error:  # zipfile, zlib, lxml and openpyxl raise many types on damaged files
        raw.problems = [
            make_problem(
                "UNREADABLE_FILE", f"the file cannot be read as an Excel .xlsx workbook ({type(error).__name__})",
                file=raw.file, expected="an .xlsx workbook", fix="save the wave again from Excel as .xlsx",
            )
        ]
        raw.readable = False
        return raw
    if raw.readable and raw.n_rows == 0:
        raw.problems.append(
            make_problem(
                "HEADER_ONLY", "the worksheet has a header but no data rows", file=raw.file,
                expected="at least one data row", found="0 data rows", fix="export the wave with its responses",
            )
        )
    return raw


def _read_book(path: Path, usecols: Sequence[str], raw: RawTable) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        raw.dialect = Dialect(format="xlsx", sheet=sheet.title)
        rows = sheet.iter_rows(values_only=True)
        header_cells = next(rows, None)
        if header_cells is None or all(cell is None for cell in header_cells):
            raw.problems.append(
                make_problem(
                    "EMPTY_FILE", "the first worksheet is empty", file=raw.file,
                    expected="column names in row 1", fix="put the data on the first worksheet, names in row 1",
                )
            )
            raw.readable = False
            return
        raw.header = ["" if cell is None else str(cell).strip() for cell in header_cells]
        index: dict[str, int] = {}
        for position, name in enumerate(raw.header):
            index.setdefault(name, position)
        keep = {name: index[name] for name in usecols if name in index}
        raw.cells = {name: [] for name in keep}
        for number, cells in enumerate(rows, start=2):
            if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
                continue
            raw.rows.append(number)
            for name, position in keep.items():
                cell = cells[position] if position < len(cells) else None
                raw.cells[name].append(None if isinstance(cell, str) and not cell.strip() else cell)
        raw.n_rows = len(raw.rows)
    finally:
        book.close()
