"""The export files look like the tools' exports the study definitions describe."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from ilb_eval.io import validate_study_data
from ilb_eval.study import load_study

CODE = re.compile(r"^[A-Z]{2}(0[1-9]|[12][0-9]|3[01])[A-Z]{2}$")


@pytest.mark.parametrize("name", ["EAP", "ZP"])
def test_io_layer_validates_the_example_without_problems(example, name):
    report = validate_study_data(load_study(name), example)
    assert report.ok
    assert not report.problems


def test_eap_csv_dialect(example):
    study = load_study("EAP")
    for wave in study.waves:
        raw = (example / wave.file).read_bytes()
        assert wave.dialect["delimiter"] == ";" and wave.dialect["encoding"] == "windows-1252"
        assert not raw.startswith(b"\xef\xbb\xbf")
        lines = raw.split(b"\r\n")
        assert lines[-1] == b"" and b"\n" not in raw.replace(b"\r\n", b"")
        assert lines[0].decode("cp1252").split(";") == list(wave.table_schema.field_names)
        assert all(line.count(b";") == len(wave.table_schema.fields) - 1 for line in lines[1:-1])
    t3 = (example / "eap_t3.csv").read_text(encoding="cp1252")
    assert re.search(r";\d+,5;", t3), "half minutes/months are written with a decimal comma"


def test_zp_sav_labels_and_user_missing(example):
    study = load_study("ZP")
    for wave in study.waves:
        frame, meta = pyreadstat.read_sav(str(example / wave.file), user_missing=True)
        assert list(frame.columns) == list(wave.table_schema.field_names)
        field = wave.table_schema.field("fk_1")
        assert meta.missing_ranges["fk_1"] == [{"lo": -99.0, "hi": -99.0}, {"lo": -77.0, "hi": -77.0}]
        labels = meta.variable_value_labels["fk_1"]
        for value, label in (*field.categories, *field.missing_values):
            assert labels[float(value)] == label
        assert meta.column_names_to_labels["fk_1"] == field.title


@pytest.mark.parametrize("sample", ["EAP", "ZP"])
def test_item_missing_codes_at_small_rates(raw_waves, sample):
    study = load_study(sample)
    codes = study.wave("t1").table_schema.field("fk_1").missing_codes
    values = pd.concat([raw_waves[sample][w][[i for s in study.competence_scales for i in s.items]].stack() for w in ("t1", "t3", "t4")])
    share = values.isin(codes).mean()
    assert 0.005 < share < 0.03
    assert set(np.unique(values[~values.isin(codes)])) == {1, 2, 3, 4, 5}


@pytest.mark.parametrize("sample", ["EAP", "ZP"])
def test_codes_and_typos(raw_waves, panels, sample):
    records = pd.concat([raw_waves[sample][w].assign(wave=w) for w in ("t1", "t3", "t4")], ignore_index=True)
    normalised = records["code"].str.strip().str.upper()
    clean = normalised.str.match(CODE)
    persons = panels[sample][1].wide.shape[0]
    later = len(records) - persons
    # every edit typo adds one distinct code (at most one typo per person); case and blanks do not
    edits = normalised.nunique() - persons
    changed = edits + (records["code"] != normalised).sum()
    # about 4 % of later records carry a typo (edits, case or blanks)
    assert 0.03 <= changed / later <= 0.05
    assert edits > 0 and (~clean).sum() > 0
    for wave in ("t1", "t3", "t4"):
        assert raw_waves[sample][wave]["code"].is_unique
    # tolerant linkage recovers every typo: persons after linkage equal the design
    assert persons == {"EAP": 1737, "ZP": 488}[sample]
    assert not records["code"].str.contains(r"[^A-Za-z0-9 ]").any()


def test_age_grows_and_demographics_stay_constant(panels, raw_waves):
    t1, t4 = raw_waves["EAP"]["t1"], raw_waves["EAP"]["t4"]
    both = t1.merge(t4, on="code", suffixes=("_1", "_4"))
    assert len(both) > 150
    assert (both["gender_1"] == both["gender_4"]).all() and (both["abschluss_1"] == both["abschluss_4"]).all()
    valid = (both["age_1"] > 0) & (both["age_4"] > 0)
    assert both.loc[valid, "age_4"].sub(both.loc[valid, "age_1"]).isin([1, 2]).all()
