"""build_panel: accounting of every row, wide/long shape, growth data, a fourth wave, no identifiers out."""

import math
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilb_eval.exceptions import InputError, MissingDataWarning
from ilb_eval.prep import EXCLUSION_REASONS, LINKAGE_COLUMNS, build_panel, growth_data


def _blank(frame, row, study, wave):
    """Every answer of a row set to the 'keine Antwort' code (-9); the identifier stays."""
    numeric = [f.name for f in study.wave(wave).table_schema.fields if f.is_numeric]
    frame.loc[row, numeric] = -9.0
    return frame


@pytest.fixture
def messy_waves(eap, io_wave):
    t1 = io_wave(eap, "t1", ["AA11", "BB22", "CC33", "", "DUP9", "dup 9", "EE55"], be_1=[5, 4, 3, 2, 1, 1, 2])
    _blank(t1, 4, eap, "t1")  # CC33 answered nothing
    t3 = io_wave(eap, "t3", ["AA11", "BB22", "BB22", "FF66"])
    _blank(t3, 3, eap, "t3")  # BB22 twice, but one submission is empty: the other one is used
    t4 = io_wave(eap, "t4", ["AA11", "GG77"])
    return {"t1": t1, "t3": t3, "t4": t4}


def test_every_row_is_accounted_for(eap, messy_waves):
    with pytest.warns(MissingDataWarning):
        panel = build_panel(eap, messy_waves)
    exclusions = panel.exclusions.set_index(["wave", "reason"])["rows"]
    assert list(panel.exclusions.columns) == ["wave", "reason", "rows"]
    assert exclusions[("t1", "no_answers")] == 1
    assert exclusions[("t1", "missing_code")] == 1
    assert exclusions[("t1", "duplicate_code")] == 2
    assert exclusions[("t3", "no_answers")] == 1 and exclusions[("t3", "duplicate_code")] == 0
    accounting = panel.accounting.set_index("wave")
    for wave, frame in messy_waves.items():
        n_excluded = sum(exclusions[(wave, r)] for r in EXCLUSION_REASONS)
        assert accounting.loc[wave, "n_in"] == len(frame) == accounting.loc[wave, "n_analysed"] + n_excluded
        assert (panel.long["wave"] == wave).sum() == accounting.loc[wave, "n_analysed"]
    assert accounting["n_analysed"].tolist() == [3, 3, 2]
    # rows of the long frame are the analysed spreadsheet rows
    assert panel.long.loc[panel.long["wave"] == "t1", "row"].tolist() == [2, 3, 8]
    assert panel.long.loc[panel.long["wave"] == "t3", "row"].tolist() == [2, 4, 5]


def test_wide_and_long_shape(eap, messy_waves):
    with pytest.warns(MissingDataWarning):
        panel = build_panel(eap, messy_waves)
    wide = panel.wide
    # AA11, BB22, EE55 (t1), FF66 (t3), GG77 (t4)
    assert wide["person"].tolist() == [1, 2, 3, 4, 5]
    assert wide[["present_t1", "present_t3", "present_t4"]].values.tolist() == [
        [True, True, True], [True, True, False], [True, False, False], [False, True, False], [False, False, True],
    ]
    for scale in eap.scales:
        for wave in scale.waves:
            assert f"{scale.name}_{wave}" in wide
    assert "zuf_freistellung_t3" in wide and "zuf_freistellung_t4" in wide and "zuf_freistellung_t1" not in wide
    assert "lk_dauer_t3" in wide and "lk_dauer_t4" not in wide
    assert {"ilb_termine_t1", "ilb_modus_t3", "ilb_dauer_monate_t4"} <= set(wide.columns)
    assert {"age40", "female", "program", "degree", "ilb", "ilb_first_wave"} <= set(wide.columns)
    assert wide["person"].is_unique and len(wide) == 5
    # belastbarkeit at t1 for AA11: be_1 = 5, be_2 = be_3 = 1 (first category), be_4 = 1 reversed -> 5
    # (5 + 1 + 1 + 5) / 4 = 3
    assert wide.loc[0, "belastbarkeit_t1"] == pytest.approx(3.0)
    assert math.isnan(wide.loc[3, "belastbarkeit_t1"])
    long = panel.long
    assert list(long.columns[:4]) == ["person", "wave", "time_score", "row"]
    assert long.groupby("person")["wave"].apply(list).tolist() == [["t1", "t3", "t4"], ["t1", "t3"], ["t1"], ["t3"], ["t4"]]
    assert long.loc[long["wave"] == "t3", "time_score"].unique().tolist() == [2.0]
    assert list(panel.linkage.columns) == list(LINKAGE_COLUMNS)
    scale_counts = panel.scale_counts.set_index(["scale", "wave"])
    assert scale_counts.loc[("belastbarkeit", "t1"), "n_rows"] == 3
    assert set(panel.items) == {"t1", "t3", "t4"} and "person" in panel.items["t1"]


def test_growth_data(eap, messy_waves):
    with pytest.warns(MissingDataWarning):
        panel = build_panel(eap, messy_waves)
    data = growth_data(panel, "belastbarkeit")
    assert list(data.columns) == ["person", "t1", "t3", "t4", "age40", "female", "program", "degree", "ilb"]
    assert data.attrs["time_scores"] == [0.0, 2.0, 3.0]
    assert data["person"].tolist() == [1, 2, 3, 4, 5]
    with pytest.raises(KeyError, match="no scores of scale"):
        growth_data(panel, "nonsense")


def test_no_identifier_reaches_any_output(eap, io_wave):
    canaries = ["CANARY01", "canary 02", "Canary-03"]
    waves = {
        "t1": io_wave(eap, "t1", canaries + ["CANARY01"], gender=[1, 1, 2, 2]),  # a duplicate, reported
        "t3": io_wave(eap, "t3", ["canary02", "CANARY-04"], gender=[2, 1]),  # a conflict, reported
        "t4": io_wave(eap, "t4", ["Canary-O3"]),
    }
    with pytest.warns(MissingDataWarning) as caught:
        panel = build_panel(eap, waves)
    texts = [str(w.message) for w in caught] + [p.one_line() for p in panel.problems] + [repr(p) for p in panel.problems]
    for name in ("wide", "long", "linkage", "exclusions", "accounting", "scale_counts", "covariate_counts", "missing"):
        texts.append(getattr(panel, name).to_csv())
    texts += [frame.to_csv() for frame in panel.items.values()]
    blob = "\n".join(texts).casefold()
    assert "canary" not in blob


def test_a_fifth_wave_needs_no_code_change(study_copy, io_wave):
    def add_t5(document, tables):
        document["waves"].append({"name": "t5", "time_score": 4, "file": "eap_t5.csv", "table_schema": "eap_t5.table.json"})
        for scale in document["scales"]:
            scale["waves"].append("t5")
        document["ilb_details"]["waves"].append("t5")
        document["ilb_use"]["up_to_wave"] = "t5"
        t5 = {**tables["eap_t4.table.json"], "name": "eap_t5", "wave": "t5", "title": "EAP t5"}
        tables["eap_t5.table.json"] = t5

    study = study_copy("eap", add_t5)
    assert study.wave_names == ("t1", "t3", "t4", "t5")
    waves = {
        "t1": io_wave(study, "t1", ["AA11", "BB22"]),
        "t3": io_wave(study, "t3", ["AA11"]),
        "t4": io_wave(study, "t4", ["BB22"]),
        "t5": io_wave(study, "t5", ["AA11", "BB22", "CC33"], ilb_genutzt=[1, 0, 0]),
    }
    panel = build_panel(study, waves)
    assert panel.waves == ("t1", "t3", "t4", "t5")
    assert panel.wide["present_t5"].tolist() == [True, True, True]
    assert {f"{s.name}_t5" for s in study.scales} <= set(panel.wide.columns)
    assert "ilb_termine_t5" in panel.wide and "zuf_inhalte_t5" not in panel.wide  # the block stays at t3, t4
    assert len(panel.linkage) == 6  # wave pairs of four waves
    assert panel.accounting["n_analysed"].tolist() == [2, 1, 1, 3]
    assert panel.wide["ilb_first_wave"].fillna("-").tolist() == ["t5", "-", "-"]
    assert panel.wide["ilb"].tolist() == [1, 0, 0]
    data = growth_data(panel, "belastbarkeit")
    assert list(data.columns[1:5]) == ["t1", "t3", "t4", "t5"] and data.attrs["time_scores"] == [0.0, 2.0, 3.0, 4.0]


def test_input_errors_name_every_problem(eap, io_wave):
    t1 = io_wave(eap, "t1", ["AA11"]).drop(columns=["age"])
    with pytest.raises(InputError) as info:
        build_panel(eap, {"t1": t1, "t3": io_wave(eap, "t3", ["AA11"]), "t9": t1})
    assert sorted(p.code for p in info.value.problems) == ["MISSING_COLUMN", "MISSING_WAVE", "UNKNOWN_WAVE"]


def test_wave_tables_are_accepted(eap, io_wave):
    waves = {w: SimpleNamespace(frame=io_wave(eap, w, ["AA11"]), file=f"{w}.csv") for w in eap.wave_names}
    panel = build_panel(eap, waves)
    assert panel.wide["person"].tolist() == [1] and panel.wide[["present_t1", "present_t4"]].all(axis=None)


def test_missing_counts_by_reason(eap, io_wave):
    t1 = io_wave(eap, "t1", ["AA11", "BB22", "CC33"], fk_1=[-9, -1, np.nan])
    panel = build_panel(eap, {"t1": t1, "t3": io_wave(eap, "t3", ["AA11"]), "t4": io_wave(eap, "t4", ["AA11"])})
    fk_1 = panel.missing.query("wave == 't1' and field == 'fk_1'").set_index("reason")["n"]
    assert fk_1.to_dict() == {"keine Antwort": 1, "weiß nicht": 1, "empty": 1}


_ROW = st.tuples(st.sampled_from(["AB12", "ab 12", "AB13", "CD34", "", "EF56", "ef56 "]), st.booleans(),
                 st.sampled_from([1.0, 2.0, -9.0]))


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_ROW, max_size=6), st.lists(_ROW, max_size=6), st.lists(_ROW, max_size=6))
def test_accounting_holds_for_any_mix_of_rows(eap, io_wave, t1, t3, t4):
    waves = {}
    for wave, rows in (("t1", t1), ("t3", t3), ("t4", t4)):
        frame = io_wave(eap, wave, [code for code, _, _ in rows], gender=[g for _, _, g in rows])
        for row, (_, blank, _) in zip(frame.index, rows, strict=True):
            if blank:
                _blank(frame, row, eap, wave)
        waves[wave] = frame
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingDataWarning)
        panel = build_panel(eap, waves)
    exclusions = panel.exclusions.groupby("wave")["rows"].sum()
    for wave, rows in (("t1", t1), ("t3", t3), ("t4", t4)):
        analysed = panel.long.loc[panel.long["wave"] == wave, "row"]
        assert len(rows) == len(analysed) + exclusions[wave]
        assert analysed.is_unique
        no_answers = panel.exclusions.set_index(["wave", "reason"]).loc[(wave, "no_answers"), "rows"]
        assert no_answers == sum(blank for _, blank, _ in rows)
    assert panel.wide["person"].tolist() == list(range(1, len(panel.wide) + 1))
    assert set(panel.long["person"]) == set(panel.wide["person"])
