"""Read the coded interview table ``interviews.csv`` that may lie beside the wave files.

The table holds category counts only (``category``, ``sample``, ``mentions``),
never interview text. It is read by the same readers as the wave files
(:func:`ilb_eval.io.formats.read_file`: signature check, dialect detection),
so a file saved by German Excel (Windows-1252, semicolons) is read as well as
a UTF-8 one, and every problem is an :class:`~ilb_eval.exceptions.InputError`
naming file, column and rows, never a crash in the middle of a report.
``validate`` checks the table with :func:`interview_problems` before any
analysis runs.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "interviews.csv").write_bytes("category;sample;mentions\\r\\nSelbstständigkeit;EAP;20\\r\\n".encode("cp1252"))
>>> read_interviews(folder / "interviews.csv")
            category sample  mentions
0  Selbstständigkeit    EAP        20
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from ilb_eval.exceptions import InputError, Problem
from ilb_eval.io.codes import errors_only, make_problem
from ilb_eval.io.formats import read_file
from ilb_eval.io.table import RawTable
from ilb_eval.io.values import parse_numbers, to_strings

__all__ = ["INTERVIEW_COLUMNS", "INTERVIEW_FILE", "interview_problems", "read_interviews"]

#: File name of the coded interview table in the data folder.
INTERVIEW_FILE = "interviews.csv"
#: Its columns, in order.
INTERVIEW_COLUMNS: tuple[str, ...] = ("category", "sample", "mentions")
_FIX_ENCODING = "save the table from Excel as 'CSV UTF-8' or 'CSV (Trennzeichen-getrennt)'"


def _read_raw(path: Path) -> RawTable:
    """UTF-8 first; a file that is not UTF-8 but Windows-1252 (German Excel) is read as such."""
    raw = read_file(path, list(INTERVIEW_COLUMNS), numeric={"mentions"})
    if not raw.readable and {p.code for p in errors_only(raw.problems)} == {"ENCODING"}:
        raw = read_file(path, list(INTERVIEW_COLUMNS), numeric={"mentions"}, dialect={"encoding": "windows-1252"})
    # the readers' fixes speak of a wave's dialect in the study definition; this table has none
    raw.problems = [dataclasses.replace(p, fix=_FIX_ENCODING) if p.code == "ENCODING" else p for p in raw.problems]
    return raw


def _table(path: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    raw = _read_raw(path)
    problems = list(raw.problems)
    if not raw.readable:
        return None, problems
    missing = [c for c in INTERVIEW_COLUMNS if c not in raw.cells]
    for column in missing:
        problems.append(make_problem(
            "MISSING_COLUMN", "the coded interview table lacks this column", file=raw.file, column=column,
            expected=f"columns {', '.join(INTERVIEW_COLUMNS)}", found="no such column",
            fix="export the coded categories with the columns category, sample, mentions",
        ))
    if missing:
        return None, problems
    decimal = raw.dialect.decimal if raw.dialect is not None and raw.dialect.decimal else "."
    mentions = parse_numbers(raw.cells["mentions"], decimal)
    rows = np.asarray(raw.rows)
    values = mentions.values
    bad = np.zeros(len(values), bool)
    bad[mentions.text + mentions.other_mark] = True
    present = ~np.isnan(values)
    bad[present] |= (values[present] < 0) | (values[present] != np.floor(values[present]))
    if bad.any():
        problems.append(make_problem(
            "WRONG_TYPE", "mentions must be whole numbers of at least 0", file=raw.file, column="mentions",
            rows=rows[bad], expected="counts 0, 1, 2, ...", found=f"other values in {int(bad.sum())} row(s)",
            fix="correct these cells (a count of mentions per category and sample)",
        ))
    frame = pd.DataFrame({
        "category": pd.Series(to_strings(raw.cells["category"]), dtype=object),
        "sample": pd.Series(to_strings(raw.cells["sample"]), dtype=object),
        "mentions": np.where(bad | ~present, 0, np.nan_to_num(values)).astype(int),
    })
    return frame.dropna(subset=["category", "sample"]).reset_index(drop=True), problems


def interview_problems(data_dir: str | Path) -> list[Problem]:
    """Every problem of ``interviews.csv`` in ``data_dir`` (empty when the file is absent or fine)."""
    path = Path(data_dir) / INTERVIEW_FILE
    if not path.is_file():
        return []
    return _table(path)[1]


def read_interviews(path: str | Path) -> pd.DataFrame:
    """The coded interview table: columns ``category``, ``sample``, ``mentions`` (int).

    Raises
    ------
    InputError
        With every error of the file: a wrong format (an Excel workbook named
        .csv), an encoding that is neither UTF-8 nor Windows-1252, a missing
        column, counts that are not whole numbers.
    """
    frame, problems = _table(Path(path))
    errors = errors_only(problems)
    if errors or frame is None:
        raise InputError(errors or problems)
    return frame
