"""The study loader: profile violations name the JSON path, inconsistencies are all
reported, and a new wave (t5) is configuration only. Edits are made to copies in tmp_path."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable

import pytest

from ilb_eval.exceptions import StudyDefinitionError
from ilb_eval.resources import schemas_dir
from ilb_eval.study import available_studies, load_study

Edit = Callable[[dict], None]


def copy_definitions(tmp_path, study: Edit | None = None, tables: dict[str, Edit] | None = None, name="eap"):
    """Copy the shipped definitions, apply the edits to the copies, return the study path."""
    for source in schemas_dir().glob("*.json"):
        shutil.copy(source, tmp_path / source.name)
    for file, edit in (tables or {}).items():
        path = tmp_path / file
        document = json.loads(path.read_text(encoding="utf-8"))
        edit(document)
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    path = tmp_path / f"{name}.study.json"
    if study is not None:
        document = json.loads(path.read_text(encoding="utf-8"))
        study(document)
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def error_of(path) -> str:
    with pytest.raises(StudyDefinitionError) as caught:
        load_study(path)
    return str(caught.value)


def test_shipped_studies_load():
    assert available_studies() == ["EAP", "ZP"]
    for name in available_studies():
        study = load_study(name)
        assert study.wave_names == ("t1", "t3", "t4") and study.time_scores == (0.0, 2.0, 3.0)
        assert len(study.sha256) == 64


def test_unknown_study_name():
    assert "Unknown study 'XYZ'" in str(pytest.raises(StudyDefinitionError, load_study, "XYZ").value)


# -- profile violations: one per class, each names the JSON path -----------------------

def _set(path: list, value) -> Edit:
    def edit(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return edit


def _delete(key: str) -> Edit:
    return lambda document: document.pop(key)


STUDY_VIOLATIONS = [
    ("required", _delete("scales"), "$: 'scales' is a required property"),
    ("type", _set(["waves", 0, "time_score"], "zero"), "$.waves[0].time_score: 'zero' is not of type 'number'"),
    ("enum", _set(["person_id", "kind"], "name"), "$.person_id.kind: 'name' is not one of"),
    ("pattern", _set(["waves", 1, "name"], "3-w"), "$.waves[1].name: '3-w' does not match"),
    ("path in file name", _set(["waves", 0, "file"], "../eap_t1.csv"), "$.waves[0].file"),
    ("additional property", _set(["colour"], "red"), "$: Additional properties are not allowed ('colour'"),
    ("minItems", lambda d: d.update(waves=d["waves"][:1]), "$.waves: [{"),
    ("const", _set(["profile"], "ilb-study/2"), "$.profile"),
    ("dialect enum", _set(["waves", 0, "dialect", "encoding"], "latin-1"), "$.waves[0].dialect.encoding"),
    ("label", _set(["title"], {"de": "Titel"}), "$.title: 'en' is a required property"),
    ("maximum", _set(["person_id", "tolerant_linkage", "max_differences"], 5), "$.person_id.tolerant_linkage.max_differences"),
]


@pytest.mark.parametrize("case, edit, expected", STUDY_VIOLATIONS, ids=[c[0] for c in STUDY_VIOLATIONS])
def test_study_profile_violation_names_json_path(tmp_path, case, edit, expected):
    message = error_of(copy_definitions(tmp_path, study=edit))
    assert "eap.study.json" in message and expected in message


TABLE_VIOLATIONS = [
    ("type enum", _set(["fields", 3, "type"], "date"), "$.fields[3].type: 'date' is not one of"),
    ("name pattern", _set(["fields", 2, "name"], "Age"), "$.fields[2].name: 'Age' does not match"),
    ("constraint key", _set(["fields", 2, "constraints", "pattern"], "x"), "$.fields[2].constraints: Additional properties"),
    ("primaryKey maxItems", _set(["primaryKey"], ["code", "age"]), "$.primaryKey"),
    ("coded value", _set(["fields", 1, "missingValues"], [{"value": -9}]), "$.fields[1].missingValues[0]: 'label' is a required property"),
    ("wave pattern", _set(["wave"], "t 1"), "$.wave: 't 1' does not match"),
]


@pytest.mark.parametrize("case, edit, expected", TABLE_VIOLATIONS, ids=[c[0] for c in TABLE_VIOLATIONS])
def test_table_profile_violation_names_json_path(tmp_path, case, edit, expected):
    message = error_of(copy_definitions(tmp_path, tables={"eap_t1.table.json": edit}))
    assert "eap_t1.table.json" in message and expected in message


def test_several_violations_are_reported_together(tmp_path):
    def edit(document):
        document["waves"][0]["time_score"] = "zero"
        document["person_id"]["kind"] = "name"
    message = error_of(copy_definitions(tmp_path, study=edit))
    assert message.startswith("2 problem(s)") and "$.waves[0].time_score" in message and "$.person_id.kind" in message


def test_invalid_json_names_line_and_column(tmp_path):
    path = copy_definitions(tmp_path)
    path.write_text('{\n  "profile": "ilb-study/1",\n  "name": \n}\n', encoding="utf-8")
    message = error_of(path)
    assert "eap.study.json: not valid JSON at line 4, column 1" in message


def test_missing_table_schema_file(tmp_path):
    path = copy_definitions(tmp_path)
    (tmp_path / "eap_t3.table.json").unlink()
    assert "eap_t3.table.json: file not found" in error_of(path)


# -- inconsistencies the JSON Schema cannot express -------------------------------------

def _scale(index: int, key: str, value) -> Edit:
    return _set(["scales", index, key], value)


def _rename_wave_of_table(document):
    document["wave"] = "t4"


INCONSISTENCIES = [
    ("wave names unique", lambda d: d["waves"][1].update(name="t1"), "$.waves: wave names ['t1', 't1', 't4'] are not unique"),
    ("time scores increase", _set(["waves", 2, "time_score"], 1), "$.waves: time scores [0.0, 2.0, 1.0] must increase"),
    ("person id declared", _set(["person_id", "field"], "pseudonym"), "$.person_id.field: 'pseudonym' is not declared in eap_t1.table.json"),
    ("check fields declared", _set(["person_id", "tolerant_linkage", "check_fields"], ["gender", "birth"]),
     "$.person_id.tolerant_linkage.check_fields: 'birth' is not declared"),
    ("covariate source", _set(["covariates", 0, "source"], "alter"), "$.covariates[0].source: 'alter' is not declared"),
    ("ilb_use field", _set(["ilb_use", "field"], "ilb"), "$.ilb_use.field: 'ilb' is not declared"),
    ("up_to_wave", _set(["ilb_use", "up_to_wave"], "t2"), "$.ilb_use.up_to_wave: 't2' is not one of the waves"),
    ("scale range", _scale(0, "range", [5, 1]), "$.scales[0].range: lower bound 5.0 must be below upper bound 1.0"),
    ("reverse items", _scale(0, "reverse", ["re_1"]), "$.scales[0].reverse: ['re_1'] are not items of scale 'fachkompetenz'"),
    ("min_valid", _scale(0, "min_valid", 9), "$.scales[0].min_valid: 9 exceeds the 4 items"),
    ("scale waves", _scale(0, "waves", ["t1", "t2"]), "$.scales[0].waves: 't2' is not a wave of the study"),
    ("scale items declared", _scale(0, "items", ["fk_1", "fk_2", "fk_3", "fk_4", "fk_5"]),
     "$.scales[0].items: ['fk_5'] are not declared in eap_t1.table.json"),
    ("item block wave", _set(["item_blocks", "satisfaction", "waves"], ["t3", "t9"]),
     "$.item_blocks.satisfaction.waves: 't9' is not a wave of the study"),
    ("item block items", _set(["item_blocks", "satisfaction", "waves"], ["t1", "t3"]),
     "$.item_blocks.satisfaction.items: ['zuf_dauer_termine'"),
    ("rename to an undeclared field", _set(["waves", 0, "rename"], {"FK01_01": "fk_9"}),
     "$.waves[0].rename: 'FK01_01' is renamed to 'fk_9', which is not declared in eap_t1.table.json"),
    ("rename twice to one field", _set(["waves", 0, "rename"], {"FK01_01": "fk_1", "FK1": "fk_1"}),
     "$.waves[0].rename: more than one export column is renamed to ['fk_1']"),
    ("rename hides a declared field", _set(["waves", 0, "rename"], {"fk_2": "fk_1"}),
     "$.waves[0].rename: 'fk_2' is renamed to 'fk_1', but eap_t1.table.json also declares a field 'fk_2'"),
    ("control group without ilb_use", _delete("ilb_use"),
     "$.has_control_group: a control group needs an ilb_use of kind 'reported'"),
]


@pytest.mark.parametrize("case, edit, expected", INCONSISTENCIES, ids=[c[0] for c in INCONSISTENCIES])
def test_inconsistency_is_reported(tmp_path, case, edit, expected):
    message = error_of(copy_definitions(tmp_path, study=edit))
    assert message.startswith("eap.study.json: ") and expected in message


def test_table_schema_for_another_wave(tmp_path):
    message = error_of(copy_definitions(tmp_path, tables={"eap_t3.table.json": _rename_wave_of_table}))
    assert "$.waves[1].table_schema: eap_t3.table.json is for wave 't4', not 't3'" in message


def test_field_scale_disagrees_with_study(tmp_path):
    message = error_of(copy_definitions(tmp_path, tables={"eap_t1.table.json": _set(["fields", 12, "ilb:scale"], "integration")}))
    assert "field 'fk_1' says ilb:scale 'integration'" in message


def test_primary_key_must_be_person_id(tmp_path):
    message = error_of(copy_definitions(tmp_path, tables={"eap_t4.table.json": _set(["primaryKey"], ["age"])}))
    assert "eap_t4.table.json: $.primaryKey must be the person identifier 'code'" in message


def test_duplicate_and_unknown_fields_in_table_schema(tmp_path):
    duplicate = error_of(copy_definitions(tmp_path, tables={"eap_t1.table.json": lambda d: d["fields"].append(dict(d["fields"][1]))}))
    assert "eap_t1.table.json: $.fields declares ['gender'] more than once" in duplicate
    unknown = error_of(copy_definitions(tmp_path, tables={"eap_t1.table.json": _set(["primaryKey"], ["nobody"])}))
    assert "$.primaryKey names 'nobody', which is not a field" in unknown


def test_all_inconsistencies_are_reported_together(tmp_path):
    def edit(document):
        document["ilb_use"]["up_to_wave"] = "t2"
        document["scales"][0]["min_valid"] = 9
        document["covariates"][0]["source"] = "alter"
    message = error_of(copy_definitions(tmp_path, study=edit))
    assert "inconsistency(ies)" in message
    for part in ("$.ilb_use.up_to_wave", "$.scales[0].min_valid", "$.covariates[0].source"):
        assert part in message


# -- a new wave is configuration only ---------------------------------------------------

def test_t5_wave_in_a_copy_loads_without_code_change(tmp_path):
    def add_t5(document):
        t4 = next(w for w in document["waves"] if w["name"] == "t4")
        document["waves"].append({**t4, "name": "t5", "time_score": 4, "file": "eap_t5.csv",
                                  "table_schema": "eap_t5.table.json"})
        for scale in document["scales"]:
            scale["waves"].append("t5")

    path = copy_definitions(tmp_path, study=add_t5)
    table = json.loads((tmp_path / "eap_t4.table.json").read_text(encoding="utf-8"))
    table.update(name="eap_t5", wave="t5")
    (tmp_path / "eap_t5.table.json").write_text(json.dumps(table), encoding="utf-8")
    study = load_study(path)
    assert study.wave_names == ("t1", "t3", "t4", "t5")
    assert study.time_scores == (0.0, 2.0, 3.0, 4.0)
    assert study.wave("t5").file == "eap_t5.csv" and study.wave("t5").table_schema.wave == "t5"
    assert all("t5" in s.waves for s in study.scales)


# -- loader bugs fixed alongside these tests --------------------------------------------

def test_directory_or_non_utf8_definition_is_a_definition_error(tmp_path):
    copy_definitions(tmp_path)
    assert "not a path to a .study.json file" in error_of(tmp_path)
    (tmp_path / "folder.study.json").mkdir()
    assert "folder.study.json: cannot be read" in error_of(tmp_path / "folder.study.json")
    path = tmp_path / "eap.study.json"
    path.write_bytes(path.read_bytes().replace("älter".encode(), "älter".encode("cp1252")))
    assert "eap.study.json: not UTF-8 (byte 0xe4" in error_of(path)


def test_shipped_name_wins_over_a_folder_of_that_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "EAP").mkdir()
    assert load_study("EAP").name == "EAP"


def test_table_schema_is_checked_against_the_table_profile(tmp_path):
    message = error_of(copy_definitions(tmp_path, tables={"eap_t1.table.json": _set(["profile"], "ilb-study/1")}))
    assert "eap_t1.table.json: $.profile: 'ilb-table/1' was expected" in message
