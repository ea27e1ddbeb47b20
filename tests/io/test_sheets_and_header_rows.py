"""Workbooks with several sheets (issue 18, item 4) and header rows between the column names and
the data (Qualtrics, issue 17 item 2): every sheet is checked, data on more than one sheet is an
error naming them unless the study names the sheet; import-id rows are recognised and skipped."""

from __future__ import annotations

import dataclasses
import json

import openpyxl
import pytest

from ilb_eval.exceptions import InputError
from ilb_eval.io import read_wave


def _book(path, sheets):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _rows(frame):
    out = [list(frame.columns)]
    for row in frame.itertuples(index=False):
        out.append([None if isinstance(v, float) and v != v else (int(v) if isinstance(v, float) and v.is_integer() else v)
                    for v in row])
    return out


@pytest.fixture
def wave(eap):
    return eap.wave("t1")


@pytest.fixture
def rows(wave, wavefiles):
    return _rows(wavefiles.make_frame(wave, n=10, seed=5))


def _problems(path, wave, study):
    with pytest.raises(InputError) as caught:
        read_wave(path, wave, study=study)
    return caught.value.problems


def test_rows_continued_on_a_second_sheet_are_an_error_naming_the_sheets(tmp_path, wave, eap, rows):
    path = _book(tmp_path / "eap_t1.xlsx", {"Daten": rows[:6], "Daten (2)": [rows[0], *rows[6:]], "Leer": []})
    (problem,) = _problems(path, wave, eap)
    assert problem.code == "SEVERAL_SHEETS" and problem.severity == "error"
    assert "'Daten', 'Daten (2)'" in problem.message and "'Leer'" not in problem.message
    assert '"sheet": "Daten" or "sheet": "Daten (2)"' in problem.fix


def test_a_named_sheet_is_read_and_other_sheets_with_data_are_a_warning(tmp_path, wave, eap, rows):
    path = _book(tmp_path / "eap_t1.xlsx", {"Codebook": [["Variable", "Label"], ["fk_1", "Fachkompetenz 1"]],
                                            "Daten": rows})
    named = dataclasses.replace(wave, dialect={"sheet": "Daten"})
    table = read_wave(path, named, study=eap)
    assert table.dialect.sheet == "Daten" and table.dialect.declared == ("sheet",) and table.n_rows == 10
    (warning,) = [p for p in table.problems if p.code == "SEVERAL_SHEETS"]
    assert warning.severity == "warning" and "'Codebook'" in warning.message


def test_a_named_sheet_that_is_missing_lists_the_sheets(tmp_path, wave, eap, rows):
    path = _book(tmp_path / "eap_t1.xlsx", {"Tabelle1": rows})
    (problem,) = _problems(path, dataclasses.replace(wave, dialect={"sheet": "Daten"}), eap)
    assert problem.code == "SHEET_NOT_FOUND" and "'Tabelle1'" in problem.found and '"sheet": "Tabelle1"' in problem.fix


def test_the_one_sheet_with_data_is_found_wherever_it_is(tmp_path, wave, eap, rows):
    path = _book(tmp_path / "eap_t1.xlsx", {"Tabelle1": [], "Export": rows, "Tabelle3": [[None, None]]})
    table = read_wave(path, wave, study=eap)
    assert table.dialect.sheet == "Export" and table.n_rows == 10 and table.frame.index.tolist() == list(range(2, 12))


def _qualtrics_rows(rows):
    texts = [f"Frage zu {name}" for name in rows[0]]
    ids = [json.dumps({"ImportId": f"QID{i}"}) for i in range(len(rows[0]))]
    return [rows[0], texts, ids, *rows[1:]]


def test_qualtrics_header_rows_in_a_workbook_are_skipped_and_rows_keep_excel_numbers(tmp_path, wave, eap, rows):
    path = _book(tmp_path / "eap_t1.xlsx", {"Sheet0": _qualtrics_rows(rows)})
    table = read_wave(path, wave, study=eap)
    assert table.dialect.extra_header_rows == 2 and table.frame.index.tolist() == list(range(4, 14))
    (note,) = [p for p in table.problems if p.code == "EXTRA_HEADER_ROWS"]
    assert note.severity == "note" and note.rows == (2, 3)


def test_qualtrics_header_rows_in_a_csv_are_skipped(tmp_path, eap, wavefiles):
    wave = wavefiles.undeclared(eap.wave("t1"))
    frame = wavefiles.make_frame(wave, n=8, seed=3)
    text = wavefiles.csv_bytes(frame, delimiter=",", decimal=".", bom=True).decode("utf-8-sig")
    header, *body = text.split("\r\n")
    names = header.split(",")
    texts = ",".join(f'"Wie sehr stimmen Sie zu? - {n}, bitte"' for n in names)
    ids = ",".join('"' + json.dumps({"ImportId": f"QID{i}"}).replace('"', '""') + '"' for i in range(len(names)))
    path = tmp_path / "eap_t1.csv"
    path.write_bytes(("\ufeff" + "\r\n".join([header, texts, ids, *body])).encode("utf-8"))
    table = read_wave(path, wave, study=eap)
    assert table.dialect.extra_header_rows == 2 and table.frame.index.tolist() == list(range(4, 12))
    assert table.frame["fk_1"].tolist() == frame["fk_1"].tolist()
    assert {p.code for p in table.problems} >= {"EXTRA_HEADER_ROWS", "BYTE_ORDER_MARK"}


def test_declared_extra_header_rows_win(tmp_path, eap, wavefiles):
    wave = dataclasses.replace(eap.wave("t1"), dialect={"extra_header_rows": 1})
    frame = wavefiles.make_frame(wave, n=5, seed=4)
    header, *body = wavefiles.csv_bytes(frame).decode().split("\r\n")
    path = tmp_path / "eap_t1.csv"
    path.write_text("\r\n".join([header, ";".join("Text" for _ in header.split(";")), *body]), encoding="utf-8")
    table = read_wave(path, wave, study=eap)
    assert table.frame.index.tolist() == list(range(3, 8)) and table.dialect.declared == ("extra_header_rows",)
    assert not [p for p in table.problems if p.code == "EXTRA_HEADER_ROWS"]
