"""Covariate coding, time-constant values with conflicts, and the iLB group."""

import math

import numpy as np
import pandas as pd
import pytest

from ilb_eval.exceptions import MissingDataWarning
from ilb_eval.prep import build_panel, code_covariate, first_per_person


def test_threshold_coding(eap):
    age40 = next(c for c in eap.covariates if c.name == "age40")
    coded, reason = code_covariate(pd.Series([39.0, 40.0, 41.0, np.nan]), age40)
    assert coded.tolist()[:3] == [0.0, 1.0, 1.0] and math.isnan(coded.iloc[3])
    assert reason.tolist() == [pd.NA, pd.NA, pd.NA, "missing"]


def test_map_coding_leaves_other_categories_missing_with_reason(eap):
    female = next(c for c in eap.covariates if c.name == "female")
    coded, reason = code_covariate(pd.Series([1.0, 2.0, 3.0]), female, {1: "männlich", 2: "weiblich", 3: "divers"})
    assert coded.tolist()[:2] == [0.0, 1.0] and math.isnan(coded.iloc[2])
    assert reason.tolist() == [pd.NA, pd.NA, "not coded: divers"]


def test_first_value_in_wave_order_and_conflicts():
    long = pd.DataFrame({
        "person": [1, 1, 2, 2, 3, 3],
        "wave_pos": [1, 0, 0, 2, 0, 1],  # unsorted on purpose
        "row": [7, 2, 3, 4, 5, 9],
        "x": [2.0, np.nan, 1.0, 2.0, 1.0, 1.0],
    })
    value, conflicts = first_per_person(long, "x", check_conflicts=True)
    assert value.loc[1] == 2.0 and math.isnan(value.loc[2]) and value.loc[3] == 1.0
    assert conflicts[["wave_pos", "row"]].values.tolist() == [[0, 3], [2, 4]]
    value, conflicts = first_per_person(long, "x", check_conflicts=False)
    assert value.loc[2] == 1.0 and conflicts.empty


@pytest.fixture
def demographic_waves(eap, io_wave):
    # persons: AA11 consistent, BB22 gender 1 at t1 then 2, CC33 age missing at t1, DD44 divers, EE55 age 39 -> 41
    t1 = io_wave(eap, "t1", ["AA11", "BB22", "CC33", "DD44", "EE55"],
                 gender=[2, 1, 2, 3, 1], age=[45, 30, -9, 30, 39], ilb_genutzt=[0, 0, -9, 0, 0])
    t3 = io_wave(eap, "t3", ["AA11", "BB22", "CC33", "EE55"],
                 gender=[2, 2, 2, 1], age=[46, 31, 41, 41], ilb_genutzt=[1, 0, -9, 0])
    t4 = io_wave(eap, "t4", ["AA11", "BB22", "XX66"], gender=[2, 2, 1], age=[47, 32, 50], ilb_genutzt=[1, 1, -1])
    return {"t1": t1, "t3": t3, "t4": t4}


def test_conflicting_demographics_are_reported_and_set_missing(eap, demographic_waves):
    with pytest.warns(MissingDataWarning, match="CONFLICTING_VALUES"):
        panel = build_panel(eap, demographic_waves)
    wide = panel.wide.set_index("person")
    # persons are numbered by first wave and row: AA11=1, BB22=2, CC33=3, DD44=4, EE55=5, XX66=6
    assert wide.loc[1, "female"] == 1.0 and math.isnan(wide.loc[2, "female"]) and math.isnan(wide.loc[2, "gender"])
    conflicts = [p for p in panel.problems if p.code == "CONFLICTING_VALUES"]
    assert [(p.file, p.column, p.rows, p.severity) for p in conflicts] == [
        ("eap_t1.csv", "gender", (3,), "warning"),
        ("eap_t3.csv", "gender", (3,), "warning"),
        ("eap_t4.csv", "gender", (3,), "warning"),
    ]
    assert "t1, t3, t4" in conflicts[0].message and "female" in conflicts[0].message
    counts = panel.covariate_counts.set_index(["covariate", "reason"])["persons"]
    assert counts[("female", "conflicting waves")] == 1
    assert counts[("female", "not coded: divers")] == 1
    assert counts[("female", "coded")] == 4
    assert math.isnan(wide.loc[4, "female"]) and wide.loc[4, "gender"] == 3.0


def test_age40_from_the_first_wave_answered(eap, demographic_waves):
    with pytest.warns(MissingDataWarning):
        panel = build_panel(eap, demographic_waves)
    wide = panel.wide.set_index("person")
    assert wide.loc[3, "age40"] == 1.0 and wide.loc[3, "age"] == 41.0  # missing at t1, 41 at t3
    assert wide.loc[5, "age40"] == 0.0 and wide.loc[5, "age"] == 39.0  # 39 at t1: no conflict for age
    assert not [p for p in panel.problems if p.column == "age"]


def test_reported_ilb_use(eap, demographic_waves):
    with pytest.warns(MissingDataWarning):
        panel = build_panel(eap, demographic_waves)
    wide = panel.wide.set_index("person")
    assert (wide.loc[1, "ilb"], wide.loc[1, "ilb_first_wave"]) == (1, "t3")
    assert (wide.loc[2, "ilb"], wide.loc[2, "ilb_first_wave"]) == (1, "t4")
    assert wide.loc[5, "ilb"] == 0 and pd.isna(wide.loc[5, "ilb_first_wave"])
    # CC33 never answered, XX66 answered "weiß nicht": control group, counted in a note per wave
    assert wide.loc[3, "ilb"] == 0 and wide.loc[6, "ilb"] == 0
    notes = [p for p in panel.problems if p.code == "ILB_USE_UNKNOWN"]
    assert [(p.file, p.rows, p.severity) for p in notes] == [
        ("eap_t1.csv", (4,), "note"), ("eap_t3.csv", (4,), "note"), ("eap_t4.csv", (4,), "note"),
    ]
    assert "2 persons" in notes[0].message
    long = panel.long.set_index(["person", "wave"])
    assert long.loc[(2, "t1"), "ilb"] == 1 and long.loc[(2, "t1"), "ilb_first_wave"] == "t4"


def test_ilb_use_only_up_to_the_configured_wave(study_copy, io_wave):
    def up_to_t3(document, tables):
        document["ilb_use"]["up_to_wave"] = "t3"

    study = study_copy("eap", up_to_t3)
    waves = {
        "t1": io_wave(study, "t1", ["AA11", "BB22"], ilb_genutzt=[0, 0]),
        "t3": io_wave(study, "t3", ["AA11", "BB22"], ilb_genutzt=[1, 0]),
        "t4": io_wave(study, "t4", ["AA11", "BB22"], ilb_genutzt=[1, 1]),
    }
    wide = build_panel(study, waves).wide.set_index("person")
    assert wide["ilb"].tolist() == [1, 0]


def test_everyone_uses_ilb_from_their_first_wave(zp, io_wave):
    waves = {"t1": io_wave(zp, "t1", ["AA11"]), "t3": io_wave(zp, "t3", ["AA11", "BB22"]), "t4": io_wave(zp, "t4", ["CC33"])}
    wide = build_panel(zp, waves).wide.set_index("person")
    assert wide["ilb"].tolist() == [1, 1, 1]
    assert wide["ilb_first_wave"].tolist() == ["t1", "t3", "t4"]
