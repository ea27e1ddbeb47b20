"""Binary formats are recognised by their signature and named (issue 18, item 5): a wave export
that is really an Excel workbook, an archive, an SPSS file or a PDF gets one WRONG_FORMAT line
naming what it is, never an encoding error, from the library and from ``validate``."""

from __future__ import annotations

import bz2
import gzip
import lzma
import zipfile

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from ilb_eval.exceptions import InputError
from ilb_eval.io import read_wave, validate_study_data
from ilb_eval.io.signature import format_problem, identify, identify_bytes

CSV_TEXT = b"code;fk_1\r\nAB12;3\r\n"


def _xlsx(path):
    book = openpyxl.Workbook()
    book.active.append(["code", "fk_1"])
    book.save(path)


def _sav(path):
    pyreadstat.write_sav(pd.DataFrame({"code": ["AB12"], "fk_1": [3.0]}), str(path))


def _zip(path, member="eap_t1.csv"):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, CSV_TEXT)


def _ods(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")


def _docx(path):
    _zip(path, "word/document.xml")


WRITERS = {
    "Excel workbook (.xlsx)": _xlsx,
    "SPSS data file (.sav)": _sav,
    "zip archive": _zip,
    "OpenDocument spreadsheet (.ods)": _ods,
    "Word document (.docx)": _docx,
    "gzip archive": lambda p: p.write_bytes(gzip.compress(CSV_TEXT)),
    "bzip2 archive": lambda p: p.write_bytes(bz2.compress(CSV_TEXT)),
    "xz archive": lambda p: p.write_bytes(lzma.compress(CSV_TEXT)),
    "PDF document": lambda p: p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
    "old Excel workbook (.xls) or other Microsoft Office file":
        lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)),
    "PNG image": lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(20)),
    "SQLite database": lambda p: p.write_bytes(b"SQLite format 3\x00" + bytes(84)),
    "web page (HTML)": lambda p: p.write_bytes(b"\xef\xbb\xbf  <!DOCTYPE html><html><body>Login</body></html>"),
    "Stata data file (.dta)": lambda p: p.write_bytes(b"<stata_dta><header><release>118</release>"),
}


@pytest.mark.parametrize("label", list(WRITERS))
def test_each_format_is_named_when_a_csv_is_expected(tmp_path, label):
    path = tmp_path / "eap_t1.csv"
    WRITERS[label](path)
    assert identify(path).label == label
    line = format_problem(path, wave="t1").one_line()
    article = "an" if label[0] in "aeiouAEIOU" or label.startswith(("SPSS", "xz")) else "a"
    assert line.startswith(f"[WRONG_FORMAT] eap_t1.csv: this is {article} "
                           f"{label}, not a CSV file. Fix: ")


def test_text_has_no_signature_and_fits_csv(tmp_path):
    for content in (CSV_TEXT, "code;fk_1\r\nMÜ12;3\r\n".encode("cp1252"), b"\xff\xfec\x00o\x00", b""):
        path = tmp_path / "eap_t1.csv"
        path.write_bytes(content)
        assert identify_bytes(content) is None and format_problem(path) is None


def test_the_fix_fits_the_format(tmp_path):
    path = tmp_path / "eap_t1.csv"
    _xlsx(path)
    assert format_problem(path, wave="t1").fix == (
        "save it as CSV, or name it eap_t1.xlsx and declare that file for wave t1 in the study definition "
        "(format xlsx)")
    path.write_bytes(gzip.compress(CSV_TEXT))
    assert "unpack the archive" in format_problem(path).fix


def test_xlsx_and_sav_expected(tmp_path):
    xlsx, sav = tmp_path / "eap_t4.xlsx", tmp_path / "zp_t1.sav"
    _xlsx(xlsx)
    _sav(sav)
    assert format_problem(xlsx) is None and format_problem(sav) is None
    xlsx.write_bytes(CSV_TEXT)
    assert format_problem(xlsx).message == "this is a text file (CSV?), not an Excel .xlsx workbook"
    _xlsx(sav)
    assert format_problem(sav).message == "this is an Excel workbook (.xlsx), not an SPSS .sav file"


def test_read_wave_names_the_format_instead_of_an_encoding_error(tmp_path, eap):
    wave = eap.wave("t1")
    path = tmp_path / wave.file
    _xlsx(path)
    with pytest.raises(InputError) as caught:
        read_wave(path, wave, study=eap)
    assert [p.code for p in caught.value.problems] == ["WRONG_FORMAT"]
    report = validate_study_data(eap, tmp_path)
    codes = [p.code for f in report.files for p in f.problems if f.file == wave.file]
    assert codes == ["WRONG_FORMAT"]
