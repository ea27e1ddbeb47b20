"""Check one wave file against its table schema; collect every problem.

Two steps: :func:`check_columns` compares the header with the declared
fields (missing, unexpected, duplicated, renamed, identifier-like columns);
:func:`build_frame` turns the raw cells into typed columns and checks every
value (types, categories and ranges, undeclared codes that look like missing
codes, empty and duplicated person ids, e-mail addresses). Problems name the
file, the column and the spreadsheet rows; person ids and text cells are never
quoted.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ilb_eval.exceptions import Problem
from ilb_eval.io.codes import make_problem
from ilb_eval.io.privacy import (
    email_rows,
    looks_like_identifier,
    normalise_name,
    normalise_person_code,
    personal_data_kind,
    unusual_code,
)
from ilb_eval.io.table import RawTable
from ilb_eval.io.values import parse_numbers, to_strings
from ilb_eval.study import Field, TableSchema

__all__ = ["build_frame", "check_columns", "looks_like_missing_code"]

#: Codes survey tools use for missing answers (SoSci Survey, EFS, SPSS habits).
_TYPICAL_CODES = [-1.0, -2.0, -3.0, -8.0, -9.0, -66.0, -77.0, -88.0, -97.0, -98.0, -99.0, -999.0, -9999.0]
_PANDAS_3 = int(pd.__version__.split(".")[0]) >= 3
_STRING_DTYPE = "str" if _PANDAS_3 else object


#: Out-of-range values with more digits than this are described, not quoted: a phone number,
#: postcode, date of birth or account number typed into a numeric field is personal data.
QUOTED_DIGITS_MAX = 4


def looks_like_missing_code(value: float) -> bool:
    """Whether an out-of-range value looks like an undeclared missing code.

    Negative whole numbers of up to four digits (-1, -9, -77, -99, -999),
    runs of nines with an optional last digit (9, 99, 98, 999, 998, -99999, ...)
    and repeated digits (77, 88, 666) are typical missing codes of survey
    tools. A longer negative number (a phone number typed with a dash) is not.

    >>> [looks_like_missing_code(v) for v in (-99, -1, 9, 98, 999, 77, 6, 0, 2.5, -99999, -1512345)]
    [True, True, True, True, True, True, False, False, False, True, False]
    """
    if not float(value).is_integer():
        return False
    number = int(value)
    digits = str(abs(number))
    nines = digits[0] == "9" and set(digits[:-1]) <= {"9"}
    repeated = len(digits) >= 2 and len(set(digits)) == 1
    return nines or repeated or (number < 0 and len(digits) <= QUOTED_DIGITS_MAX)


def _fmt(value: float | str) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _values_list(values: Sequence[float | str]) -> str:
    return ", ".join(_fmt(v) for v in values)


def _rows(n: int) -> str:
    return f"{n} row{'s' if n != 1 else ''}"


def _shown(value: float) -> str:
    """An out-of-range value as a message may show it: long numbers only by their number of digits.

    >>> _shown(6.0), _shown(-99.0), _shown(151234567.0), _shown(1e12), _shown(float("inf"))
    ('6', '-99', 'a 9-digit number', 'a 13-digit number', 'inf')
    """
    if not np.isfinite(value):
        return str(value)
    digits = len(str(int(abs(value))))
    return f"a {digits}-digit number" if digits > QUOTED_DIGITS_MAX else _fmt(value)


def _found_counts(values: Sequence[float], *, describe_long: bool = False) -> str:
    shown = [_shown(v) if describe_long else _fmt(v) for v in sorted(values)]
    return ", ".join(f"{v} ({_rows(n)})" for v, n in Counter(shown).items())


def check_columns(
    raw: RawTable,
    schema: TableSchema,
    *,
    person_id: str,
    other_schemas: Mapping[str, TableSchema] | None = None,
    other_headers: Mapping[str, Sequence[str]] | None = None,
) -> list[Problem]:
    """Compare the file's header with the table schema.

    Parameters
    ----------
    raw:
        The file as read.
    schema:
        The wave's table schema.
    person_id:
        The person identifier field (never treated as a direct identifier).
    other_schemas:
        Table schemas of the study's other waves, by wave name: a column that
        another wave declares is named as such, and is not taken for a rename.
    other_headers:
        Headers of the study's other wave files, by file name: a missing
        column that another file has is reported as schema drift.

    Returns
    -------
    list of Problem
        NO_HEADER (and nothing else: row 1 holds none of the declared
        names), or DUPLICATE_HEADER, DIRECT_IDENTIFIER, MISSING_COLUMN,
        SCHEMA_DRIFT, UNEXPECTED_COLUMN (note). Names of undeclared columns
        that look like data (numbers, e-mail addresses) are not printed.
    """
    other_schemas = other_schemas or {}
    other_headers = other_headers or {}
    file = raw.file
    problems: list[Problem] = []
    header = raw.header
    declared = schema.field_names
    if header and not set(header) & set(declared):
        return [
            make_problem(
                "NO_HEADER",
                "row 1 holds none of the declared column names: the header row is missing, or the "
                "columns are named differently",
                file=file, rows=(1,), expected=f"column names such as {', '.join(declared[:3])}",
                found=f"{len(header)} columns with other names",
                fix="export the file with the variable names in row 1 (as declared in "
                f"{schema.path.name})",
            )
        ]

    counts = Counter(name for name in header if name)
    for name, n in counts.items():
        if n > 1:
            positions = [i + 1 for i, h in enumerate(header) if h == name]
            shown = _printable(name)
            problems.append(
                make_problem(
                    "DUPLICATE_HEADER",
                    f"the column name occurs {n} times (columns {_values_list(positions)})"
                    + ("" if shown else "; the name is not shown because it looks like data"),
                    file=file, column=name if shown else None, rows=(1,), expected="each column name once",
                    found=f"{n} columns", fix="rename or remove the extra columns in the export",
                )
            )
    identifiers = [name for name in counts if name != person_id and looks_like_identifier(name)]
    for name in identifiers:
        shown = _printable(name)  # an e-mail address as a column name is data: never printed
        problems.append(
            make_problem(
                "DIRECT_IDENTIFIER",
                "the column name suggests a direct identifier or free text, which must not be in the analysis data"
                + ("" if shown else f" (column {header.index(name) + 1}; the name is not shown because it looks like data)"),
                file=file, column=name if shown else None,
                expected="pseudonymised data without names, contact data or free text",
                found="identifier-like column", fix="remove this column from the export (and delete copies of the file that still have it)",
            )
        )
    elsewhere = {name: wave for wave, other in other_schemas.items() for name in other.field_names}
    undeclared = [name for name in counts if name not in declared and name not in identifiers]
    candidates = [name for name in undeclared if name not in elsewhere]
    renamed: dict[str, str] = {}
    for name in declared:
        if name in counts:
            continue
        match = [c for c in candidates if c not in renamed.values() and normalise_name(c).replace("_", "") == name.replace("_", "")]
        match = match or difflib.get_close_matches(name, [c for c in candidates if c not in renamed.values()], n=1, cutoff=0.85)
        if match:
            renamed[name] = match[0]
    for name in declared:
        if name in counts:
            continue
        present_in = [f for f, other in other_headers.items() if name in other]
        if name in renamed:
            problems.append(
                make_problem(
                    "SCHEMA_DRIFT",
                    f"the declared column is missing, but the file has '{renamed[name]}', which looks like it renamed",
                    file=file, column=name, expected=f"column '{name}'", found=f"column '{renamed[name]}'",
                    fix=f"rename '{renamed[name]}' to '{name}' in the export, or correct {schema.path.name} "
                    "if the questionnaire changed",
                )
            )
        elif present_in:
            problems.append(
                make_problem(
                    "SCHEMA_DRIFT",
                    f"the declared column is missing here but present in {', '.join(sorted(present_in))}",
                    file=file, column=name, expected=f"column '{name}' as in the other waves", found="no such column",
                    fix=f"add the column to the export, or remove the field from {schema.path.name} if this wave "
                    "did not ask it",
                )
            )
        else:
            problems.append(
                make_problem(
                    "MISSING_COLUMN", "the declared column is missing", file=file, column=name,
                    expected=f"column '{name}' ({schema.field(name).type})", found="no such column",
                    fix=f"add the column to the export, or remove the field from {schema.path.name}",
                )
            )
    other_waves = [name for name in undeclared if name in elsewhere]
    if other_waves:
        problems.append(
            make_problem(
                "UNEXPECTED_COLUMN",
                f"{len(other_waves)} column(s) declared only for other waves are not read: "
                + ", ".join(f"{n} ({elsewhere[n]})" for n in other_waves),
                file=file, fix=f"nothing to do; declare them in {schema.path.name} to read them for this wave",
            )
        )
    rest = [name for name in candidates if name not in renamed.values()]
    shown = [name for name in rest if _printable(name)]
    unnamed = sum(1 for name in header if not name)
    if rest or unnamed:
        listed = ", ".join(shown[:20]) + (f" and {len(shown) - 20} more" if len(shown) > 20 else "")
        text = f"{len(rest)} column(s) not declared in the table schema are not read" + (f": {listed}" if shown else "")
        if len(shown) < len(rest):
            text += f" ({len(rest) - len(shown)} name(s) not shown because they look like data)"
        if unnamed:
            text += f"; {unnamed} column(s) have no name"
        problems.append(
            make_problem(
                "UNEXPECTED_COLUMN", text, file=file,
                fix="nothing to do, or leave them out of the export (data minimisation)",
            )
        )
    return problems


def _printable(name: str) -> bool:
    """Whether a column name may be printed: not data-like (numbers, e-mail, long text)."""
    return "@" not in name and len(name) <= 64 and not re.fullmatch(r"[\d\s.,;:+\-/]*", name)


def _expected(f: Field) -> str:
    if f.categories:
        text = f"one of {_values_list(f.valid_values or ())}"
    elif f.minimum is not None or f.maximum is not None:
        lo = "-inf" if f.minimum is None else _fmt(float(f.minimum))
        hi = "inf" if f.maximum is None else _fmt(float(f.maximum))
        text = f"{lo} to {hi}"
    else:
        text = "a number"
    if f.missing_values:
        text += f" or a missing code ({_values_list(f.missing_codes)})"
    return text


def _check_numeric(
    f: Field, values: np.ndarray, rows: np.ndarray, raw: RawTable, schema: TableSchema
) -> list[Problem]:
    problems: list[Problem] = []
    file = raw.file
    present = ~np.isnan(values)
    declared_codes = {float(c) for c in f.missing_codes if not isinstance(c, str)}
    is_code = np.isin(values, list(declared_codes)) if declared_codes else np.zeros(len(values), bool)
    candidates = present & ~is_code
    if f.type == "integer":
        fractional = candidates & (np.floor(values) != values)
        if fractional.any():
            problems.append(
                make_problem(
                    "WRONG_TYPE", "the column holds numbers with decimals where whole numbers are declared",
                    file=file, column=f.name, rows=rows[fractional], expected="whole numbers",
                    found=f"decimals in {_rows(int(fractional.sum()))}",
                    fix="correct these cells, or declare the field as type number",
                )
            )
            candidates &= ~fractional
    if f.categories:
        allowed = [float(v) for v in f.valid_values or () if not isinstance(v, str)]
        bad = candidates & ~np.isin(values, allowed)
    elif f.minimum is None and f.maximum is None:
        typical = candidates & np.isin(values, _TYPICAL_CODES)
        if typical.any():
            problems.append(
                make_problem(
                    "SUSPECT_MISSING_CODE",
                    "values that are typical missing codes are not declared as missing values; the field "
                    "has no declared range, so they may be real values",
                    severity="warning", file=file, column=f.name, rows=rows[typical], expected=_expected(f),
                    found=_found_counts(values[typical].tolist()),
                    fix=f"declare them in the missingValues of field '{f.name}' in {schema.path.name}, "
                    "or declare the field's minimum and maximum",
                )
            )
        return problems
    else:
        bad = np.zeros(len(values), bool)
        if f.minimum is not None:
            bad |= candidates & (values < float(f.minimum))
        if f.maximum is not None:
            bad |= candidates & (values > float(f.maximum))
    if not bad.any():
        return problems
    spss_codes = set(raw.user_missing.get(f.name, ()))
    suspect = bad & np.array([looks_like_missing_code(v) or v in spss_codes if b else False for v, b in zip(values, bad, strict=True)])
    out = bad & ~suspect
    if suspect.any():
        found_values = sorted(set(values[suspect].tolist()))
        in_sav = [v for v in found_values if v in spss_codes]
        note = f"; the .sav file declares {_values_list(in_sav)} as user-missing" if in_sav else ""
        problems.append(
            make_problem(
                "SUSPECT_MISSING_CODE",
                f"values that look like missing codes are not declared as missing values for this field{note}",
                file=file, column=f.name, rows=rows[suspect], expected=_expected(f),
                found=_found_counts(values[suspect].tolist()),
                fix=f"declare {_values_list(found_values)} in the missingValues of field '{f.name}' in "
                f"{schema.path.name}, or recode these cells",
            )
        )
    if out.any():
        problems.append(
            make_problem(
                "OUT_OF_RANGE", "values are outside the declared categories or range",
                file=file, column=f.name, rows=rows[out], expected=_expected(f),
                found=_found_counts(values[out].tolist(), describe_long=True),
                fix="correct these cells in the export, or correct the field's categories/constraints in "
                f"{schema.path.name}",
            )
        )
    return problems


def _check_person_id(name: str, cells: list[str | None], rows: Sequence[int], file: str) -> list[Problem]:
    """EMPTY_ID, DIRECT_IDENTIFIER (codes that are e-mail addresses, phone numbers, names),
    DUPLICATE_ID (by the linkage key) and UNUSUAL_CODE; rows named, codes never."""
    problems: list[Problem] = []
    keys = [normalise_person_code(cell) if cell is not None else "" for cell in cells]
    empty = [row for row, key in zip(rows, keys, strict=True) if not key]
    if empty:
        problems.append(
            make_problem(
                "EMPTY_ID", "rows have no person identifier, so they cannot be linked across waves",
                file=file, column=name, rows=empty, expected="a person code in every row",
                found=f"{len(empty)} empty", fix="fill in the code or remove these rows from the export",
            )
        )
    personal: dict[str, list[int]] = {}
    for row, cell in zip(rows, cells, strict=True):
        kind = personal_data_kind(cell) if cell is not None else None
        if kind is not None:
            personal.setdefault(kind, []).append(row)
    if personal:
        kinds = "; ".join(f"{kind}{'es' if kind.endswith('s') else 's'} in {_rows(len(found))}"
                          for kind, found in personal.items())
        problems.append(
            make_problem(
                "DIRECT_IDENTIFIER",
                "person codes look like e-mail addresses, phone numbers or names; the study links persons by "
                "self-generated codes or pseudonyms only, never by contact data or names",
                file=file, column=name, rows=[r for found in personal.values() for r in found],
                expected="self-generated codes or pseudonyms", found=kinds,
                fix="replace these entries by the persons' self-generated codes, and delete copies of the file "
                "that still hold them",
            )
        )
    counts = Counter(k for k in keys if k)
    repeated = {k for k, n in counts.items() if n > 1}
    if repeated:
        dup_rows = [row for row, k in zip(rows, keys, strict=True) if k in repeated]
        problems.append(
            make_problem(
                "DUPLICATE_ID",
                f"{len(repeated)} person identifier(s) occur more than once "
                "(compared as the linkage compares them: ignoring case, spaces, invisible characters and "
                "compatibility forms such as fullwidth letters)",
                file=file, column=name, rows=dup_rows, expected="each person once per wave",
                found=f"{len(dup_rows)} rows share {len(repeated)} identifier(s)",
                fix="remove double submissions, or correct mistyped codes, so that each person has one row",
            )
        )
    unusual: dict[str, list[int]] = {}
    for row, key in zip(rows, keys, strict=True):
        what = unusual_code(key) if key else None
        if what is not None:
            unusual.setdefault(what, []).append(row)
    if unusual:
        problems.append(
            make_problem(
                "UNUSUAL_CODE",
                "person codes still hold characters other than plain letters and digits after normalisation "
                "(non-printing characters, letters of other alphabets that look like Latin ones, emoji); such "
                "a code never links to the same person's code typed with plain letters",
                file=file, column=name, rows=[r for found in unusual.values() for r in found],
                expected="letters A-Z (with ä, ö, ü, ß) and digits",
                found="; ".join(f"{what} characters in {_rows(len(found))}" for what, found in unusual.items()),
                fix="check these codes against the other waves and retype them with plain letters and digits",
            )
        )
    return problems


def build_frame(
    raw: RawTable, schema: TableSchema, *, person_id: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Typed columns of the declared fields present, and the value problems.

    Parameters
    ----------
    raw:
        The file as read (cells of the declared columns only).
    schema:
        The wave's table schema.
    person_id:
        The person identifier field.

    Returns
    -------
    frame, problems
        ``frame`` holds the declared columns present in the file, in schema
        order, numeric fields as float64 (missing codes kept as values),
        string fields as str/object; index = spreadsheet row (``"row"``).

    Examples
    --------
    >>> from ilb_eval.study import load_study
    >>> schema = load_study("EAP").wave("t1").table_schema
    >>> raw = RawTable(file="t1.csv", sha256="", header=["code", "fk_1"], rows=[2, 3, 4],
    ...                cells={"code": ["A1", "B2", "a1 "], "fk_1": ["4", "-99", "7"]})
    >>> frame, problems = build_frame(raw, schema, person_id="code")
    >>> frame["fk_1"].tolist(), [(p.code, p.rows) for p in problems]
    ([4.0, -99.0, 7.0], [('DUPLICATE_ID', (2, 4)), ('SUSPECT_MISSING_CODE', (3,)), ('OUT_OF_RANGE', (4,))])
    """
    file = raw.file
    index = pd.Index(raw.rows, name="row", dtype="int64")
    rows = np.asarray(raw.rows, dtype="int64")
    decimal = raw.dialect.decimal if raw.dialect is not None and raw.dialect.decimal else "."
    columns: dict[str, pd.Series] = {}
    problems: list[Problem] = []
    other_mark: dict[str, list[int]] = {}
    for f in schema.fields:
        if f.name not in raw.cells:
            continue
        cells = raw.cells[f.name]
        if f.is_numeric:
            parsed = parse_numbers(cells, decimal)
            if parsed.text:
                problems.append(
                    make_problem(
                        "WRONG_TYPE", "text in a numeric column", file=file, column=f.name,
                        rows=rows[parsed.text], expected=f"numbers ({f.type})",
                        found=f"text in {_rows(len(parsed.text))}",
                        fix="replace the text by a number or a declared missing code "
                        f"(declare it in the missingValues of '{f.name}' in {schema.path.name})",
                    )
                )
            if parsed.other_mark:
                other_mark[f.name] = rows[parsed.other_mark].tolist()
            problems += _check_numeric(f, parsed.values, rows, raw, schema)
            columns[f.name] = pd.Series(parsed.values, index=index, dtype="float64")
            if f.required and f.name != person_id:
                empty = np.isnan(parsed.values)
                if empty.any():
                    problems.append(_required_empty(f, rows[empty], file))
        else:
            strings = to_strings(cells)
            if f.name == person_id:
                problems += _check_person_id(f.name, strings, raw.rows, file)
            else:
                mail = email_rows(strings, raw.rows)
                if mail:
                    problems.append(
                        make_problem(
                            "DIRECT_IDENTIFIER", "cells contain e-mail addresses", file=file, column=f.name,
                            rows=mail, expected="no contact data", found=f"e-mail addresses in {_rows(len(mail))}",
                            fix="remove the e-mail addresses from the export (and delete copies of the file that still have them)",
                        )
                    )
                if f.required:
                    empty_rows = [r for r, s in zip(raw.rows, strings, strict=True) if s is None]
                    if empty_rows:
                        problems.append(_required_empty(f, empty_rows, file))
            columns[f.name] = pd.Series(strings, index=index, dtype=_STRING_DTYPE)
    if other_mark:
        mark = "," if decimal == "." else "."
        all_rows = sorted({r for rs in other_mark.values() for r in rs})
        problems.append(
            make_problem(
                "DIALECT_MISMATCH",
                f"numbers are written with a decimal '{mark}' but the file's decimal mark is '{decimal}' "
                f"(columns {', '.join(other_mark)})",
                file=file, rows=all_rows, expected=f"decimal '{decimal}'", found=f"decimal '{mark}'",
                fix="declare the right decimal mark in the wave's dialect in the study definition, "
                "or export the file again with one decimal mark",
            )
        )
    frame = pd.DataFrame(columns, index=index)
    problems += _no_answers(frame, schema, person_id, file)
    return frame, problems


def _no_answers(frame: pd.DataFrame, schema: TableSchema, person_id: str, file: str) -> list[Problem]:
    """NO_ANSWERS: rows, but not one answer in any of them (only codes, empty cells, missing codes).

    One line for the whole file: otherwise every scale and every model of the
    wave would fail on its own, each with a message about a derived column.
    """
    answers = [name for name in frame.columns if name != person_id]
    if frame.empty or not answers:
        return []
    answered = np.zeros(len(frame), bool)
    for name in answers:
        values = frame[name]
        codes = [c for c in schema.field(name).missing_codes]
        answered |= (values.notna() & ~values.isin(codes)).to_numpy()
    if answered.any():
        return []
    return [make_problem(
        "NO_ANSWERS", f"none of the {len(frame)} rows holds an answer: every cell except the person code is empty "
        "or a declared missing code", file=file, expected="answers in the rows of the wave",
        found="person codes only", fix="export the wave again with its answers (check the export filter and the "
        "variables selected in the survey tool)",
    )]


def _required_empty(f: Field, rows: Sequence[int] | np.ndarray, file: str) -> Problem:
    return make_problem(
        "REQUIRED_EMPTY", "the field is required, but cells are empty", file=file, column=f.name,
        rows=rows, expected="a value in every row", found=f"{len(rows)} empty",
        fix="fill in these cells, or use a declared missing code",
    )

