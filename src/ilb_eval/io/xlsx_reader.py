"""Read an Excel ``.xlsx`` wave export with openpyxl (read-only, cached values).

Every worksheet is looked at: the data are read from the sheet the study
definition names (``"sheet"`` in the wave's dialect), or else from the one
sheet that holds anything. Data on more than one sheet without a named sheet
is an error naming the sheets (rows continued on a second sheet would
otherwise be lost silently); with a named sheet, other sheets with data get a
warning. The first row of the sheet holds the column names; rows between the
names and the data (``extra_header_rows``, 2 for Qualtrics) are skipped when
declared or recognised by Qualtrics' ``ImportId``. Row numbers are Excel's
own. Only the cells of declared columns are kept; completely empty rows hold
no data and are passed over.

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
import json
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl

from ilb_eval.io.codes import make_problem
from ilb_eval.io.dialect import Dialect
from ilb_eval.io.table import RawTable

__all__ = ["read_xlsx"]

_IMPORT_ID = re.compile(r'\{\s*"ImportId"\s*:\s*"[^"]*".*\}')


def read_xlsx(
    path: Path, usecols: Sequence[str] | None = None, *, declared: Mapping[str, object] | None = None,
    wave: str | None = None,
) -> RawTable:
    """Read an .xlsx file into a :class:`RawTable` (never raises for bad content).

    Parameters
    ----------
    path:
        The file (opened read-only).
    usecols:
        The declared column names: only their cells are kept (``None``: all columns).
    declared:
        The wave's ``dialect``: ``sheet`` (the worksheet with the data) and
        ``extra_header_rows``.
    wave:
        Wave name, for the messages.
    """
    declared = dict(declared or {})
    with open(path, "rb") as handle:
        raw = RawTable(file=path.name, sha256=hashlib.file_digest(handle, "sha256").hexdigest())
    if path.stat().st_size == 0:
        raw.problems.append(
            make_problem("EMPTY_FILE", "the file is empty", file=raw.file, found="0 bytes", fix="export the wave again")
        )
        raw.readable = False
        return raw
    try:
        _read_book(path, usecols, raw, declared, wave)
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


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _filled(sheet: Any) -> bool:
    """Whether a worksheet holds any non-empty cell."""
    return any(not _blank(cell) for row in sheet.iter_rows(values_only=True) for cell in row)


def _sheet_fix(wave: str | None, names: Sequence[str]) -> str:
    where = f"the dialect of wave {wave}" if wave else "the wave's dialect"
    options = " or ".join(f'"sheet": {json.dumps(n, ensure_ascii=False)}' for n in names)
    return f"declare {options} in {where} in the study definition (.study.json, \"dialect\")"


def _choose_sheet(book: Any, raw: RawTable, declared: Mapping[str, object], wave: str | None) -> Any | None:
    """The worksheet to read, after checking every sheet of the workbook; ``None`` with an error problem."""
    names = [sheet.title for sheet in book.worksheets]
    filled = [sheet.title for sheet in book.worksheets if _filled(sheet)]
    named = declared.get("sheet")
    if named is not None:
        if named not in names:
            raw.problems.append(
                make_problem(
                    "SHEET_NOT_FOUND", f"the study definition names the worksheet {named!r}, which the workbook does not have",
                    file=raw.file, expected=f"a sheet {named!r}", found=f"sheets {', '.join(map(repr, names))}",
                    fix=_sheet_fix(wave, filled or names),
                )
            )
            return None
        others = [n for n in filled if n != named]
        if others:
            raw.problems.append(
                make_problem(
                    "SEVERAL_SHEETS",
                    f"worksheet(s) {', '.join(map(repr, others))} also hold data; only the named sheet {named!r} is read",
                    severity="warning", file=raw.file, expected=f"data only on sheet {named!r}",
                    found=f"{len(others) + 1} sheets with data",
                    fix="move all rows to the named sheet if they belong to this wave, or delete the other sheets",
                )
            )
        return book[named]
    if len(filled) > 1:
        raw.problems.append(
            make_problem(
                "SEVERAL_SHEETS",
                f"{len(filled)} worksheets hold data ({', '.join(map(repr, filled))}); reading one of them would lose the "
                "rows of the others",
                file=raw.file, expected="the data on one sheet", found=f"{len(filled)} sheets with data",
                fix="put all rows of the wave on one sheet, or " + _sheet_fix(wave, filled),
            )
        )
        return None
    return book[filled[0]] if filled else book.worksheets[0]


def _extra_rows(rows: list[tuple[object, ...]], declared: object, raw: RawTable) -> int:
    if declared is not None:
        return int(declared)  # type: ignore[call-overload]
    if len(rows) < 3:
        return 0
    cells = [str(cell).strip() for cell in rows[2] if not _blank(cell)]
    if cells and sum(bool(_IMPORT_ID.fullmatch(cell)) for cell in cells) >= 0.5 * len(cells):
        raw.problems.append(
            make_problem(
                "EXTRA_HEADER_ROWS",
                "rows 2 and 3 hold question texts and import ids (as Qualtrics writes them); they are not read as data",
                file=raw.file, rows=(2, 3),
                fix='nothing to do; declare "extra_header_rows": 2 in the wave\'s dialect to make it explicit',
            )
        )
        return 2
    return 0


def _read_book(
    path: Path, usecols: Sequence[str] | None, raw: RawTable, declared: Mapping[str, object], wave: str | None
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = _choose_sheet(book, raw, declared, wave)
        if sheet is None:
            raw.readable = False
            return
        rows: Iterator[tuple[object, ...]] = sheet.iter_rows(values_only=True)
        header_cells = next(rows, None)
        if header_cells is None or all(cell is None for cell in header_cells):
            raw.problems.append(
                make_problem(
                    "EMPTY_FILE", "the workbook holds no data", file=raw.file,
                    expected="column names in row 1", fix="put the data on one worksheet, names in row 1",
                )
            )
            raw.readable = False
            return
        raw.header = ["" if cell is None else str(cell).strip() for cell in header_cells]
        index: dict[str, int] = {}
        for position, name in enumerate(raw.header):
            index.setdefault(name, position)
        wanted = usecols if usecols is not None else [name for name in index if name]
        keep = {name: index[name] for name in wanted if name in index}
        raw.cells = {name: [] for name in keep}
        body = list(rows)
        extra = _extra_rows([header_cells, *body], declared.get("extra_header_rows"), raw)
        raw.dialect = Dialect(
            format="xlsx", sheet=sheet.title, extra_header_rows=extra,
            declared=tuple(k for k in ("sheet", "extra_header_rows") if k in declared),
        )
        for number, cells in enumerate(body[extra:], start=2 + extra):
            if all(_blank(cell) for cell in cells):
                continue
            raw.rows.append(number)
            for name, position in keep.items():
                cell = cells[position] if position < len(cells) else None
                raw.cells[name].append(None if isinstance(cell, str) and not cell.strip() else cell)
        raw.n_rows = len(raw.rows)
    finally:
        book.close()
