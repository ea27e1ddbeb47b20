"""Read a CSV wave export as web-survey tools and German Excel write it.

Comma, semicolon or tab; decimal point or comma; UTF-8 with or without BOM,
UTF-16 (SoSci Survey), Windows-1252 when declared. The file is parsed once
with :mod:`csv` in strict mode; only the declared columns are kept (the
``usecols`` of this reader), every record with the wrong number of fields is
reported with its row number and no row is ever skipped silently. Blank lines
hold no data and are passed over, but they still count as spreadsheet rows,
so row numbers match what Excel shows. Rows between the column names and the
data (Qualtrics writes question texts and import ids there) are skipped when
declared (``extra_header_rows``) or recognised by Qualtrics' ``ImportId``.
All problems of the file's dialect (encoding, delimiter, decimal mark) are
reported in one run; their fixes carry the complete corrected ``"dialect"``.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "t1.csv"
>>> _ = path.write_bytes(b"code;age;score\\r\\nAB12;33;2,5\\r\\nCD34;41;3\\r\\n")
>>> raw = read_csv(path, ["code", "score"], {"score"})
>>> raw.dialect.delimiter, raw.dialect.decimal, raw.rows, raw.cells["score"]
(';', ',', [2, 3], ['2,5', '3'])
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from ilb_eval.exceptions import format_rows
from ilb_eval.io.codes import make_problem
from ilb_eval.io.dialect import (
    DIALECT_CODES,
    Dialect,
    decode_text,
    detect_decimal,
    dialect_snippet,
    sniff_delimiter,
)
from ilb_eval.io.table import RawTable

__all__ = ["read_csv"]

_IMPORT_ID = re.compile(r'\{\s*"ImportId"\s*:\s*"[^"]*".*\}')


def _is_blank(data: bytes) -> bool:
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        data = data.removeprefix(bom)
    return not data.replace(b"\x00", b"").strip(b" \t\r\n")


def read_csv(
    path: Path,
    usecols: Sequence[str] | None = None,
    numeric: Collection[str] | None = None,
    *,
    declared: Mapping[str, object] | None = None,
    wave: str | None = None,
) -> RawTable:
    """Read a CSV file into a :class:`RawTable` (never raises for bad content).

    Parameters
    ----------
    path:
        The file; opened read-only in binary mode.
    usecols:
        The declared column names: only their cells are kept (``None``: all
        columns, under their names in the file).
    numeric:
        The declared numeric columns (used to detect the decimal mark;
        ``None``: every column kept).
    declared:
        The wave's ``dialect`` from the study definition (``encoding``,
        ``delimiter``, ``decimal``, ``extra_header_rows``); declared settings
        win over detection.
    wave:
        Wave name, for the messages.
    """
    declared = dict(declared or {})
    with open(path, "rb") as handle:
        data = handle.read()
    raw = RawTable(file=path.name, sha256=hashlib.sha256(data).hexdigest())
    if _is_blank(data):
        raw.problems.append(
            make_problem(
                "EMPTY_FILE", "the file is empty", file=raw.file, expected="a header row and data rows",
                found=f"{len(data)} bytes, no text", fix="export the wave again",
            )
        )
        raw.readable = False
        return raw
    encoding = declared.get("encoding")
    text, info, problems = decode_text(data, None if encoding is None else str(encoding), raw.file, wave=wave)
    raw.problems += problems
    found: dict[str, object] = {}
    if text is None:
        raw.readable = False
        if "fallback" not in info:
            return raw
        if "suggested" in info:
            found["encoding"] = info["suggested"]
        text = str(info["fallback"])  # decoded only to check the other settings in the same run
    elif info["encoding"] != declared.get("encoding", info["encoding"]):
        found["encoding"] = info["encoding"]
    delimiter, problems = sniff_delimiter(text, declared.get("delimiter"), usecols, raw.file, wave=wave)  # type: ignore[arg-type]
    raw.problems += problems
    if delimiter is None:
        raw.readable = False
        return _with_snippets(raw, declared, found, wave)
    if delimiter != declared.get("delimiter", delimiter):
        found["delimiter"] = delimiter
    readable, raw.readable = raw.readable, True
    extra = _parse(raw, text, delimiter, usecols, declared.get("extra_header_rows"))
    if not raw.readable:
        return _with_snippets(raw, declared, found, wave)
    numeric_cells = {name: cells for name, cells in raw.cells.items() if numeric is None or name in numeric}
    decimal, problems = detect_decimal(numeric_cells, raw.rows, declared.get("decimal"), raw.file, wave=wave)  # type: ignore[arg-type]
    raw.problems += problems
    if decimal is not None and decimal != declared.get("decimal", decimal):
        found["decimal"] = decimal
    raw.readable = readable and decimal is not None and not any(
        p.severity == "error" and p.code in DIALECT_CODES for p in raw.problems
    )
    if raw.readable:
        raw.dialect = Dialect(
            format="csv",
            encoding=str(info["encoding"]),
            delimiter=delimiter,
            decimal=decimal,
            bom=bool(info["bom"]),
            declared=tuple(k for k in ("encoding", "delimiter", "decimal", "extra_header_rows") if k in declared),
            extra_header_rows=extra,
        )
    return _with_snippets(raw, declared, found, wave)


def _with_snippets(raw: RawTable, declared: Mapping[str, object], found: Mapping[str, object], wave: str | None) -> RawTable:
    """Give every dialect problem's fix the complete corrected ``"dialect"`` of the wave."""
    if not found:
        return raw
    snippet = dialect_snippet(declared, found)
    where = f"wave {wave}" if wave else "the wave"
    raw.problems = [
        dataclasses.replace(p, fix=f"{p.fix}; the whole dialect of {where} is then {snippet}")
        if p.code in DIALECT_CODES and p.fix and p.fix != "nothing to do" else p
        for p in raw.problems
    ]
    return raw


def _extra_header_rows(
    raw: RawTable, records: list[tuple[int, list[str] | None, int]], declared: object
) -> int:
    """Rows to skip after the header: as declared, or 2 when row 3 holds Qualtrics import ids."""
    if declared is not None:
        return int(declared)  # type: ignore[call-overload]
    if len(records) < 3 or records[2][1] is None:
        return 0
    cells = [cell for cell in records[2][1] if cell.strip()]
    if cells and sum(bool(_IMPORT_ID.fullmatch(cell.strip())) for cell in cells) >= 0.5 * len(cells):
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


def _parse(
    raw: RawTable, text: str, delimiter: str, usecols: Sequence[str] | None, extra_declared: object = None
) -> int:
    """Parse all records; fill header, rows and cells; report structural problems; return the skipped rows."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str] | None, int]] = []  # (row, fields or None on error, line)
    errors: list[tuple[int, int, str]] = []  # (row, first line, csv message)
    row = 0
    while True:
        first_line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            row += 1
            errors.append((row, first_line, str(error)))
            records.append((row, None, first_line))
            continue
        row += 1
        records.append((row, record, first_line))

    if not records or records[0][1] is None or not records[0][1]:
        raw.problems.append(
            make_problem(
                "MALFORMED_CSV", "row 1 must hold the column names, but it is empty or unreadable",
                file=raw.file, rows=(1,), fix="put the column names in the first line of the file",
            )
        )
        raw.readable = False
        return 0
    header = [name.strip() for name in records[0][1]]
    raw.header = header
    width = len(header)
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(name, position)
    wanted = usecols if usecols is not None else [name for name in index if name]
    keep = {name: index[name] for name in wanted if name in index}
    raw.cells = {name: [] for name in keep}
    extra = _extra_header_rows(raw, records, extra_declared)

    ragged: dict[int, list[int]] = {}
    for row, record, _ in records[1 + extra:]:
        if record is None:
            raw.n_rows += 1
            continue
        if not record:  # a blank line: no data, but it keeps its row number
            continue
        raw.n_rows += 1
        if len(record) != width:
            ragged.setdefault(len(record), []).append(row)
            continue
        raw.rows.append(row)
        for name, position in keep.items():
            cell = record[position]
            raw.cells[name].append(cell if cell.strip() else None)

    for row, line, message in errors:
        if "end of data" in message:
            raw.problems.append(
                make_problem(
                    "UNTERMINATED_QUOTE",
                    f"a quoted field that starts on line {line} is never closed; the file may be "
                    "truncated, or a field contains a stray '\"'",
                    file=raw.file, rows=(row,), expected='a closing \'"\'', found="end of file",
                    fix="export the file again completely, or correct the quoting of that row",
                )
            )
        else:
            raw.problems.append(
                make_problem(
                    "MALFORMED_CSV", f"line {line} cannot be parsed as CSV ({message})",
                    file=raw.file, rows=(row,),
                    fix="correct the quoting of that row (a field with quotes must be enclosed in quotes "
                    "and its quotes doubled)",
                )
            )
    if ragged:
        all_rows = [r for rows in ragged.values() for r in rows]
        found = "; ".join(f"{count} fields on {format_rows(rows)}" for count, rows in sorted(ragged.items()))
        message = "rows have the wrong number of fields"
        last = records[-1]
        if last[0] in all_rows and len(last[1] or ()) < width and not text.endswith(("\n", "\r")):
            message += "; the last line has too few fields and no line end, so the file looks truncated"
        raw.problems.append(
            make_problem(
                "RAGGED_ROW", message, file=raw.file, rows=all_rows,
                expected=f"{width} fields as in the header", found=found,
                fix="check these rows for a missing or extra delimiter (a decimal comma in a "
                "comma-separated file must be quoted) and export the file again",
            )
        )
    if raw.n_rows == 0:
        raw.problems.append(
            make_problem(
                "HEADER_ONLY", "the file has a header but no data rows", file=raw.file,
                expected="at least one data row", found="0 data rows", fix="export the wave with its responses",
            )
        )
    return extra
