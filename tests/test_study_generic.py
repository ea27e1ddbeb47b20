"""A generic study (issue 17, item 3): any number of waves >= 2 with free names, no control
group, no iLB-use fields, no item blocks, no covariates; a per-wave rename of export columns;
a wave left out of a scale is a validation warning naming both. The studies are copies of the
shipped ZP/EAP definitions, edited in tmp_path; the data are the shipped example exports."""

from __future__ import annotations

import json
import shutil
import warnings

import pandas as pd

from ilb_eval.io import load_waves, validate_study_data
from ilb_eval.prep import build_panel, growth_data
from ilb_eval.resources import example_dir, schemas_dir
from ilb_eval.study import coverage_warnings, load_study

GENERIC_PARTS = ("ilb_use", "has_control_group", "item_blocks", "ilb_details", "covariates", "demographics",
                 "min_cell_size", "time", "domains")


def _copy(tmp_path, sample: str, edit) -> object:
    """Copy a shipped study and its table schemas into tmp_path, edit them, load the copy."""
    document = json.loads((schemas_dir() / f"{sample}.study.json").read_text(encoding="utf-8"))
    tables = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in schemas_dir().glob(f"{sample}_*.table.json")}
    edit(document, tables)
    for name, table in tables.items():
        (tmp_path / name).write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    path = tmp_path / f"{sample}.study.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return load_study(path)


def _pre_post(document, tables):
    """ZP as a two-wave study 'pre'/'post' (files zp_t1.sav, zp_t4.sav) with nothing optional."""
    for part in GENERIC_PARTS:
        document.pop(part, None)
    document["person_id"].pop("tolerant_linkage")
    first, last = document["waves"][0], document["waves"][2]
    first.update(name="pre", time_score=0, label={"de": "vorher", "en": "before"})
    last.update(name="post", time_score=1)
    last.pop("label")
    document["waves"] = [first, last]
    for scale in document["scales"]:
        scale["waves"] = ["pre", "post"]
        scale.pop("domain", None)
    tables["zp_t1.table.json"]["wave"] = "pre"
    tables["zp_t4.table.json"]["wave"] = "post"


def test_two_waves_with_free_names_and_no_optional_parts_load(tmp_path):
    study = _copy(tmp_path, "zp", _pre_post)
    assert study.wave_names == ("pre", "post") and study.time_scores == (0.0, 1.0)
    assert study.ilb_use is None and not study.has_ilb_use and study.has_control_group is False
    assert study.covariates == () and study.item_blocks == {} and study.demographics == {}
    assert study.ilb_details == {} and study.domains == {} and study.time_note is None
    assert not study.has_item_blocks and not study.has_ilb_details
    assert study.min_cell_size == 10
    assert study.wave("post").label == {"de": "post", "en": "post"}


def test_two_wave_study_without_control_group_validates_and_builds_a_panel(tmp_path):
    study = _copy(tmp_path, "zp", _pre_post)
    report = validate_study_data(study, example_dir())
    assert report.ok, report.as_text()
    assert [f.file for f in report.files] == ["zp_t1.sav", "zp_t4.sav"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the linkage is exact only (no tolerant linkage declared)
        panel = build_panel(study, load_waves(study, example_dir()))
    assert panel.waves == ("pre", "post")
    assert {"present_pre", "present_post", "belastbarkeit_pre", "belastbarkeit_post"} <= set(panel.wide.columns)
    assert panel.wide["ilb"].isna().all() and panel.wide["ilb_first_wave"].isna().all()
    data = growth_data(panel, "belastbarkeit")
    assert list(data.columns[1:3]) == ["pre", "post"] and data.attrs["time_scores"] == [0.0, 1.0]
    # the ZP t1 file holds 488 persons' first answers: every row of it is a person of the panel
    assert int(panel.wide["present_pre"].sum()) == int(panel.accounting.set_index("wave").loc["pre", "n_analysed"])


def _four_waves(document, tables):
    """EAP with a fourth wave 'w5' read from the t4 file; only two scales list it."""
    t4 = document["waves"][2]
    document["waves"].append({**t4, "name": "w5", "time_score": 5, "table_schema": "eap_w5.table.json"})
    for scale in document["scales"][:2]:
        scale["waves"].append("w5")
    tables["eap_w5.table.json"] = {**tables["eap_t4.table.json"], "name": "eap_w5", "wave": "w5"}


def test_a_wave_missing_from_scales_is_a_validation_warning_naming_both(tmp_path):
    study = _copy(tmp_path, "eap", _four_waves)
    assert study.wave_names == ("t1", "t3", "t4", "w5")
    (warning,) = coverage_warnings(study)
    assert warning.code == "WAVE_NOT_IN_SCALE" and warning.severity == "warning"
    assert "wave 'w5'" in warning.message and "'belastbarkeit'" in warning.message
    assert "'fachkompetenz'" not in warning.message  # the first two scales list w5
    assert "8 of 10 scales" in warning.found and '"w5"' in warning.fix and "$.scales[2].waves" in warning.fix
    report = validate_study_data(study, example_dir())
    assert report.ok and [p.code for p in report.study_problems] == ["WAVE_NOT_IN_SCALE"]
    assert "warning [WAVE_NOT_IN_SCALE] eap.study.json: wave 'w5'" in report.as_text()


def test_rename_reads_export_columns_under_study_field_names(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for wave in ("t1", "t3", "t4"):
        shutil.copy(example_dir() / f"zp_{wave}.sav", data / f"zp_{wave}.sav")

    def rename_items(document, tables):
        document["waves"][0]["rename"] = {"BE01_01": "be_1", "BE01_02": "be_2"}

    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(example_dir() / "zp_t1.sav"), user_missing=True)
    frame = frame.rename(columns={"be_1": "BE01_01", "be_2": "BE01_02"})
    pyreadstat.write_sav(frame, str(data / "zp_t1.sav"), missing_ranges={
        {"be_1": "BE01_01", "be_2": "BE01_02"}.get(k, k): v for k, v in meta.missing_ranges.items()})
    study = _copy(tmp_path, "zp", rename_items)
    report = validate_study_data(study, data)
    assert report.ok, report.as_text()
    original = load_waves(load_study("ZP"), example_dir())["t1"].frame
    renamed = report.tables["t1"].frame
    pd.testing.assert_frame_equal(renamed[["be_1", "be_2"]], original[["be_1", "be_2"]])
    # without the rename the columns are missing, and the message names the export column looked for
    shutil.copy(example_dir() / "zp_t1.sav", data / "zp_t1.sav")
    missing = [p for p in validate_study_data(study, data).errors if p.column == "be_1"]
    assert missing and "looked for the export column 'BE01_01'" in missing[0].message
    assert "the file has a column 'be_1' itself" in missing[0].message and '"BE01_01"' in missing[0].fix


def test_an_undeclared_wave_file_is_found_for_any_numbered_wave_names(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for wave in ("t1", "t4"):
        shutil.copy(example_dir() / f"zp_{wave}.sav", data / f"zp_{wave}.sav")

    def numbered(document, tables):
        _pre_post(document, tables)
        document["waves"][0].update(name="wave1", file="zp_wave1.sav")
        document["waves"][1].update(name="wave2", file="zp_wave2.sav")
        for scale in document["scales"]:
            scale["waves"] = ["wave1", "wave2"]
        tables["zp_t1.table.json"]["wave"] = "wave1"
        tables["zp_t4.table.json"]["wave"] = "wave2"

    study = _copy(tmp_path, "zp", numbered)
    for name, source in (("zp_wave1.sav", "zp_t1.sav"), ("zp_wave2.sav", "zp_t4.sav"), ("zp_wave3.sav", "zp_t4.sav")):
        shutil.copy(data / source, data / name)
    report = validate_study_data(study, data)
    assert report.ok and [(p.code, p.file) for p in report.study_problems] == [("UNEXPECTED_FILE", "zp_wave3.sav")]
