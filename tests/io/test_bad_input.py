"""Each class of bad input gives its exact problem code, naming file, column and rows."""

from __future__ import annotations

import dataclasses

import pytest

from ilb_eval.exceptions import InputError
from ilb_eval.io import read_wave
from ilb_eval.study import load_study

FILE = "eap_t1.csv"


@pytest.fixture
def wave(eap):
    """EAP t1 as shipped: declared windows-1252, ';' and decimal comma."""
    return eap.wave("t1")


@pytest.fixture
def frame(wave, wavefiles):
    return wavefiles.make_frame(wave, n=12, seed=21).astype({"code": object, "fk_1": object, "age": object})


def fail(path, wave, study, wavefiles, frame=None):
    """Read a bad file: the InputError's problems; checks inputs unchanged and no ID leaks."""
    before = wavefiles.hashes([path])
    with pytest.raises(InputError) as caught:
        read_wave(path, wave, study=study)
    assert wavefiles.hashes([path]) == before
    text = "\n".join(caught.value.lines)
    assert wavefiles.CANARY not in text
    for problem in caught.value.problems:
        assert problem.severity == "error"
    return list(caught.value.problems)


def one(problems, code):
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, [p.one_line() for p in problems]
    return found[0]


def write(frame, tmp_path, wave, wavefiles, name=FILE, **dialect):
    return wavefiles.write_wave(frame, tmp_path / name, wave, **dialect)


# -- the file ---------------------------------------------------------------------------

@pytest.mark.parametrize("content", [b"", b"\r\n\r\n", b"\xef\xbb\xbf"])
def test_empty_file(tmp_path, wave, eap, wavefiles, content):
    path = tmp_path / FILE
    path.write_bytes(content)
    problem = one(fail(path, wave, eap, wavefiles), "EMPTY_FILE")
    assert problem.file == FILE and "empty" in problem.one_line()


def test_header_only(tmp_path, wave, eap, wavefiles, frame):
    path = write(frame.iloc[:0], tmp_path, wave, wavefiles)
    problem = one(fail(path, wave, eap, wavefiles), "HEADER_ONLY")
    assert problem.file == FILE


def test_duplicate_header(tmp_path, wave, eap, wavefiles, frame):
    frame = frame.copy()
    frame.insert(5, "fk_1 ", frame["fk_1"])  # the loader strips names: 'fk_1' twice
    problem = one(fail(write(frame, tmp_path, wave, wavefiles), wave, eap, wavefiles), "DUPLICATE_HEADER")
    assert problem.column == "fk_1" and problem.rows == (1,)
    assert "2 times" in problem.message


def test_ragged_rows_name_every_row(tmp_path, wave, eap, wavefiles, frame):
    path = write(frame, tmp_path, wave, wavefiles)
    lines = path.read_bytes().split(b"\r\n")
    lines[2] = lines[2].rsplit(b";", 1)[0]  # row 3: one field short
    lines[6] = lines[6] + b";5"  # row 7: one field too many
    path.write_bytes(b"\r\n".join(lines))
    problem = one(fail(path, wave, eap, wavefiles), "RAGGED_ROW")
    assert problem.rows == (3, 7) and problem.file == FILE
    assert "51 fields on row 3" in problem.found and "53 fields on row 7" in problem.found
    assert "52 fields" in problem.expected


def test_truncated_last_line(tmp_path, wave, eap, wavefiles, frame):
    path = write(frame, tmp_path, wave, wavefiles)
    data = path.read_bytes().rstrip(b"\r\n")
    path.write_bytes(data[: data.rindex(b";") - 3])
    problem = one(fail(path, wave, eap, wavefiles), "RAGGED_ROW")
    assert problem.rows == (13,) and "truncated" in problem.message


def test_unterminated_quote(tmp_path, wave, eap, wavefiles, frame):
    path = write(frame, tmp_path, wave, wavefiles)
    data = path.read_bytes().rstrip(b"\r\n")
    cut = data.rindex(b";")
    path.write_bytes(data[: cut + 1] + b'"4')
    problem = one(fail(path, wave, eap, wavefiles), "UNTERMINATED_QUOTE")
    assert problem.rows == (13,) and "line 13" in problem.message


def test_malformed_quoting(tmp_path, wave, eap, wavefiles, frame):
    path = write(frame, tmp_path, wave, wavefiles)
    lines = path.read_bytes().split(b"\r\n")
    first, rest = lines[4].split(b";", 1)
    lines[4] = b'"' + first + b'"x;' + rest
    path.write_bytes(b"\r\n".join(lines))
    problem = one(fail(path, wave, eap, wavefiles), "MALFORMED_CSV")
    assert problem.rows == (5,) and "line 5" in problem.message


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le"])
def test_utf16_is_read_and_a_contradicted_declaration_is_a_warning(tmp_path, wave, eap, wavefiles, frame, codec):
    path = tmp_path / FILE
    path.write_bytes(wavefiles.csv_bytes(frame).decode().encode(codec))  # with BOM / without (SoSci Survey)
    table = read_wave(path, wave, study=eap)
    assert table.dialect.encoding == "utf-16" and table.dialect.bom is (codec == "utf-16")
    assert table.frame["code"].tolist() == frame["code"].tolist()
    warning = one(table.problems, "DIALECT_MISMATCH")
    assert warning.severity == "warning" and "UTF-16" in warning.message and '"encoding": "utf-16"' in warning.fix


def test_windows_1252_not_declared(tmp_path, eap, wavefiles, frame):
    wave = wavefiles.undeclared(eap.wave("t1"))
    frame = frame.copy()
    frame.loc[5, "code"] = "Jörg"
    path = write(frame, tmp_path, wave, wavefiles, encoding="cp1252")
    problem = one(fail(path, wave, eap, wavefiles), "ENCODING")
    assert "line 5" in problem.message and "Windows-1252" in problem.message and "ö" in problem.message
    assert '"encoding": "windows-1252"' in problem.fix and "wave t1" in problem.fix
    assert "Jörg" not in problem.one_line()


def test_utf8_file_with_cp1252_umlauts(tmp_path, eap, wavefiles, frame):
    wave = wavefiles.undeclared(eap.wave("t1"))
    frame = frame.copy()
    frame.loc[3, "code"] = "Müller"
    path = write(frame, tmp_path, wave, wavefiles, encoding="utf-8")
    lines = path.read_bytes().split(b"\r\n")
    lines[8] = lines[8].replace(b";", "ä;".encode("cp1252"), 1)
    path.write_bytes(b"\r\n".join(lines))
    problem = one(fail(path, wave, eap, wavefiles), "ENCODING")
    assert "mixes encodings" in problem.message and "line 3" in problem.message and "line 9" in problem.message


def test_undecodable_windows_1252(tmp_path, wave, eap, wavefiles, frame):
    path = write(frame, tmp_path, wave, wavefiles)
    lines = path.read_bytes().split(b"\r\n")
    lines[6] = lines[6].replace(b";", b"\x81;", 1)  # 0x81 is undefined in Windows-1252
    path.write_bytes(b"\r\n".join(lines))
    assert "line 7" in one(fail(path, wave, eap, wavefiles), "ENCODING").message


def test_bom_where_windows_1252_is_declared_is_read_as_utf8_with_a_note(tmp_path, wave, eap, wavefiles, frame):
    frame = frame.copy()
    frame["code"] = frame["code"].str.replace("ZQX", "ZQXü")
    path = write(frame, tmp_path, wave, wavefiles, bom=True, encoding="utf-8")
    table = read_wave(path, wave, study=eap)
    assert table.dialect.encoding == "utf-8" and table.dialect.bom
    assert table.frame["code"].tolist() == frame["code"].tolist()  # ü read right, not as two cp1252 characters
    note = one(table.problems, "BYTE_ORDER_MARK")
    assert note.severity == "note" and "byte-order mark" in note.message
    assert note.fix.endswith('"dialect": {"encoding": "utf-8", "delimiter": ";", "decimal": ","}')


def test_bom_without_declaration_is_a_note(tmp_path, eap, wavefiles, frame):
    wave = wavefiles.undeclared(eap.wave("t1"))
    table = read_wave(write(frame, tmp_path, wave, wavefiles, bom=True, encoding="utf-8"), wave, study=eap)
    assert [(p.code, p.severity, p.fix) for p in table.problems if p.code == "BYTE_ORDER_MARK"] == [
        ("BYTE_ORDER_MARK", "note", "nothing to do")]


def test_declared_delimiter_and_decimal_contradicted_are_reported_at_once(tmp_path, wave, eap, wavefiles, frame):
    frame = frame.copy()
    frame["ilb_dauer_termin"] = 45.5
    path = write(frame, tmp_path, wave, wavefiles, delimiter=",", decimal=".")
    problems = fail(path, wave, eap, wavefiles)
    assert sorted(p.code for p in problems) == ["DIALECT_MISMATCH", "DIALECT_MISMATCH"]
    delimiter, decimal = sorted(problems, key=lambda p: "decimal" in p.message)
    assert delimiter.expected == "semicolon ';'" and delimiter.found == "comma ','"
    assert decimal.expected == "decimal comma ','" and decimal.found == "decimal point '.'" and decimal.count == 12
    snippet = '"dialect": {"encoding": "windows-1252", "delimiter": ",", "decimal": "."}'
    assert delimiter.fix.endswith(snippet) and decimal.fix.endswith(snippet)
    assert 'declare "delimiter": ","' in delimiter.fix and 'declare "decimal": "."' in decimal.fix


def test_undeclared_windows_1252_and_a_declared_decimal_contradicted_at_once(tmp_path, eap, wavefiles, frame):
    wave = dataclasses.replace(eap.wave("t1"), dialect={"delimiter": ";", "decimal": ","})
    frame = frame.copy()
    frame.loc[5, "code"] = "Jörg"
    frame["ilb_dauer_termin"] = 45.5
    problems = fail(write(frame, tmp_path, wave, wavefiles, encoding="cp1252", decimal="."), wave, eap, wavefiles)
    assert sorted(p.code for p in problems) == ["DIALECT_MISMATCH", "ENCODING"]
    snippet = '"dialect": {"encoding": "windows-1252", "delimiter": ";", "decimal": "."}'
    assert all(p.fix.endswith(snippet) for p in problems)


def test_declared_decimal_contradicted(tmp_path, wave, eap, wavefiles, frame):
    frame = frame.copy()
    frame["ilb_dauer_termin"] = 45.5
    path = write(frame, tmp_path, wave, wavefiles, decimal=".")
    problem = one(fail(path, wave, eap, wavefiles), "DIALECT_MISMATCH")
    assert "ilb_dauer_termin" in problem.message and problem.count == 12


def test_ambiguous_delimiter(tmp_path, eap, wavefiles):
    wave = wavefiles.undeclared(eap.wave("t1"))
    path = tmp_path / FILE
    path.write_text("code,gender;age\nA1,1;30\nB2,2;41\n", encoding="utf-8")
    problem = one(fail(path, wave, eap, wavefiles), "DIALECT_AMBIGUOUS")
    assert "comma" in problem.message and "semicolon" in problem.message
    assert "declare" in problem.fix and "wave t1" in problem.fix


def test_ambiguous_decimal_mark(tmp_path, eap, wavefiles, frame):
    wave = wavefiles.undeclared(eap.wave("t1"))
    frame = frame.copy()
    frame[["ilb_dauer_termin", "ilb_dauer_monate"]] = 30.0
    path = write(frame, tmp_path, wave, wavefiles, decimal=",")
    rows = path.read_bytes().decode().split("\r\n")
    position = rows[0].split(";").index("ilb_dauer_termin")
    for number, value in ((3, "2,5"), (6, "3.5")):
        cells = rows[number - 1].split(";")
        cells[position] = value
        rows[number - 1] = ";".join(cells)
    path.write_bytes("\r\n".join(rows).encode())
    problem = one(fail(path, wave, eap, wavefiles), "DIALECT_AMBIGUOUS")
    assert problem.rows == (3, 6) and "decimal" in problem.fix


# -- the columns ------------------------------------------------------------------------

def test_missing_column(tmp_path, wave, eap, wavefiles, frame):
    problem = one(fail(write(frame.drop(columns=["fk_2"]), tmp_path, wave, wavefiles), wave, eap, wavefiles),
                  "MISSING_COLUMN")
    assert problem.column == "fk_2" and problem.file == FILE and "eap_t1.table.json" in problem.fix


def test_unexpected_column_is_only_a_note(tmp_path, wave, eap, wavefiles, frame):
    frame = frame.copy()
    frame["CASE"] = range(len(frame))
    frame["lk_dauer"] = 3.0  # declared for t3 only
    table = read_wave(write(frame, tmp_path, wave, wavefiles), wave, study=eap)
    notes = [p for p in table.problems if p.code == "UNEXPECTED_COLUMN"]
    assert {p.severity for p in notes} == {"note"} and len(notes) == 2
    assert any("CASE" in p.message for p in notes) and any("lk_dauer (t3)" in p.message for p in notes)
    assert "CASE" not in table.frame.columns


@pytest.mark.parametrize(
    "name", ["Vorname", "Nachname", "name", "E-Mail", "mail", "Personalnummer", "Telefon", "phone",
             "Adresse", "Kommentar", "anmerkung", "Freitext", "comment"],
)
def test_identifier_column_is_refused(tmp_path, wave, eap, wavefiles, frame, name):
    frame = frame.copy()
    frame[name] = "x"
    problem = one(fail(write(frame, tmp_path, wave, wavefiles), wave, eap, wavefiles), "DIRECT_IDENTIFIER")
    assert problem.column == name and "remove this column" in problem.fix


def test_email_in_declared_string_field(tmp_path, wavefiles):
    def add_field(name, table):
        if name == "eap_t1.table.json":
            table["fields"].append({"name": "taetigkeit", "type": "string"})

    study = load_study(wavefiles.copy_study("EAP", tmp_path / "def", edit_tables=add_field))
    wave = study.wave("t1")
    frame = wavefiles.make_frame(wave, n=6, seed=22)
    frame["taetigkeit"] = ["Beratung", "x.y@example.org", None, "Team", "mail an a@b.de", "Vermittlung"]
    frame.loc[2, "code"] = "id@example.org"  # the person id is searched too (issue 18, item 7)
    problems = [p for p in fail(write(frame, tmp_path, wave, wavefiles), wave, study, wavefiles)
                if p.code == "DIRECT_IDENTIFIER"]
    assert [(p.column, p.rows) for p in problems] == [("code", (2,)), ("taetigkeit", (3, 6))]
    assert not any("example.org" in p.one_line() for p in problems)


def test_renamed_column_is_schema_drift(tmp_path, wave, eap, wavefiles, frame):
    path = write(frame.rename(columns={"fk_1": "FK1"}), tmp_path, wave, wavefiles)
    problems = fail(path, wave, eap, wavefiles)
    problem = one(problems, "SCHEMA_DRIFT")
    assert problem.column == "fk_1" and "FK1" in problem.found
    assert not [p for p in problems if p.code == "MISSING_COLUMN"]


# -- the values -------------------------------------------------------------------------

def test_text_in_numeric_column(tmp_path, wave, eap, wavefiles, frame):
    frame = frame.copy()
    frame.loc[3, "fk_1"] = "trifft zu"
    frame.loc[5, "fk_1"] = "k.A."
    problem = one(fail(write(frame, tmp_path, wave, wavefiles), wave, eap, wavefiles), "WRONG_TYPE")
    assert (problem.file, problem.column, problem.rows) == (FILE, "fk_1", (3, 5))
    assert "trifft" not in problem.one_line() and "rows 3, 5 (2 in all)" in problem.one_line()


def test_decimals_in_integer_column(tmp_path, wave, eap, wavefiles, frame):
    frame = frame.copy()
    frame.loc[4, "age"] = 33.5
    problem = one(fail(write(frame, tmp_path, wave, wavefiles), wave, eap, wavefiles), "WRONG_TYPE")
    assert (problem.column, problem.rows, problem.expected) == ("age", (4,), "whole numbers")


def test_out_of_range(tmp_path, wave, eap, wavefiles, frame):
    frame = frame.copy()
    frame.loc[6, "fk_1"] = 7.0
    frame.loc[[8, 9], "age"] = 12.0
    problems = fail(write(frame, tmp_path, wave, wavefiles), wave, eap, wavefiles)
    by_column = {p.column: p for p in problems if p.code == "OUT_OF_RANGE"}
    assert by_column["fk_1"].rows == (6,) and by_column["fk_1"].found == "7 (1 row)"
    assert "one of 1, 2, 3, 4, 5 or a missing code (-9, -1)" == by_column["fk_1"].expected
    assert by_column["age"].rows == (8, 9) and by_column["age"].expected.startswith("16 to 70")


def test_undeclared_missing_codes(tmp_path, wave, eap, wavefiles, frame):
    frame = frame.copy()
    frame.loc[[3, 10], "fk_1"] = -99.0
    frame.loc[7, "fk_1"] = 9.0
    frame.loc[5, "age"] = 999.0
    problems = fail(write(frame, tmp_path, wave, wavefiles), wave, eap, wavefiles)
    fk = next(p for p in problems if p.code == "SUSPECT_MISSING_CODE" and p.column == "fk_1")
    assert fk.rows == (3, 7, 10) and fk.found == "-99 (2 rows), 9 (1 row)"
    assert "missingValues of field 'fk_1' in eap_t1.table.json" in fk.fix
    age = next(p for p in problems if p.code == "SUSPECT_MISSING_CODE" and p.column == "age")
    assert age.rows == (5,)
    assert not [p for p in problems if p.code == "OUT_OF_RANGE"]


def test_sav_user_missing_code_not_in_schema(tmp_path, zp, wavefiles):
    import pyreadstat

    wave = zp.wave("t1")
    frame = wavefiles.make_frame(wave, n=8, seed=23, missing_share=0)
    frame.loc[4, "fk_2"] = 6.0  # declared user-missing in the .sav, not in the schema
    path = tmp_path / "zp_t1.sav"
    pyreadstat.write_sav(frame.reset_index(drop=True), str(path), missing_ranges={"fk_2": [6, -99]})
    problem = one(fail(path, wave, zp, wavefiles), "SUSPECT_MISSING_CODE")
    assert problem.rows == (4,) and "user-missing" in problem.message


def test_duplicate_ids_without_values(tmp_path, wave, eap, wavefiles, frame):
    frame = frame.copy()
    frame.loc[9, "code"] = frame.loc[3, "code"].lower() + " "
    frame.loc[12, "code"] = frame.loc[3, "code"]
    frame.loc[6, "code"] = frame.loc[5, "code"]
    problem = one(fail(write(frame, tmp_path, wave, wavefiles), wave, eap, wavefiles), "DUPLICATE_ID")
    assert problem.rows == (3, 5, 6, 9, 12) and problem.count == 5
    assert "2 person identifier(s)" in problem.message
    assert wavefiles.CANARY.lower() not in problem.one_line().lower()


def test_empty_ids(tmp_path, wave, eap, wavefiles, frame):
    frame = frame.copy()
    frame.loc[4, "code"] = None
    frame.loc[11, "code"] = "  "
    problem = one(fail(write(frame, tmp_path, wave, wavefiles), wave, eap, wavefiles), "EMPTY_ID")
    assert problem.rows == (4, 11) and problem.column == "code"


def test_all_problems_of_a_file_are_reported_together(tmp_path, wave, eap, wavefiles, frame):
    frame = frame.drop(columns=["re_3"]).copy()
    frame.loc[3, "fk_1"] = "x"
    frame.loc[4, "fk_1"] = 8.0
    frame.loc[5, "age"] = -99.0
    frame.loc[6, "code"] = None
    frame.loc[8, "code"] = frame.loc[7, "code"]
    frame["Email"] = "x"
    problems = fail(write(frame, tmp_path, wave, wavefiles), wave, eap, wavefiles)
    assert {p.code for p in problems} == {
        "MISSING_COLUMN", "WRONG_TYPE", "OUT_OF_RANGE", "SUSPECT_MISSING_CODE", "EMPTY_ID", "DUPLICATE_ID",
        "DIRECT_IDENTIFIER",
    }
    assert all(p.file == FILE for p in problems)


# -- other formats ----------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".sav", ".xlsx"])
def test_garbage_binary_files(tmp_path, zp, wavefiles, suffix):
    wave = dataclasses.replace(zp.wave("t1"), file="zp_t1" + suffix)
    path = tmp_path / wave.file
    path.write_bytes(b"this is not a binary export\n" * 5)  # text: named as such by io/signature.py
    assert one(fail(path, wave, zp, wavefiles), "WRONG_FORMAT").file == path.name
    path.write_bytes(b"\x00\x01binary garbage\xff" * 5)  # no known signature: the reader says it cannot read it
    assert one(fail(path, wave, zp, wavefiles), "UNREADABLE_FILE").file == path.name
    path.write_bytes(b"")
    assert one(fail(path, wave, zp, wavefiles), "EMPTY_FILE")


def test_xlsx_header_only_and_identifier(tmp_path, eap, wavefiles):
    wave = eap.wave("t4")
    frame = wavefiles.make_frame(wave, n=3, seed=24).iloc[:0].copy()
    frame["Nachname"] = []
    path = wavefiles.write_xlsx(frame, tmp_path / "eap_t4.xlsx")
    problems = fail(path, wave, eap, wavefiles)
    assert {p.code for p in problems} == {"HEADER_ONLY", "DIRECT_IDENTIFIER"}


def test_xlsx_wrong_type_names_excel_rows(tmp_path, eap, wavefiles):
    wave = eap.wave("t4")
    frame = wavefiles.make_frame(wave, n=5, seed=25).astype({"fk_3": object})
    frame.loc[4, "fk_3"] = "viel"
    path = wavefiles.write_xlsx(frame, tmp_path / "eap_t4.xlsx")
    problem = one(fail(path, wave, eap, wavefiles), "WRONG_TYPE")
    assert (problem.column, problem.rows) == ("fk_3", (4,))


def test_missing_header_row_prints_no_data(tmp_path, wave, eap, wavefiles, frame):
    path = write(frame, tmp_path, wave, wavefiles)
    path.write_bytes(path.read_bytes().split(b"\r\n", 1)[1])  # drop the header row
    problems = fail(path, wave, eap, wavefiles)
    assert [p.code for p in problems] == ["NO_HEADER"]
    assert problems[0].rows == (1,) and "code, gender, age" in problems[0].expected


def test_data_like_column_names_are_not_printed(tmp_path, wave, eap, wavefiles, frame):
    frame = frame.copy()
    frame["anna@example.org"] = 1
    frame["12345"] = 2
    frame["CASE"] = 3
    table = read_wave(write(frame, tmp_path, wave, wavefiles), wave, study=eap)
    (note,) = table.problems
    assert "CASE" in note.message and "2 name(s) not shown" in note.message
    assert "anna" not in note.one_line() and "12345" not in note.one_line()


def test_utf8_file_declared_windows_1252_warns(tmp_path, wave, eap, wavefiles, frame):
    frame = frame.copy()
    frame.loc[2, "code"] = "MÖ12KL"
    table = read_wave(write(frame, tmp_path, wave, wavefiles, encoding="utf-8"), wave, study=eap)
    warning, mojibake = table.problems  # read as Windows-1252 the code becomes 'MÃ–12KL': non-ASCII
    assert (warning.code, warning.severity) == ("DIALECT_MISMATCH", "warning")
    assert (mojibake.code, mojibake.rows) == ("UNUSUAL_CODE", (2,))
    assert '"encoding": "utf-8"' in warning.fix


def test_typical_missing_code_in_unconstrained_field_is_a_warning(tmp_path, wavefiles):
    def unconstrain(name, table):
        for field in table["fields"]:
            if field["name"] == "age":
                del field["constraints"]

    study = load_study(wavefiles.copy_study("EAP", tmp_path / "def", edit_tables=unconstrain))
    wave = study.wave("t1")
    frame = wavefiles.make_frame(wave, n=6, seed=26)
    frame.loc[[3, 5], "age"] = -99.0
    table = read_wave(write(frame, tmp_path, wave, wavefiles), wave, study=study)
    (warning,) = table.problems
    assert (warning.code, warning.severity, warning.rows) == ("SUSPECT_MISSING_CODE", "warning", (3, 5))


def test_unreadable_file(tmp_path, wave, eap, wavefiles, frame, monkeypatch):
    path = write(frame, tmp_path, wave, wavefiles)
    real_open = open

    def refuse(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refuse)
    with pytest.raises(InputError) as caught:
        read_wave(path, wave, study=eap)
    assert caught.value.problems[0].code == "UNREADABLE_FILE"
    assert "PermissionError" in caught.value.problems[0].message
