"""All waves of a study: load_waves, validate_study_data and study-wide problems."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ilb_eval.exceptions import InputError
from ilb_eval.io import load_waves, validate_study_data
from ilb_eval.study import load_study


@pytest.mark.parametrize("name", ["EAP", "ZP"])
def test_load_waves_returns_the_contract(tmp_path, wavefiles, name):
    study = load_study(name)
    frames = wavefiles.write_study_data(study, tmp_path, seed=30)
    before = wavefiles.hashes(tmp_path.iterdir())
    tables = load_waves(study, tmp_path)
    assert wavefiles.hashes(tmp_path.iterdir()) == before
    assert list(tables) == ["t1", "t3", "t4"]
    for wave in study.waves:
        table = tables[wave.name]
        assert (table.wave, table.file) == (wave.name, wave.file)
        assert list(table.frame.columns) == list(wave.table_schema.field_names)
        assert table.frame.index.name == "row" and table.frame.index[0] == 2
        for f in wave.table_schema.fields:
            if f.is_numeric:
                assert table.frame[f.name].dtype == np.float64
        pd.testing.assert_frame_equal(table.frame, frames[wave.name], check_dtype=False)
        assert len(table.sha256) == 64
    assert tables["t1"].dialect.format == ("csv" if name == "EAP" else "sav")


def test_load_waves_collects_errors_of_all_files(tmp_path, eap, wavefiles):
    frames = wavefiles.write_study_data(eap, tmp_path, seed=31)
    bad_t1 = frames["t1"].copy()
    bad_t1.loc[3, "fk_1"] = 7.0
    wavefiles.write_wave(bad_t1, tmp_path / "eap_t1.csv", eap.wave("t1"))
    (tmp_path / "eap_t4.csv").unlink()
    before = wavefiles.hashes(tmp_path.iterdir())
    with pytest.raises(InputError) as caught:
        load_waves(eap, tmp_path)
    assert wavefiles.hashes(tmp_path.iterdir()) == before
    assert {(p.code, p.file) for p in caught.value.problems} == {
        ("OUT_OF_RANGE", "eap_t1.csv"), ("FILE_NOT_FOUND", "eap_t4.csv"),
    }


def test_report_text_per_file(tmp_path, eap, wavefiles):
    frames = wavefiles.write_study_data(eap, tmp_path, seed=32, n=15)
    t3 = frames["t3"].copy()
    t3["CASE"] = 1
    wavefiles.write_wave(t3, tmp_path / "eap_t3.csv", eap.wave("t3"))
    report = validate_study_data(eap, tmp_path)
    assert report.ok and [p.code for p in report.notes] == ["UNEXPECTED_COLUMN"]
    text = report.as_text()
    assert "eap_t1.csv (wave t1)" in text and "15 data rows" in text
    assert "delimiter semicolon ';' (declared)" in text
    assert "note [UNEXPECTED_COLUMN] eap_t3.csv" in text
    assert "the data can be analysed" in text
    assert wavefiles.CANARY not in text


def test_file_not_found_and_missing_folder(tmp_path, eap):
    report = validate_study_data(eap, tmp_path / "nowhere")
    assert [p.code for p in report.errors] == ["FILE_NOT_FOUND"] * 3
    assert "does not exist" in report.errors[0].message and "--data" in report.errors[0].fix


def test_file_name_with_wrong_case_is_hinted(tmp_path, eap, wavefiles):
    wavefiles.write_study_data(eap, tmp_path, seed=33, n=5)
    (tmp_path / "eap_t1.csv").rename(tmp_path / "EAP_T1.csv")
    report = validate_study_data(eap, tmp_path)
    missing = next(p for p in report.errors if p.code == "FILE_NOT_FOUND")
    assert missing.file == "eap_t1.csv" and "EAP_T1.csv" in missing.message


def test_unexpected_wave_file_is_a_warning(tmp_path, eap, zp, wavefiles):
    wavefiles.write_study_data(eap, tmp_path, seed=34, n=5)
    wavefiles.write_study_data(zp, tmp_path, seed=35, n=5)  # another study in the same folder
    (tmp_path / "eap_t5.csv").write_bytes((tmp_path / "eap_t4.csv").read_bytes())
    (tmp_path / "eap_t1.xlsx").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("x")
    report = validate_study_data(eap, tmp_path)
    assert report.ok
    assert sorted((p.code, p.file, p.severity) for p in report.warnings) == [
        ("UNEXPECTED_FILE", "eap_t1.xlsx", "warning"), ("UNEXPECTED_FILE", "eap_t5.csv", "warning"),
    ]
    assert validate_study_data(zp, tmp_path).warnings == []


def test_schema_drift_between_table_schemas(tmp_path, wavefiles):
    def edit(name, table):
        if name == "eap_t3.table.json":
            for field in table["fields"]:
                if field["name"] == "fk_1":
                    field["categories"].append({"value": 6, "label": "immer"})
                if field["name"] == "age":
                    field["type"] = "number"

    study = load_study(wavefiles.copy_study("EAP", tmp_path / "def", edit_tables=edit))
    wavefiles.write_study_data(study, tmp_path / "data", seed=36, n=5)
    report = validate_study_data(study, tmp_path / "data")
    drift = {(p.column, "types" in p.message) for p in report.problems if p.code == "SCHEMA_DRIFT"}
    assert drift == {("fk_1", False), ("age", True)}
    assert not report.ok
    message = next(p for p in report.problems if p.column == "fk_1").message
    assert "eap_t1.table.json" in message and "eap_t3.table.json" in message


def test_field_missing_in_one_wave_file_is_schema_drift(tmp_path, eap, wavefiles):
    frames = wavefiles.write_study_data(eap, tmp_path, seed=37, n=5)
    wavefiles.write_wave(frames["t3"].drop(columns=["age"]), tmp_path / "eap_t3.csv", eap.wave("t3"))
    report = validate_study_data(eap, tmp_path)
    (problem,) = report.errors
    assert (problem.code, problem.file, problem.column) == ("SCHEMA_DRIFT", "eap_t3.csv", "age")
    assert "eap_t1.csv" in problem.message and "eap_t4.csv" in problem.message


def test_t5_wave_is_configuration_only(tmp_path, wavefiles):
    def add_t5(document):
        t4 = next(w for w in document["waves"] if w["name"] == "t4")
        document["waves"].append({**t4, "name": "t5", "time_score": 4, "file": "eap_t5.csv",
                                  "table_schema": "eap_t5.table.json", "label": {"de": "t5", "en": "t5"}})

    folder = tmp_path / "def"
    path = wavefiles.copy_study("EAP", folder, edit=add_t5)
    table = (folder / "eap_t4.table.json").read_text().replace('"wave": "t4"', '"wave": "t5"')
    (folder / "eap_t5.table.json").write_text(table)
    study = load_study(path)
    wavefiles.write_study_data(study, tmp_path / "data", seed=38, n=5)
    tables = load_waves(study, tmp_path / "data")
    assert list(tables) == ["t1", "t3", "t4", "t5"]


def test_file_report_and_dialect_record(tmp_path, eap, wavefiles):
    wavefiles.write_study_data(eap, tmp_path, seed=39, n=4)
    report = validate_study_data(eap, tmp_path)
    first = report.files[0]
    assert first.ok and first.n_rows == 4 and first.n_declared_found == first.n_declared == 52
    assert first.dialect.as_dict() == {
        "format": "csv", "encoding": "windows-1252", "delimiter": ";", "decimal": ",", "bom": False, "sheet": None,
        "extra_header_rows": 0,
        "declared": ["encoding", "delimiter", "decimal"],
    }
    assert first.sha256 == report.tables["t1"].sha256
