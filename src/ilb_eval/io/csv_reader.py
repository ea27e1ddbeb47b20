"""Read a CSV wave export as web-survey tools and German Excel write it.

Comma, semicolon or tab; decimal point or comma; UTF-8 with or without BOM,
Windows-1252 when declared. The file is parsed once with :mod:`csv` in strict
mode; only the declared columns are kept (the ``usecols`` of this reader),
every record with the wrong number of fields is reported with its row number
and no row is ever skipped silently. Blank lines hold no data and are passed
over, but they still count as spreadsheet rows, so row numbers match what
Excel shows.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "t1.csv"
>>> _ = path.write_bytes(b"code;age;score\\r\\nAB12;33;2,5\\r\\nCD34;41;3\\r\\n")
>>> raw = read_csv(path, ["code", "score"], {"score"})
>>> raw.dialect.delimiter, raw.dialect.decimal, raw.rows, raw.cells["score"]
(';', ',', [2, 3], ['2,5', '3'])
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from ilb_eval.exceptions import format_rows
from ilb_eval.io.codes import make_problem
from ilb_eval.io.dialect import Dialect, decode_text, detect_decimal, sniff_delimiter
from ilb_eval.io.table import RawTable

__all__ = ["read_csv"]


def read_csv(
    path: Path,
    usecols: Sequence[str],
    numeric: Collection[str],
    *,
    declared: Mapping[str, str] | None = None,
    wave: str | None = None,
) -> RawTable:
    """Read a CSV file into a :class:`RawTable` (never raises for bad content).

    Parameters
    ----------
    path:
        The file; opened read-only in binary mode.
    usecols:
        The declared column names: only their cells are kept.
    numeric:
        The declared numeric columns (used to detect the decimal mark).
    declared:
        The wave's ``dialect`` from the study definition (``encoding``,
        ``delimiter``, ``decimal``); declared settings win over detection.
    wave:
        Wave name, for the messages.
    """
    declared = dict(declared or {})
    with open(path, "rb") as handle:
        data = handle.read()
    raw = RawTable(file=path.name, sha256=hashlib.sha256(data).hexdigest())
    if not data.removeprefix(b"\xef\xbb\xbf").strip(b" \t\r\n"):
        raw.problems.append(
            make_problem(
                "EMPTY_FILE", "the file is empty", file=raw.file, expected="a header row and data rows",
                found=f"{len(data)} bytes, no text", fix="export the wave again",
            )
        )
        raw.readable = False
        return raw
    text, info, problems = decode_text(data, declared.get("encoding"), raw.file, wave=wave)
    raw.problems += problems
    if text is None:
        raw.readable = False
        return raw
    delimiter, problems = sniff_delimiter(text, declared.get("delimiter"), usecols, raw.file, wave=wave)
    raw.problems += problems
    if delimiter is None:
        raw.readable = False
        return raw
    _parse(raw, text, delimiter, usecols)
    if not raw.readable:
        return raw
    numeric_cells = {name: cells for name, cells in raw.cells.items() if name in numeric}
    decimal, problems = detect_decimal(numeric_cells, raw.rows, declared.get("decimal"), raw.file, wave=wave)
    raw.problems += problems
    if decimal is None:
        raw.readable = False
        return raw
    raw.dialect = Dialect(
        format="csv",
        encoding=str(info["encoding"]),
        delimiter=delimiter,
        decimal=decimal,
        bom=bool(info["bom"]),
        declared=tuple(k for k in ("encoding", "delimiter", "decimal") if k in declared),
    )
    return raw


def _parse(raw: RawTable, text: str, delimiter: str, usecols: Sequence[str]) -> None:
    """Parse all records; fill header, rows and cells; report structural problems."""
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
        return
    header = [name.strip() for name in records[0][1]]
    raw.header = header
    width = len(header)
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(name, position)
    keep = {name: index[name] for name in usecols if name in index}
    raw.cells = {name: [] for name in keep}

    ragged: dict[int, list[int]] = {}
    for row, record, _ in records[1:]:
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
