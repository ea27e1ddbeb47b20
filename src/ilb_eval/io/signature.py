"""Recognise a file's real format from its first bytes, before any reader decodes it.

A wave export named ``.csv`` that is really an Excel workbook, a gzip archive
or an SPSS file would otherwise be reported as an encoding problem, which
sends the user the wrong way. :func:`identify` names the format from its
signature ("magic number"); :func:`format_problem` compares it with the
format the file name promises and returns one
:class:`~ilb_eval.exceptions.Problem` (code ``WRONG_FORMAT``) in the user's
words: *this is an Excel workbook, not a CSV file; save it as CSV or declare
the file as .xlsx*. :func:`signature_mismatch` is what the wave readers call.

Recognised: Excel .xlsx/.xlsm, OpenDocument spreadsheets, Word documents and
other zip archives, old Excel .xls (and other OLE2 Office files), SPSS .sav
and .zsav, SPSS portable, Stata, SAS, Parquet, SQLite, gzip, bzip2, xz, 7z,
RAR, zstd, PDF, PNG, JPEG, GIF, executables, HTML and XML. Text (including
UTF-16 with a byte-order mark) has no signature and is left to the readers.

>>> identify_bytes(b"PK\\x03\\x04...").label, identify_bytes(b"\\x1f\\x8b\\x08\\x00").label
('zip archive', 'gzip archive')
>>> identify_bytes(b"$FL2@(#) SPSS DATA FILE").label, identify_bytes(b"code;fk_1\\r\\n") is None
('SPSS data file (.sav)', True)
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from ilb_eval.exceptions import Problem, printable
from ilb_eval.io.codes import make_problem
from ilb_eval.io.table import RawTable

__all__ = ["FileKind", "format_problem", "identify", "identify_bytes", "signature_mismatch"]

_HEAD_BYTES = 4096


@dataclass(frozen=True)
class FileKind:
    """A recognised file format.

    Attributes
    ----------
    key:
        Short name: the reader format (``"xlsx"``, ``"sav"``) when ilb_eval
        reads it, else a name such as ``"gzip"``.
    label:
        What to call it in a message ("Excel workbook (.xlsx)").
    """

    key: str
    label: str


_SAS = bytes.fromhex("000000000000000000000000c2ea8160b31411cfbd92080009c7318c181f1011")

#: (signature at offset 0, key, label), checked in order.
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls", "old Excel workbook (.xls) or other Microsoft Office file"),
    (b"$FL2", "sav", "SPSS data file (.sav)"),
    (b"$FL3", "zsav", "compressed SPSS data file (.zsav)"),
    (b"\x1f\x8b", "gzip", "gzip archive"),
    (b"BZh", "bzip2", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z", "7-Zip archive"),
    (b"Rar!\x1a\x07", "rar", "RAR archive"),
    (b"\x28\xb5\x2f\xfd", "zstd", "zstd archive"),
    (b"%PDF-", "pdf", "PDF document"),
    (b"\x89PNG\r\n\x1a\n", "png", "PNG image"),
    (b"\xff\xd8\xff", "jpeg", "JPEG image"),
    (b"GIF87a", "gif", "GIF image"),
    (b"GIF89a", "gif", "GIF image"),
    (b"PAR1", "parquet", "Parquet file"),
    (b"SQLite format 3\x00", "sqlite", "SQLite database"),
    (b"<stata_dta>", "dta", "Stata data file (.dta)"),
    (_SAS, "sas7bdat", "SAS data file (.sas7bdat)"),
    (b"\x7fELF", "executable", "program (executable)"),
    (b"PK\x03\x04", "zip", "zip archive"),
    (b"PK\x05\x06", "zip", "zip archive"),
    (b"PK\x07\x08", "zip", "zip archive"),
)

_ZIP_KINDS = {
    "xlsx": FileKind("xlsx", "Excel workbook (.xlsx)"),
    "ods": FileKind("ods", "OpenDocument spreadsheet (.ods)"),
    "docx": FileKind("docx", "Word document (.docx)"),
    "numbers": FileKind("numbers", "Apple Numbers document"),
}

#: The format each file ending promises, and what to call it.
EXPECTED: dict[str, tuple[str, str]] = {
    ".csv": ("csv", "a CSV file"),
    ".tsv": ("csv", "a tab-separated text file"),
    ".txt": ("csv", "a text file"),
    ".xlsx": ("xlsx", "an Excel .xlsx workbook"),
    ".sav": ("sav", "an SPSS .sav file"),
}


def identify_bytes(head: bytes) -> FileKind | None:
    """The format named by the first bytes of a file; ``None`` for text or unknown content.

    Zip-based formats are only known as ``"zip archive"`` here; :func:`identify`
    looks inside the archive to tell a workbook from a document.

    >>> identify_bytes(b"%PDF-1.7").key, identify_bytes(b"<!DOCTYPE html><html>").label
    ('pdf', 'web page (HTML)')
    """
    for signature, key, label in _SIGNATURES:
        if head.startswith(signature):
            return FileKind(key, label)
    if b"SPSSPORT" in head[:512]:
        return FileKind("por", "SPSS portable file (.por)")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html")):
        return FileKind("html", "web page (HTML)")
    if text.startswith(b"<?xml"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head or b"<workbook" in text:
            return FileKind("xmlss", "Excel XML spreadsheet (2003)")
        return FileKind("xml", "XML file")
    return None


def _zip_kind(path: Path) -> FileKind:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, RuntimeError, NotImplementedError):
        return FileKind("zip", "zip archive")
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return _ZIP_KINDS["xlsx"]
    if b"opendocument.spreadsheet" in mimetype:
        return _ZIP_KINDS["ods"]
    if "word/document.xml" in names:
        return _ZIP_KINDS["docx"]
    if "Index/Document.iwa" in names:
        return _ZIP_KINDS["numbers"]
    return FileKind("zip", "zip archive")


def identify(path: str | Path) -> FileKind | None:
    """The format of a file from its signature (zip archives are opened to tell workbooks apart).

    Raises :class:`OSError` when the file cannot be read; the callers report that.

    >>> import pathlib, tempfile, openpyxl
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t1.csv"
    >>> openpyxl.Workbook().save(path)
    >>> identify(path).label
    'Excel workbook (.xlsx)'
    """
    path = Path(path)
    with open(path, "rb") as handle:
        head = handle.read(_HEAD_BYTES)
    kind = identify_bytes(head)
    if kind is not None and kind.key == "zip":
        return _zip_kind(path)
    return kind


def _fix(kind: FileKind, expected: str, name: str, wave: str | None) -> str:
    stem = Path(name).stem
    declare = f"for wave {wave} " if wave else ""
    if kind.key in ("xlsx", "sav"):
        if wave is None:
            return f"save it as CSV, or name it {stem}.{kind.key}"
        return (f"save it as CSV, or name it {stem}.{kind.key} and declare that file {declare}in the study "
                f"definition (format {kind.key})")
    if kind.key in ("gzip", "bzip2", "xz", "7z", "rar", "zstd", "zip"):
        return "unpack the archive and use the export file inside it"
    if kind.key == "text":
        if wave is None:
            return f"name it {stem}.csv, or save it again as {expected}"
        return (f"name it {stem}.csv and declare that file {declare}in the study definition, or save it "
                f"again as {expected}")
    if expected == "xlsx":
        return "open the file in Excel and save it as 'Excel-Arbeitsmappe (*.xlsx)'"
    if expected == "sav":
        return "export the wave again from SPSS or the survey tool as .sav"
    return "export the wave again as CSV ('CSV (Trennzeichen-getrennt)' in Excel)"


def format_problem(path: str | Path, *, wave: str | None = None) -> Problem | None:
    """A ``WRONG_FORMAT`` problem when the file's content is not the format its name promises.

    Parameters
    ----------
    path:
        The file; its ending (.csv, .tsv, .txt, .xlsx, .sav) says what it should be.
    wave:
        Wave name, for the fix.

    Returns
    -------
    Problem or None
        ``None`` when the content fits the name (or the ending is not one
        ilb_eval reads: the readers report that).

    Examples
    --------
    >>> import pathlib, tempfile, gzip
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "eap_t1.csv"
    >>> _ = path.write_bytes(gzip.compress(b"code;fk_1\\r\\n"))
    >>> print(format_problem(path, wave="t1").one_line())
    [WRONG_FORMAT] eap_t1.csv: this is a gzip archive, not a CSV file. Fix: unpack the archive and use the export file inside it.
    """
    path = Path(path)
    expected = EXPECTED.get(path.suffix.lower())
    if expected is None:
        return None
    key, wanted = expected
    kind = identify(path)
    if kind is None:
        if key == "csv":
            return None
        found = FileKind("text", "text file (CSV?)") if _looks_like_text(path) else None
        if found is None:
            return None
        kind = found
    if kind.key == key:
        return None
    article = "an" if kind.label[0].lower() in "aeiou" or kind.label.startswith(("SPSS", "XML", "xz")) else "a"
    return make_problem(
        "WRONG_FORMAT", f"this is {article} {kind.label}, not {wanted}",
        file=printable(path.name), fix=_fix(kind, key, path.name, wave),
    )


def _looks_like_text(path: Path) -> bool:
    with open(path, "rb") as handle:
        head = handle.read(_HEAD_BYTES)
    return bool(head) and b"\x00" not in head


def signature_mismatch(path: Path, wave: str | None = None) -> RawTable | None:
    """For the wave readers: an unreadable :class:`RawTable` carrying the ``WRONG_FORMAT`` problem, or ``None``.

    Called before any decoding (``signature_mismatch(path, wave) or read(...)``).
    """
    problem = format_problem(path, wave=wave)
    if problem is None:
        return None
    raw = RawTable(file=path.name, sha256="", readable=False)
    raw.problems.append(problem)
    return raw
