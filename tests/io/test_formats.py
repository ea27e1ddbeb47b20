"""Every supported format and dialect loads back exactly what was written."""

from __future__ import annotations

import csv
import dataclasses

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from ilb_eval.exceptions import InputError
from ilb_eval.io import Dialect, read_wave


def assert_same(table, frame):
    pd.testing.assert_frame_equal(table.frame, frame, check_dtype=False)
    assert table.frame.index.name == "row" and table.frame.index[0] == 2
    numeric = [c for c in frame.columns if c != "code"]
    assert all(table.frame[c].dtype == np.float64 for c in numeric)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("decimal", [".", ","])
@pytest.mark.parametrize("bom", [False, True])
def test_csv_dialects_are_detected(tmp_path, eap, wavefiles, delimiter, decimal, bom):
    wave = wavefiles.undeclared(eap.wave("t1"))
    frame = wavefiles.make_frame(wave, seed=3)
    path = wavefiles.write_csv(frame, tmp_path / "eap_t1.csv", delimiter=delimiter, decimal=decimal, bom=bom)
    table = read_wave(path, wave, study=eap)
    assert_same(table, frame)
    assert table.dialect == Dialect("csv", "utf-8", delimiter, decimal, bom)
    assert table.dialect.declared == ()


def test_declared_windows_1252_german_excel(tmp_path, eap, wavefiles):
    wave = eap.wave("t1")  # declared: windows-1252, ';', ','
    frame = wavefiles.make_frame(wave, seed=4)
    frame["code"] = [f"Jö{i:03d}ßä" for i in range(len(frame))]
    path = wavefiles.write_wave(frame, tmp_path / "eap_t1.csv", wave)
    assert b"\xf6" in path.read_bytes()  # really cp1252
    table = read_wave(path, wave, study=eap)
    assert_same(table, frame)
    assert table.dialect.encoding == "windows-1252"
    assert set(table.dialect.declared) == {"encoding", "delimiter", "decimal"}
    assert "declared" in table.dialect.describe()


def test_declared_delimiter_wins_over_detection(tmp_path, eap, wavefiles):
    wave = dataclasses.replace(eap.wave("t1"), dialect={"delimiter": "\t"})
    frame = wavefiles.make_frame(wave, seed=5)
    path = wavefiles.write_csv(frame, tmp_path / "x.csv", delimiter="\t", decimal=".")
    table = read_wave(path, wave, study=eap)
    assert table.dialect.delimiter == "\t" and table.dialect.declared == ("delimiter",)


def test_quoting_and_line_endings(tmp_path, eap, wavefiles):
    wave = wavefiles.undeclared(eap.wave("t1"))
    frame = wavefiles.make_frame(wave, seed=6)
    frame["code"] = [f'a;b "{i}"' for i in range(len(frame))]
    path = wavefiles.write_csv(frame, tmp_path / "x.csv", quoting=csv.QUOTE_ALL, lineterminator="\n")
    assert_same(read_wave(path, wave, study=eap), frame)


def test_blank_lines_keep_spreadsheet_row_numbers(tmp_path, eap, wavefiles):
    wave = wavefiles.undeclared(eap.wave("t1"))
    frame = wavefiles.make_frame(wave, n=3, seed=7)
    lines = wavefiles.csv_bytes(frame).split(b"\r\n")
    path = tmp_path / "x.csv"
    path.write_bytes(b"\r\n".join([*lines[:2], b"", *lines[2:]]) + b"\r\n")
    table = read_wave(path, wave, study=eap)
    assert list(table.frame.index) == [2, 4, 5]


def test_sav_keeps_user_missing_codes_and_labels(tmp_path, zp, wavefiles):
    wave = zp.wave("t1")
    frame = wavefiles.make_frame(wave, seed=8, missing_share=0.2)
    path = wavefiles.write_wave(frame, tmp_path / "zp_t1.sav", wave)
    table = read_wave(path, wave, study=zp)
    assert_same(table, frame)
    assert (table.frame["fk_1"] == -99).any() or (table.frame["fk_1"] == -77).any()
    assert table.user_missing["fk_1"] == (-99.0, -77.0)
    assert table.value_labels["fk_1"][5.0]
    assert table.dialect.format == "sav"


def test_sav_reads_only_declared_columns(tmp_path, zp, wavefiles):
    wave = zp.wave("t1")
    frame = wavefiles.make_frame(wave, n=5, seed=9)
    frame["extra_var"] = 1.0
    path = tmp_path / "zp_t1.sav"
    pyreadstat.write_sav(frame.reset_index(drop=True), str(path))
    table = read_wave(path, wave, study=zp)
    assert list(table.frame.columns) == list(wave.table_schema.field_names)
    assert [p.code for p in table.problems] == ["UNEXPECTED_COLUMN"]


def test_xlsx(tmp_path, eap, wavefiles):
    wave = eap.wave("t3")
    frame = wavefiles.make_frame(wave, seed=10)
    path = wavefiles.write_wave(frame, tmp_path / "eap_t3.xlsx", wave)
    table = read_wave(path, wave, study=eap)
    assert_same(table, frame)
    assert table.dialect.format == "xlsx" and table.dialect.sheet == "Daten"


def test_numeric_person_code_in_sav_becomes_text(tmp_path, zp, wavefiles):
    wave = zp.wave("t1")
    frame = wavefiles.make_frame(wave, n=4, seed=11)
    frame["code"] = [1001.0, 1002.0, 1003.0, 1004.0]
    path = tmp_path / "zp_t1.sav"
    pyreadstat.write_sav(frame.reset_index(drop=True), str(path))
    table = read_wave(path, wave, study=zp)
    assert table.frame["code"].tolist() == ["1001", "1002", "1003", "1004"]


def test_unsupported_suffix(tmp_path, eap):
    path = tmp_path / "eap_t1.json"
    path.write_text("{}")
    with pytest.raises(InputError) as caught:
        read_wave(path, eap.wave("t1"))
    assert caught.value.problems[0].code == "UNSUPPORTED_FORMAT"
