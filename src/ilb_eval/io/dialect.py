"""How a wave file is written: format, encoding, delimiter, decimal mark.

Settings declared in the study definition (``"dialect"`` of a wave) win over
detection. Detection is conservative: a file that parses plausibly in more
than one way, or whose decimal mark cannot be decided, is rejected with a
problem that tells the user to declare the dialect. Decoding is strict:
Windows-1252 is used only when declared, undecodable bytes are an error that
names the line. A byte-order mark is evidence: UTF-8 and UTF-16 files with
one are read as such (a UTF-8 BOM gets a note, and where the definition
declares another encoding, the note says how to declare it).

>>> text, info, problems = decode_text("code;age\\r\\nAB12;33\\r\\n".encode("utf-8-sig"), None, "x.csv")
>>> info["encoding"], info["bom"], [p.code for p in problems]
('utf-8', True, ['BYTE_ORDER_MARK'])
>>> sniff_delimiter(text, None, {"code", "age"}, "x.csv")
(';', [])
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

from ilb_eval.exceptions import Problem, format_rows
from ilb_eval.io.codes import make_problem

__all__ = [
    "DELIMITERS",
    "DIALECT_CODES",
    "Dialect",
    "decode_text",
    "detect_decimal",
    "dialect_snippet",
    "format_lines",
    "sniff_delimiter",
]

#: Delimiters a wave CSV may use: comma, semicolon (German Excel), tab (SoSci Survey).
DELIMITERS: tuple[str, ...] = (",", ";", "\t")
_NAMES = {",": "comma ','", ";": "semicolon ';'", "\t": "tab", ".": "point '.'"}
_SNIFF_RECORDS = 500
#: Problem codes about how a file is written; their fixes carry the complete corrected dialect.
DIALECT_CODES = frozenset({"ENCODING", "DIALECT_MISMATCH", "DIALECT_AMBIGUOUS", "BYTE_ORDER_MARK"})
_KEY_ORDER = ("encoding", "delimiter", "decimal", "extra_header_rows", "sheet")
_COMMA_DECIMAL = re.compile(r"\s*[+-]?\d*,\d+\s*")
_POINT_DECIMAL = re.compile(r"\s*[+-]?\d*\.\d+\s*")


@dataclass(frozen=True)
class Dialect:
    """The settings a wave file was read with.

    Attributes
    ----------
    format:
        ``"csv"``, ``"sav"`` or ``"xlsx"``.
    encoding:
        Text encoding (``"utf-8"``, ``"windows-1252"``; for ``.sav`` the file's
        own encoding; ``None`` for ``.xlsx``).
    delimiter, decimal:
        Field delimiter and decimal mark of a CSV file (``None`` otherwise).
    bom:
        Whether the CSV file starts with a byte-order mark (UTF-8, or UTF-16
        whose encoding implies one).
    sheet:
        The worksheet read from an ``.xlsx`` file.
    extra_header_rows:
        Rows between the column names and the data that were skipped (2 for
        Qualtrics: question texts and import ids).
    declared:
        The settings taken from the study definition; the others were detected.

    Examples
    --------
    >>> d = Dialect("csv", "windows-1252", ";", ",", declared=("encoding", "delimiter", "decimal"))
    >>> d.describe()
    "csv, encoding windows-1252 (declared), delimiter semicolon ';' (declared), decimal comma ',' (declared), no BOM"
    """

    format: Literal["csv", "sav", "xlsx"]
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    bom: bool = False
    sheet: str | None = None
    declared: tuple[str, ...] = ()
    extra_header_rows: int = 0

    def as_dict(self) -> dict[str, object]:
        """The settings as a plain dict (for a manifest)."""
        out = asdict(self)
        out["declared"] = list(self.declared)
        return out

    def describe(self) -> str:
        """One human-readable line, e.g. for the validation report."""

        def how(name: str) -> str:
            return "declared" if name in self.declared else "detected"

        parts = [self.format]
        if self.encoding and self.format == "csv":
            parts.append(f"encoding {self.encoding} ({how('encoding')})")
        elif self.encoding:
            parts.append(f"encoding {self.encoding} (from the file)")
        if self.format == "csv":
            parts.append(f"delimiter {_NAMES.get(str(self.delimiter), repr(self.delimiter))} ({how('delimiter')})")
            parts.append(f"decimal {_NAMES.get(str(self.decimal), repr(self.decimal))} ({how('decimal')})")
            parts.append(("UTF-8 BOM" if self.encoding == "utf-8" else "BOM") if self.bom else "no BOM")
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.extra_header_rows:
            parts.append(f"{self.extra_header_rows} extra header row(s) skipped ({how('extra_header_rows')})")
        return ", ".join(parts)


def format_lines(lines: Sequence[int]) -> str:
    """``"line 4"`` / ``"lines 4, 9"``: physical line numbers of a text file.

    >>> format_lines([9, 4])
    'lines 4, 9'
    """
    return format_rows(lines).replace("row", "line")


def _verb(lines: Sequence[int], one: str, many: str) -> str:
    return one if len(lines) == 1 else many


def _declare_fix(wave: str | None, setting: str) -> str:
    where = f"the dialect of wave {wave}" if wave else "the wave's dialect"
    return f'declare {setting} in {where} in the study definition (.study.json, "dialect")'


def dialect_snippet(declared: Mapping[str, object], corrections: Mapping[str, object]) -> str:
    """The exact ``"dialect"`` JSON of a wave after applying the corrections.

    >>> dialect_snippet({"encoding": "windows-1252", "delimiter": ";", "decimal": ","}, {"delimiter": ",", "decimal": "."})
    '"dialect": {"encoding": "windows-1252", "delimiter": ",", "decimal": "."}'
    """
    merged = {**declared, **corrections}
    ordered = {key: merged[key] for key in _KEY_ORDER if key in merged}
    ordered.update({key: value for key, value in merged.items() if key not in ordered})
    return '"dialect": ' + json.dumps(ordered, ensure_ascii=False)


def _utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when the first line is ASCII text written as UTF-16 without BOM."""
    head = data[:2000]
    if len(head) < 8 or len(head) % 2:
        head = head[: len(head) - len(head) % 2]
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


def _decode_utf16(
    data: bytes, declared: str | None, file: str, wave: str | None
) -> tuple[str | None, dict[str, object], list[Problem]] | None:
    """Decode a UTF-16 file (by its BOM, by its NUL pattern, or as declared); ``None`` if it is not UTF-16."""
    bom = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    codec = "utf-16" if bom else _utf16_without_bom(data)
    if codec is None:
        return None
    info: dict[str, object] = {"encoding": "utf-16", "bom": bom}
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        return None, info, [
            make_problem(
                "ENCODING", f"the file is UTF-16 encoded but has undecodable bytes at offset {error.start}",
                file=file, expected="valid UTF-16", found="undecodable bytes",
                fix="export the file again (in SoSci Survey: 'Unicode (UTF-16)'), or save it as UTF-8 CSV",
            )
        ]
    problems = []
    if declared not in (None, "utf-16"):
        problems.append(
            make_problem(
                "DIALECT_MISMATCH",
                f"the study definition declares {declared}, but the file is UTF-16 "
                + ("(byte-order mark)" if bom else "(every other byte is zero)") + "; it is read as UTF-16",
                severity="warning", file=file, expected=str(declared), found="UTF-16",
                fix=_declare_fix(wave, '"encoding": "utf-16"'),
            )
        )
    return text.removeprefix("\ufeff"), info, problems


def decode_text(
    data: bytes, declared: str | None, file: str, *, wave: str | None = None
) -> tuple[str | None, dict[str, object], list[Problem]]:
    """Decode the bytes of a CSV file strictly.

    Parameters
    ----------
    data:
        The file's bytes.
    declared:
        The encoding the study definition declares (``"utf-8"``,
        ``"windows-1252"`` or ``"utf-16"``), or ``None``: then the file must be
        UTF-8 (with or without BOM) or UTF-16 (recognised by its BOM or by its
        zero bytes).
    file, wave:
        For the messages.

    Returns
    -------
    text, info, problems
        ``text`` is ``None`` when the file cannot be decoded (an error problem
        says why and on which lines); ``info`` holds ``encoding`` and ``bom``,
        and, when it cannot be decoded, ``fallback``: the text decoded as
        Windows-1252 with replacement characters, so that the other dialect
        settings can still be checked in the same run; ``suggested`` is
        ``"windows-1252"`` when the file looks like it.

    Examples
    --------
    >>> text, info, problems = decode_text("code\\nJörg\\n".encode("cp1252"), None, "t1.csv", wave="t1")
    >>> text is None, problems[0].code, "line 2" in problems[0].message
    (True, 'ENCODING', True)
    """
    utf16 = _decode_utf16(data, declared, file, wave)
    if utf16 is not None:
        return utf16
    if declared == "utf-16":
        text, info, problems = decode_text(data, None, file, wave=wave)
        mismatch = make_problem(
            "DIALECT_MISMATCH", "the study definition declares UTF-16, but the file is not UTF-16 (no byte-order mark, "
            "no zero bytes)", severity="warning", file=file, expected="utf-16", found="8-bit text",
            fix=_declare_fix(wave, '"encoding": "utf-8"') + " (or windows-1252, as the file is written)",
        )
        return text, info, [mismatch, *problems]
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8):] if bom else data
    if declared == "windows-1252" and not bom:
        return _decode_cp1252(body, file, wave)
    encoding = "utf-8"
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        pass
    else:
        return text, {"encoding": encoding, "bom": bom}, ([_bom_note(file, declared, wave)] if bom else [])
    bad_lines, cp1252_chars, utf8_lines = [], set(), []
    for number, line in enumerate(body.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad_lines.append(number)
            for byte in re.findall(rb"[\x80-\xff]", line):
                try:
                    char = byte.decode("cp1252")
                except UnicodeDecodeError:
                    continue
                if char.isalpha():
                    cp1252_chars.add(char)
        else:
            if re.search(rb"[\x80-\xff]", line):
                utf8_lines.append(number)
    if cp1252_chars and utf8_lines:
        message = (
            f"the file mixes encodings: {format_lines(utf8_lines)} {_verb(utf8_lines, 'is', 'are')} UTF-8, but "
            f"{format_lines(bad_lines)} {_verb(bad_lines, 'contains', 'contain')} Windows-1252 characters ({', '.join(sorted(cp1252_chars))})"
        )
        fix = "open the file in an editor that shows both, correct those lines and save the whole file as UTF-8"
        found = "UTF-8 mixed with Windows-1252"
    elif cp1252_chars:
        message = (
            f"{format_lines(bad_lines)} {_verb(bad_lines, 'is', 'are')} not valid UTF-8 and look{_verb(bad_lines, 's', '')} like Windows-1252 "
            f"({', '.join(sorted(cp1252_chars))}), as German Excel writes 'CSV (Trennzeichen-getrennt)'"
        )
        fix = _declare_fix(wave, '"encoding": "windows-1252"') + ", or save the file as 'CSV UTF-8'"
        found = "Windows-1252 characters"
    else:
        message = f"{format_lines(bad_lines)} {_verb(bad_lines, 'contains', 'contain')} bytes that are not valid UTF-8"
        fix = "save the file as UTF-8 CSV; if it is Windows-1252, " + _declare_fix(wave, '"encoding": "windows-1252"')
        found = "undecodable bytes"
    info: dict[str, object] = {"encoding": encoding, "bom": bom, "fallback": body.decode("cp1252", errors="replace")}
    if cp1252_chars and not utf8_lines:
        info["suggested"] = "windows-1252"
    return None, info, [
        make_problem("ENCODING", message, file=file, expected="UTF-8", found=found, fix=fix)
    ]


def _bom_note(file: str, declared: str | None, wave: str | None) -> Problem:
    """A UTF-8 byte-order mark is accepted; where another encoding is declared, say how to declare it."""
    if declared in (None, "utf-8"):
        return make_problem(
            "BYTE_ORDER_MARK",
            "the file starts with a UTF-8 byte-order mark (as Excel's 'CSV UTF-8' writes it); it is read as UTF-8",
            file=file, fix="nothing to do",
        )
    return make_problem(
        "BYTE_ORDER_MARK",
        f"the file starts with a UTF-8 byte-order mark and is valid UTF-8, so it is read as UTF-8 although the study "
        f"definition declares {declared}",
        file=file, expected=str(declared), found="UTF-8 (BOM)",
        fix=_declare_fix(wave, '"encoding": "utf-8"'),
    )


def _decode_cp1252(body: bytes, file: str, wave: str | None) -> tuple[str | None, dict[str, object], list[Problem]]:
    info: dict[str, object] = {"encoding": "windows-1252", "bom": False}
    try:
        text = body.decode("cp1252")
    except UnicodeDecodeError:
        bad = []
        for number, line in enumerate(body.split(b"\n"), start=1):
            try:
                line.decode("cp1252")
            except UnicodeDecodeError:
                bad.append(number)
        info["fallback"] = body.decode("cp1252", errors="replace")
        return None, info, [
            make_problem(
                "ENCODING", f"{format_lines(bad)} {_verb(bad, 'contains', 'contain')} bytes that are not valid Windows-1252",
                file=file, expected="windows-1252 (declared)", found="undecodable bytes",
                fix="check the export; if the file is UTF-8, " + _declare_fix(wave, '"encoding": "utf-8"'),
            )
        ]
    problems = []
    if re.search(rb"[\x80-\xff]", body):
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            problems.append(
                make_problem(
                    "DIALECT_MISMATCH",
                    "the file is declared Windows-1252 but looks like UTF-8; texts with umlauts "
                    "(e.g. in person codes) would be read wrongly",
                    severity="warning", file=file, expected="windows-1252 (declared)", found="valid UTF-8",
                    fix=_declare_fix(wave, '"encoding": "utf-8"'),
                )
            )
    return text, info, problems


def _shape(text: str, delimiter: str) -> tuple[list[str], bool]:
    """Header and whether the first records all have the header's field count."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
        consistent = True
        for count, record in enumerate(reader):
            if count >= _SNIFF_RECORDS:
                break
            if record and len(record) != len(header):
                consistent = False
                break
    except StopIteration:
        return [], False
    except csv.Error:
        return [], False
    return [name.strip() for name in header], consistent


def sniff_delimiter(
    text: str, declared: str | None, field_names: Iterable[str] | None, file: str, *, wave: str | None = None
) -> tuple[str | None, list[Problem]]:
    """Choose the field delimiter of a CSV text.

    A delimiter is plausible when the header splits into at least two fields,
    at least one of them a declared field name (any name when
    ``field_names`` is ``None``), and the first records have the header's
    field count. A declared delimiter wins, unless it makes the header one
    field while another delimiter is plausible: then that delimiter is
    returned with a ``DIALECT_MISMATCH`` error, so that the rest of the file's
    dialect can still be checked in the same run. Without a declaration,
    exactly one plausible delimiter is needed (``DIALECT_AMBIGUOUS``
    otherwise, and ``None``); when none is plausible the best guess is
    returned and the parse problems are reported later.

    Examples
    --------
    >>> sniff_delimiter("a,b;c\\n1,2;3\\n", None, {"a", "c"}, "x.csv")[1][0].code
    'DIALECT_AMBIGUOUS'
    >>> sniff_delimiter("a,b\\n1,2\\n", ";", {"a", "b"}, "x.csv")[1][0].code
    'DIALECT_MISMATCH'
    """
    shapes = {d: _shape(text, d) for d in DELIMITERS}
    names = set(field_names) if field_names is not None else None
    hits = {d: len(set(header) & names) if names is not None else len(header) for d, (header, _) in shapes.items()}
    plausible = [d for d, (header, ok) in shapes.items() if ok and len(header) >= 2 and hits[d] >= 1]
    if declared is not None:
        if len(shapes[declared][0]) < 2 and plausible:
            found = plausible[0]
            return found, [
                make_problem(
                    "DIALECT_MISMATCH",
                    f"the study definition declares the delimiter {_NAMES[declared]}, but the file uses {_NAMES[found]}",
                    file=file, expected=_NAMES[declared], found=_NAMES[found],
                    fix=f"export the file again with {_NAMES[declared]} as delimiter, or "
                    + _declare_fix(wave, f'"delimiter": {json.dumps(found)}'),
                )
            ]
        return declared, []
    if len(plausible) == 1:
        return plausible[0], []
    if len(plausible) > 1:
        listed = " and ".join(_NAMES[d] for d in plausible)
        return None, [
            make_problem(
                "DIALECT_AMBIGUOUS",
                f"the file can be read plausibly with {listed} as delimiter, so the loader cannot tell which is right",
                file=file, expected="one clear delimiter", found=listed,
                fix=_declare_fix(wave, " or ".join(f'"delimiter": {json.dumps(d)}' for d in plausible)
                                 + " (the one the export was written with)"),
            )
        ]
    best = max(DELIMITERS, key=lambda d: (hits[d], len(shapes[d][0])))
    return best, []


def detect_decimal(
    columns: Mapping[str, Sequence[str | None]],
    rows: Sequence[int],
    declared: str | None,
    file: str,
    *,
    wave: str | None = None,
) -> tuple[str | None, list[Problem]]:
    """Choose the decimal mark from the cells of the numeric columns.

    Cells like ``2,5`` speak for a decimal comma, cells like ``2.5`` for a
    point. A declared mark wins. If both kinds occur the file is rejected
    (``DIALECT_AMBIGUOUS``); if neither occurs the mark does not matter and
    ``"."`` is returned. A declared mark that no cell uses while cells use
    the other one is a ``DIALECT_MISMATCH`` error; the mark found is returned.

    Examples
    --------
    >>> detect_decimal({"x": ["2,5", "3"]}, [2, 3], None, "x.csv")
    (',', [])
    >>> detect_decimal({"x": ["2,5", "3.5"]}, [2, 3], None, "x.csv")[1][0].code
    'DIALECT_AMBIGUOUS'
    >>> mark, problems = detect_decimal({"x": ["2,5", "3"]}, [2, 3], ".", "x.csv", wave="t1")
    >>> mark, problems[0].code, problems[0].rows
    (',', 'DIALECT_MISMATCH', (2,))
    """
    comma_rows: set[int] = set()
    point_rows: set[int] = set()
    marked: dict[str, list[str]] = {",": [], ".": []}
    for name, cells in columns.items():
        for row, cell in zip(rows, cells, strict=True):
            if not isinstance(cell, str):
                continue
            if _COMMA_DECIMAL.fullmatch(cell):
                comma_rows.add(row)
                marked[","] += [name] if name not in marked[","] else []
            elif _POINT_DECIMAL.fullmatch(cell):
                point_rows.add(row)
                marked["."] += [name] if name not in marked["."] else []
    if declared is not None:
        used = {",": comma_rows, ".": point_rows}
        other = "." if declared == "," else ","
        if used[other] and not used[declared]:
            listed = ", ".join(marked[other][:10]) + (" ..." if len(marked[other]) > 10 else "")
            return other, [
                make_problem(
                    "DIALECT_MISMATCH",
                    f"the study definition declares the decimal {_NAMES[declared]}, but the numbers are written with "
                    f"a decimal {_NAMES[other]} (columns {listed})",
                    file=file, rows=used[other], expected=f"decimal {_NAMES[declared]}", found=f"decimal {_NAMES[other]}",
                    fix=_declare_fix(wave, f'"decimal": {json.dumps(other)}'),
                )
            ]
        return declared, []
    if comma_rows and point_rows:
        return None, [
            make_problem(
                "DIALECT_AMBIGUOUS",
                f"numbers use a decimal comma on {format_rows(sorted(comma_rows))} "
                f"and a decimal point on {format_rows(sorted(point_rows))}",
                file=file, rows=comma_rows | point_rows, expected="one decimal mark",
                found="both ',' and '.'",
                fix="correct the rows with the other mark and "
                + _declare_fix(wave, '"decimal": "," or "decimal": "."') + " (the one the export was written with)",
            )
        ]
    return ("," if comma_rows else "."), []
