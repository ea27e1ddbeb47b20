"""Read one data file for a model (``fit``, ``sem``): any format and dialect ``validate`` reads.

:func:`read_table` is the one code path from a file to a DataFrame for the
modelling commands. It reads through :func:`ilb_eval.io.formats.read_file`
(CSV of any common dialect, SPSS ``.sav``, Excel ``.xlsx``), types each
column (numbers as float64, everything else as text), sets declared missing
codes (and a ``.sav`` file's user-missing codes) to missing, warns when a
model column holds typical missing codes that were not declared (``-99`` in
a 1..5 scale is not an answer), and pivots long data (one row per person
and wave) to one row per person. Every problem names the file, the column
and the spreadsheet rows, never a value of the person identifier.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "growth.csv"
>>> _ = path.write_text("id;t1;t2;t3\\n1;3,5;-99;4\\n2;2;2,5;3\\n3;4;4;-99\\n4;3;3,5;4\\n", encoding="utf-8")
>>> read = read_table(path, numeric=["t1", "t2", "t3"])
>>> read.dialect.delimiter, read.dialect.decimal, [p.code for p in read.problems]
(';', ',', ['SUSPECT_MISSING_CODE', 'SUSPECT_MISSING_CODE'])
>>> read_table(path, missing_codes=[-99]).frame["t2"].tolist()
[nan, 2.5, 4.0, 3.5]
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ilb_eval.exceptions import InputError, Problem, SpecError
from ilb_eval.io.codes import errors_only, make_problem
from ilb_eval.io.dialect import Dialect
from ilb_eval.io.formats import read_file
from ilb_eval.io.values import parse_numbers, to_strings

__all__ = ["TYPICAL_MISSING_CODES", "LongFormat", "TableRead", "outcome_columns", "read_table", "stray_codes"]

#: Codes survey tools and analysts use for missing answers; a model column holding one of them,
#: apart from its other values and not declared missing, gets a warning.
TYPICAL_MISSING_CODES: tuple[float, ...] = (
    -1.0, -2.0, -3.0, -7.0, -8.0, -9.0, -66.0, -77.0, -88.0, -97.0, -98.0, -99.0, -999.0, -9999.0,
    9.0, 98.0, 99.0, 998.0, 999.0, 9999.0,
)
_PANDAS_3 = int(pd.__version__.split(".")[0]) >= 3
_TEXT = "str" if _PANDAS_3 else object


@dataclass(frozen=True)
class LongFormat:
    """How long data were turned into one row per person.

    Attributes
    ----------
    id, time:
        The person and time columns of the file.
    times:
        The distinct values of the time column, in order (numbers ascending,
        text in natural order: ``t2`` before ``t10``).
    time_scores:
        The times as numbers when the time column is numeric, else ``None``.
    columns:
        Per pivoted column of the file, the wide columns in time order
        (``{"score": ("score_0", "score_2", "score_3")}``).
    """

    id: str
    time: str
    times: tuple[float | str, ...]
    time_scores: tuple[float, ...] | None
    columns: dict[str, tuple[str, ...]]


@dataclass(frozen=True, eq=False)
class TableRead:
    """A data file as read for a model.

    Attributes
    ----------
    frame:
        Numeric columns as float64 with missing codes set to NaN, other
        columns as text; index = spreadsheet row (``"row"``), or, for long
        data, the person (1..N, ``"person"``; the identifier itself is dropped).
    file:
        File name (no folder).
    dialect:
        The settings the file was read with.
    sha256:
        SHA-256 of the file.
    problems:
        Warnings and notes (errors are raised).
    missing_codes:
        The codes set to missing, and per column how many cells they were
        (``recoded``; a .sav file's user-missing codes included).
    long:
        How long data were pivoted (``None`` for wide data).
    """

    frame: pd.DataFrame
    file: str
    dialect: Dialect
    sha256: str
    problems: tuple[Problem, ...] = ()
    missing_codes: tuple[float, ...] = ()
    recoded: dict[str, int] = field(default_factory=dict)
    long: LongFormat | None = None

    @property
    def warnings(self) -> list[Problem]:
        """The warning-level problems."""
        return [p for p in self.problems if p.severity == "warning"]

    def describe(self) -> dict[str, object]:
        """What was read, for a JSON record: file, SHA-256, dialect, missing codes, long format."""
        out: dict[str, object] = {
            "file": self.file, "sha256": self.sha256, "dialect": self.dialect.as_dict(),
            "missing_codes": list(self.missing_codes), "recoded_cells": dict(self.recoded),
            "layout": "wide" if self.long is None else "long",
        }
        if self.long is not None:
            out["long"] = {"id": self.long.id, "time": self.long.time,
                           "times": list(self.long.times), "columns": {k: list(v) for k, v in self.long.columns.items()}}
        return out


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _typed_columns(
    header: Sequence[str], cells: Mapping[str, list[object]], rows: Sequence[int], decimal: str,
    numeric: Collection[str] | None, file: str,
) -> tuple[dict[str, pd.Series], list[Problem]]:
    """Each column as numbers (when every filled cell is one) or text; model columns must be numbers."""
    index = pd.Index(rows, name="row", dtype="int64")
    positions = np.asarray(rows, dtype="int64")
    problems: list[Problem] = []
    counts = Counter(name for name in header if name)
    for name, n in counts.items():
        if n > 1:
            problems.append(make_problem(
                "DUPLICATE_HEADER", f"the column name occurs {n} times", file=file, column=name, rows=(1,),
                expected="each column name once", found=f"{n} columns", fix="rename or remove the extra columns",
            ))
    columns: dict[str, pd.Series] = {}
    for name, values in cells.items():
        parsed = parse_numbers(values, decimal)
        must = numeric is not None and name in numeric
        if not parsed.text and not parsed.other_mark:
            columns[name] = pd.Series(parsed.values, index=index, dtype="float64")
            continue
        if must and parsed.text:
            problems.append(make_problem(
                "WRONG_TYPE", "text in a column the model uses as a number", file=file, column=name,
                rows=positions[parsed.text], expected="numbers", found=f"text in {len(parsed.text)} row(s)",
                fix="replace the text by a number, or leave the cell empty (missing)",
            ))
        if must and parsed.other_mark:
            mark = "," if decimal == "." else "."
            problems.append(make_problem(
                "DIALECT_MISMATCH", f"numbers are written with a decimal '{mark}' but the file's decimal mark is "
                f"'{decimal}'", file=file, column=name, rows=positions[parsed.other_mark],
                expected=f"decimal '{decimal}'", found=f"decimal '{mark}'",
                fix="export the file again with one decimal mark",
            ))
        columns[name] = pd.Series(to_strings(values), index=index, dtype=_TEXT)
    return columns, problems


def stray_codes(values: np.ndarray) -> set[float]:
    """The typical missing codes in ``values`` that stand apart from the column's other values.

    A negative code is apart when every other value is zero or more (-1 beside
    0/1 answers, -9 beside ages). Otherwise, starting from the values that are
    not typical codes, a code joins them when it lies closer than twice their
    usual spacing to one of them (-3 and -1 among centred ages -12..7, 9 on
    a 0..10 scale); the codes left over (-99 or 9 beside a 1..5 scale, 99
    beside ages 18..65) are apart.

    >>> sorted(stray_codes(np.array([1.0, 2, 3, 4, 5, -99, 9, 3])))
    [-99.0, 9.0]
    >>> sorted(stray_codes(np.array([-12.0, -3, -1, 0, 4, 7]))), sorted(stray_codes(np.array([0.0, 1, 1, 0, -1])))
    ([], [-1.0])
    """
    present = values[~np.isnan(values)]
    typical = np.isin(present, TYPICAL_MISSING_CODES)
    known = set(np.unique(present[~typical]).tolist())
    if (~typical).sum() < 3 or len(known) < 2:
        return set()
    candidates = set(np.unique(present[typical]).tolist())
    apart = {c for c in candidates if c < 0 <= min(known)}
    candidates -= apart
    changed = True
    while changed and candidates:
        spacing = float(np.median(np.diff(sorted(known))))
        joining = {c for c in candidates if min(abs(c - k) for k in known) < 2 * spacing}
        known |= joining
        candidates -= joining
        changed = bool(joining)
    return apart | candidates


def _suspect_codes(frame: pd.DataFrame, columns: Sequence[str], file: str) -> list[Problem]:
    """Typical missing codes, not declared, standing apart from a column's other values."""
    problems = []
    for name in columns:
        values = frame[name].to_numpy(dtype="float64")
        stray = stray_codes(values)
        if not stray:
            continue
        outside = np.isin(values, list(stray))
        others = values[~outside & ~np.isnan(values)]
        found = Counter(values[outside].tolist())
        listed = ", ".join(f"{_fmt(v)} ({n} row{'s' if n != 1 else ''})" for v, n in sorted(found.items()))
        codes = " ".join(_fmt(v) for v in sorted(found))
        problems.append(make_problem(
            "SUSPECT_MISSING_CODE",
            "values that are typical missing codes, apart from the column's other values, are not declared "
            "missing; they are used as numbers",
            severity="warning", file=file, column=name, rows=frame.index.to_numpy()[outside],
            expected=f"values from {_fmt(others.min())} to {_fmt(others.max())}", found=listed,
            fix=f"declare them missing (fit: --missing-codes {codes}), or correct these cells",
        ))
    return problems


def _natural_key(value: float | str) -> tuple[object, ...]:
    if isinstance(value, float):
        return (0, value)
    return (1, *(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", value)))


def _wide_name(column: str, time: float | str) -> str:
    return f"{column}_{_fmt(time) if isinstance(time, float) else time}"


def _pivot(
    frame: pd.DataFrame, id: str, time: str, varying: Sequence[str], constant: Collection[str], file: str,
) -> tuple[pd.DataFrame, LongFormat, list[Problem]]:
    """One row per person: ``varying`` columns per time, the others once (they must not vary)."""
    problems: list[Problem] = []
    rows = frame.index.to_numpy()
    ids = frame[id].astype("string")
    times = frame[time]
    numeric_time = pd.api.types.is_float_dtype(times)
    for column, series in ((id, ids), (time, times)):
        empty = series.isna().to_numpy()
        if empty.any():
            problems.append(make_problem(
                "EMPTY_ID" if column == id else "REQUIRED_EMPTY",
                f"rows without a value of the {'person' if column == id else 'time'} column cannot be placed",
                file=file, column=column, rows=rows[empty], expected="a value in every row",
                found=f"{int(empty.sum())} empty", fix="fill in these cells or remove the rows",
            ))
    keys = pd.DataFrame({"id": ids, "time": times.astype("string")})
    repeated = keys.duplicated(keep=False).to_numpy() & keys.notna().all(axis=1).to_numpy()
    if repeated.any():
        problems.append(make_problem(
            "DUPLICATE_TIME", "the same person has more than one row for the same time, so the data cannot be "
            "turned into one row per person", file=file, column=time, rows=rows[repeated],
            expected="one row per person and time", found=f"{int(repeated.sum())} rows share a person and time",
            fix="remove the double rows, or correct the person or time values",
        ))
    if errors_only(problems):
        raise InputError(problems)
    person_codes = pd.unique(ids)
    person = pd.Series(pd.Categorical(ids, categories=person_codes).codes + 1, index=frame.index)
    values = sorted({float(t) if numeric_time else str(t) for t in times}, key=_natural_key)
    parts: dict[str, pd.Series] = {}
    columns: dict[str, tuple[str, ...]] = {}
    for column in varying:
        names = []
        for t in values:
            at = (times == t).to_numpy()
            name = _wide_name(column, t)
            parts[name] = pd.Series(frame[column].to_numpy()[at], index=person.to_numpy()[at])
            names.append(name)
        columns[column] = tuple(names)
    dropped = []
    for column in frame.columns:
        if column in (id, time) or column in varying:
            continue
        per_person = frame[column].groupby(person.to_numpy()).nunique(dropna=True)
        if (per_person > 1).any():
            if column in constant:
                changing = person.isin(per_person.index[per_person > 1]).to_numpy()
                problems.append(make_problem(
                    "TIME_VARYING", "the column should hold one value per person, but it changes over time for "
                    f"{int((per_person > 1).sum())} person(s)", file=file, column=column, rows=rows[changing],
                    expected="the same value in every row of a person", found="different values",
                    fix="use a value that does not change (e.g. the first wave's), or pivot it as an outcome",
                ))
            else:
                dropped.append(column)
            continue
        parts[column] = frame[column].groupby(person.to_numpy()).first()
    if errors_only(problems):
        raise InputError(problems)
    if dropped:
        problems.append(make_problem(
            "TIME_VARYING", f"{len(dropped)} column(s) change over time within persons and are not kept: "
            + ", ".join(dropped[:20]), severity="note", file=file,
            fix="name them as outcomes (pivoted per time) if the model needs them",
        ))
    persons = pd.RangeIndex(1, len(person_codes) + 1, name="person")
    wide = pd.DataFrame({name: series.reindex(persons) for name, series in parts.items()}, index=persons)
    layout = LongFormat(id=id, time=time, times=tuple(values),
                        time_scores=tuple(float(v) for v in values) if numeric_time else None, columns=columns)
    return wide, layout, problems


def read_table(
    path: str | Path,
    *,
    missing_codes: Sequence[float] = (),
    sheet: str | None = None,
    long: bool = False,
    id: str | None = None,
    time: str | None = None,
    varying: Sequence[str] = (),
    constant: Collection[str] = (),
    numeric: Collection[str] | None = None,
    dialect: Mapping[str, object] | None = None,
) -> TableRead:
    """Read a data file (CSV, .sav, .xlsx) for a model, as ``validate`` reads wave exports.

    Parameters
    ----------
    path:
        The file; opened read-only.
    missing_codes:
        Codes that mean "missing" in every numeric column (``-99``, ``-9``);
        those cells become NaN. A .sav file's own user-missing codes are
        always set to missing.
    sheet:
        The worksheet of an .xlsx file (default: the one sheet with data).
    long:
        The file has one row per person and time: pivot it to one row per
        person. Needs ``id``, ``time`` and ``varying``.
    id, time:
        The person and time columns of long data.
    varying:
        The columns of long data to spread over the times (the outcomes);
        they become ``<column>_<time>``.
    constant:
        Columns of long data that must hold one value per person (covariates,
        group); other columns that change within persons are left out (a note).
    numeric:
        Columns the model uses as numbers: text in them is an error and they
        are searched for undeclared missing codes (default: every numeric
        column is searched, nothing is required).
    dialect:
        Declared CSV settings (``encoding``, ``delimiter``, ``decimal``,
        ``extra_header_rows``); detected otherwise.

    Returns
    -------
    TableRead
        The frame, the dialect, the SHA-256 and the warnings and notes.

    Raises
    ------
    InputError
        With every error found: unreadable file, dialect problems, text in a
        model column, an empty or repeated person/time in long data.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise InputError([make_problem(
            "FILE_NOT_FOUND", "the data file does not exist" if not path.exists() else "the path is not a file",
            file=name, fix="check the path given with --data",
        )])
    declared = dict(dialect or {})
    if sheet is not None:
        declared["sheet"] = sheet
    raw = read_file(path, None, dialect=declared)
    problems = list(raw.problems)
    if errors_only(problems) or not raw.readable or raw.dialect is None:
        raise InputError(errors_only(problems) or problems)
    decimal = raw.dialect.decimal or "."
    required = None if numeric is None else set(numeric) | set(varying)
    columns, typed_problems = _typed_columns(raw.header, raw.cells, raw.rows, decimal, required, name)
    problems += typed_problems
    wanted = [c for c in (*(required or ()), *constant, *((id, time) if long else ())) if c is not None]
    missing = sorted({c for c in wanted if c not in columns})
    for column in missing:
        problems.append(make_problem(
            "MISSING_COLUMN", "the column named on the command line is not in the file", file=name, column=column,
            expected=f"column '{column}'", found=f"{len(raw.header)} other columns",
            fix="check the spelling (names are case-sensitive), or the file",
        ))
    if errors_only(problems):
        raise InputError(errors_only(problems))
    frame = pd.DataFrame(columns, index=pd.Index(raw.rows, name="row", dtype="int64"))
    codes = tuple(float(c) for c in missing_codes)
    recoded: dict[str, int] = {}
    for column in frame.columns:
        if frame[column].dtype != "float64":
            continue
        drop = codes + raw.user_missing.get(column, ())
        hit = frame[column].isin(drop).to_numpy() if drop else np.zeros(len(frame), bool)
        if hit.any():
            recoded[column] = int(hit.sum())
            frame.loc[hit, column] = np.nan
    searched = [c for c in frame.columns if frame[c].dtype == "float64" and (required is None or c in required)]
    problems += _suspect_codes(frame, searched, name)
    layout = None
    if long:
        if id is None or time is None or not varying:
            raise InputError([make_problem(
                "MISSING_COLUMN", "long data need the person column, the time column and the columns to pivot",
                file=name, fix="give --id COLUMN --time COLUMN and the outcome column",
            )])
        frame, layout, pivot_problems = _pivot(frame, id, time, varying, constant, name)
        problems += pivot_problems
    return TableRead(
        frame=frame, file=name, dialect=raw.dialect, sha256=raw.sha256, problems=tuple(problems),
        missing_codes=codes, recoded=recoded, long=layout,
    )


def outcome_columns(
    read: TableRead, outcomes: Sequence[str], time_scores: Sequence[float] | None
) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The outcome columns and time scores of a growth model on what was read.

    Wide data: as given (time scores are required). Long data: ``outcomes``
    is the one pivoted column; its wide columns are the outcomes, and the
    time scores default to the values of a numeric time column.

    Raises
    ------
    SpecError
        When the time scores are missing or do not match the outcomes.

    Examples
    --------
    >>> layout = LongFormat("id", "wave", (0.0, 2.0, 3.0), (0.0, 2.0, 3.0), {"y": ("y_0", "y_2", "y_3")})
    >>> read = TableRead(pd.DataFrame(), "long.csv", Dialect("csv"), "", long=layout)
    >>> outcome_columns(read, ["y"], None)
    (('y_0', 'y_2', 'y_3'), (0.0, 2.0, 3.0))
    """
    if read.long is None:
        if not time_scores:
            raise SpecError("--time-scores is required: give one time score per outcome, e.g. --time-scores 0 2 3")
        return tuple(outcomes), tuple(float(t) for t in time_scores)
    if len(outcomes) != 1 or outcomes[0] not in read.long.columns:
        raise SpecError(
            f"with long data, --outcomes names the one column that holds the outcome (got {len(outcomes)}: "
            f"{', '.join(outcomes)}); it is spread over the {len(read.long.times)} times of '{read.long.time}'"
        )
    columns = read.long.columns[outcomes[0]]
    if time_scores:
        scores = tuple(float(t) for t in time_scores)
    elif read.long.time_scores is not None:
        scores = read.long.time_scores
    else:
        times = ", ".join(str(t) for t in read.long.times)
        raise SpecError(
            f"the time column '{read.long.time}' holds text ({times}); give one time score per time with "
            f"--time-scores, in this order"
        )
    if len(scores) != len(columns):
        raise SpecError(f"{len(scores)} time scores for {len(columns)} times of '{read.long.time}'; give one per time")
    return columns, scores
