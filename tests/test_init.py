"""``init``: a study drafted from raw exports (issue 17, item 1 and "What it must show").

The example exports are re-exported as SoSci Survey, LimeSurvey and Qualtrics write them
(``survey_exports.py``; generated into tmp_path, never committed); the draft must find the waves,
the person code, every item block with its range, missing codes and the reverse-keyed item the
example data were made with, and pass the profiles and ``validate``."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

import survey_exports as exports
from ilb_eval.exceptions import InputError, StudyDefinitionError
from ilb_eval.io import validate_study_data
from ilb_eval.study import load_study
from ilb_eval.study.draft import draft_study
from ilb_eval.study.naming import field_name

TOOLS = {
    "SoSci Survey": (exports.sosci_survey, ["t1", "t3", "t4"], {-9, -1}),
    "LimeSurvey": (exports.limesurvey, ["w1", "w2", "w3"], set()),
    "Qualtrics": (exports.qualtrics, ["t1", "t3", "t4"], {-99}),
}


def _drafted(tmp_path, tool, **kwargs):
    make, _, _ = TOOLS[tool]
    exported = make(tmp_path / "exports")
    draft = draft_study(tmp_path / "exports", name="OWN", **kwargs)
    study = load_study(draft.write(tmp_path / "study")[0])
    return exported, draft, study


def _codes(study, field):
    return {float(c) for c in study.waves[0].table_schema.field(field).missing_codes}


@pytest.mark.parametrize("tool", list(TOOLS))
def test_a_draft_from_survey_tool_exports_finds_everything_and_passes_validate(tmp_path, tool):
    exported, draft, study = _drafted(tmp_path, tool)
    _, wave_names, codes = TOOLS[tool]
    assert list(study.wave_names) == wave_names and study.time_scores == (0.0, 1.0, 2.0)
    assert [w.file for w in study.waves] == [p.name for p in exported.files]
    assert study.person_id.field == field_name(exported.code)
    assert study.person_id.kind == "self_generated_code"
    assert study.ilb_use is None and not study.has_control_group and study.covariates == ()
    for prefix, items in exported.scales.items():
        fields = tuple(field_name(item) for item in items)
        (scale,) = [s for s in study.scales if s.items == fields]
        assert scale.range == (1.0, 5.0) and scale.min_valid == 3 and scale.kind == "competence"
        assert scale.reverse == (field_name(exported.reverse[prefix]),)
        assert scale.waves == tuple(wave_names)
        assert _codes(study, fields[0]) == codes
    for wave in study.waves:
        for item in exported.scales["fk"]:
            assert wave.rename.get(item, item) == field_name(item)
    report = validate_study_data(study, tmp_path / "exports")
    assert report.ok, report.as_text()
    check = [n.text for n in draft.notes if n.kind == "check"]
    assert any("time scores assume equally spaced" in text for text in check)
    assert any(f"person code '{exported.code}'" in text for text in check)
    assert "Check before you use it" in draft.as_text()


def test_qualtrics_header_rows_and_sosci_utf16_are_declared(tmp_path):
    _, _, qualtrics = _drafted(tmp_path / "q", "Qualtrics")
    assert qualtrics.waves[0].dialect == {"encoding": "utf-8", "delimiter": ",", "decimal": ".",
                                          "extra_header_rows": 2}
    _, _, sosci = _drafted(tmp_path / "s", "SoSci Survey")
    assert sosci.waves[0].dialect == {"encoding": "utf-16", "delimiter": "\t", "decimal": "."}
    assert "CASE" not in sosci.waves[0].table_schema.field_names  # tool metadata is not read


def test_single_wave_and_yes_no_blocks_are_item_blocks(tmp_path):
    _, _, study = _drafted(tmp_path, "SoSci Survey")
    assert set(study.item_blocks) == {"vb01", "lk01"}
    assert study.item_blocks["lk01"].waves == ("t3",) and study.item_blocks["vb01"].range == (0.0, 1.0)
    assert {"zu01", "nu01"} <= {s.name for s in study.scales}  # rating blocks at t3 and t4


def test_four_waves_with_given_time_scores_and_two_waves_without_control_group(tmp_path):
    exports.sosci_survey(tmp_path / "four", ("t1", "t3", "t4", "t5"))
    four = draft_study(tmp_path / "four", name="FOUR", time_scores=[0, 2, 3, 5])
    study = load_study(four.write(tmp_path / "four_study")[0])
    assert study.wave_names == ("t1", "t3", "t4", "t5") and study.time_scores == (0.0, 2.0, 3.0, 5.0)
    assert all(s.waves == study.wave_names for s in study.scales if s.name.startswith("fk"))
    assert validate_study_data(study, tmp_path / "four").ok
    exports.limesurvey(tmp_path / "two", ("t1", "t4"))
    two = draft_study(tmp_path / "two", name="TWO")
    study = load_study(two.write(tmp_path / "two_study")[0])
    assert len(study.waves) == 2 and not study.has_control_group and study.ilb_use is None
    assert len(study.scales) == 10 and all(len(s.waves) == 2 for s in study.scales)
    assert validate_study_data(study, tmp_path / "two").ok


def test_wave_names_hint_at_time_scores(tmp_path):
    _, draft, _ = _drafted(tmp_path, "Qualtrics")
    assert any("--time-scores 0 2 3" in n.text for n in draft.notes if n.kind == "check")


def test_a_study_name_the_profile_refuses_is_an_error_before_anything_is_written(tmp_path):
    exports.limesurvey(tmp_path / "exports", ("t1", "t3"))
    with pytest.raises(StudyDefinitionError, match="the study name 'My study' cannot be used"):
        draft_study(tmp_path / "exports", name="My study")  # init writes only a draft it has


def test_too_few_exports_and_no_person_code_are_errors(tmp_path):
    made = exports.sosci_survey(tmp_path / "one", ("t1",))
    with pytest.raises(InputError) as caught:
        draft_study(tmp_path / "one")
    assert caught.value.problems[0].code == "TOO_FEW_EXPORTS"
    exports.sosci_survey(tmp_path / "nocode")
    for path in sorted((tmp_path / "nocode").iterdir()):  # the code column emptied in every wave
        text = path.read_bytes().decode("utf-16").split("\r\n")
        position = text[0].split("\t").index(made.code)
        rows = [line.split("\t") for line in text]
        for row in rows[1:]:
            if len(row) > position:
                row[position] = ""
        path.write_bytes("\r\n".join("\t".join(r) for r in rows).encode("utf-16"))
    with pytest.raises(InputError) as caught:
        draft_study(tmp_path / "nocode")
    assert caught.value.problems[0].code == "NO_PERSON_CODE"


def test_a_windows_1252_export_is_read_with_a_note(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    for wave in ("t1", "t3"):
        frame = exports.eap_wave(wave)
        frame.loc[frame.index[0], "code"] = "MÜ12AB" if wave == "t1" else frame.loc[frame.index[0], "code"]
        (folder / f"eap_{wave}.csv").write_bytes(frame.to_csv(index=False, sep=";", decimal=",").encode("cp1252"))
    draft = draft_study(folder)
    assert draft.study["waves"][0]["dialect"]["encoding"] == "windows-1252"
    assert any("read as Windows-1252" in n.text for n in draft.notes)
    assert validate_study_data(load_study(draft.write(tmp_path / "study")[0]), folder).ok


def cli(*args):
    return subprocess.run([sys.executable, "-m", "ilb_eval", *args], capture_output=True, text=True, timeout=300,
                          check=False)


def test_cli_init_then_validate_and_never_over_an_edited_draft(tmp_path):
    exports.qualtrics(tmp_path / "exports")
    out = tmp_path / "study"
    result = cli("init", "--data", str(tmp_path / "exports"), "--out", str(out), "--name", "OWN",
                 "--time-scores", "0", "2", "3")
    assert result.returncode == 0, result.stderr
    assert "person code: 'Q1'" in result.stdout and "Check before you use it" in result.stdout
    assert "Result: 0 errors" in result.stdout and f"wrote {out / 'own.study.json'}" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["init-notes.txt", "manifest.json", "own.study.json",
                                                     "own_t1.table.json", "own_t3.table.json", "own_t4.table.json"]
    assert json.loads((out / "own.study.json").read_text())["waves"][1]["time_score"] == 2
    validate = cli("validate", "--study", str(out / "own.study.json"), "--data", str(tmp_path / "exports"))
    assert validate.returncode == 0, validate.stdout
    describe = cli("describe", "--study", str(out / "own.study.json"), "--data", str(tmp_path / "exports"))
    assert describe.returncode == 0, describe.stderr
    assert describe.stdout.startswith("OWN\n  Personen: ") and "iLB" not in describe.stdout  # nothing it lacks
    again = cli("init", "--data", str(tmp_path / "exports"), "--out", str(out))
    assert again.returncode == 2 and "[FOLDER_NOT_EMPTY]" in again.stderr
    assert cli("init", "--data", str(tmp_path / "exports"), "--out", str(out), "--force", "--name", "OWN").returncode == 0
    study = out / "own.study.json"
    study.write_text(study.read_text().replace('"OWN"', '"MINE"'))  # edited by hand
    refused = cli("init", "--data", str(tmp_path / "exports"), "--out", str(out), "--force", "--name", "OWN")
    assert refused.returncode == 2 and "[HOLDS_DATA]" in refused.stderr and '"MINE"' in study.read_text()
    inside = cli("init", "--data", str(tmp_path / "exports"), "--out", str(tmp_path / "exports" / "study"))
    assert inside.returncode == 2 and "[OVERWRITES_INPUT]" in inside.stderr


def test_report_from_the_draft_models_every_scale_with_its_reverse_keyed_items(tmp_path):
    made = exports.sosci_survey(tmp_path / "exports")
    study_dir = tmp_path / "study"
    assert cli("init", "--data", str(tmp_path / "exports"), "--out", str(study_dir), "--name", "OWN",
               "--time-scores", "0", "2", "3").returncode == 0
    result = cli("report", "--study", str(study_dir / "own.study.json"), "--data", str(tmp_path / "exports"),
                 "--out", str(tmp_path / "reports"), "--lang", "en")
    assert result.returncode == 0, result.stderr
    (run,) = (tmp_path / "reports").iterdir()
    assert (run / "report.pdf").stat().st_size > 0
    scales = [s.name for s in load_study(study_dir / "own.study.json").scales]
    models = json.loads((run / "manifest.json").read_text())["models"]
    assert sorted(m["dimension"] for m in models if m["kind"] == "unconditional") == sorted(scales)
    assert {m["status"] for m in models} == {"ok"}
    # the reverse-keyed item of every competence scale is reversed before scoring: the scales are consistent
    # (with the fourth item unreversed alpha is about .03 instead of .8, computed on eap_t1.csv for fk and be)
    reliability = pd.read_csv(run / "tables" / "own_reliability.csv")
    competence = {field_name(items[0]).rsplit("_", 1)[0] for items in made.scales.values()}
    alphas = reliability.loc[reliability["scale"].isin(competence), "alpha"]
    assert len(alphas) == 3 * len(competence) and (alphas > 0.6).all(), reliability


def test_workbooks_with_a_codebook_sheet_need_the_sheet_named(tmp_path):
    import openpyxl

    folder = tmp_path / "exports"
    folder.mkdir()
    for wave in ("t1", "t3"):
        frame, _ = exports.zp_wave(wave)
        book = openpyxl.Workbook()
        book.active.title = "Daten"
        book.active.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            book.active.append([None if isinstance(v, float) and v != v else v for v in row])
        book.create_sheet("Codebook").append(["Variable", "Frage"])
        book.save(folder / f"zp_{wave}.xlsx")
    with pytest.raises(InputError) as caught:
        draft_study(folder)
    assert {p.code for p in caught.value.problems} == {"SEVERAL_SHEETS"}
    draft = draft_study(folder, name="ZPX", sheet="Daten")
    assert draft.study["waves"][0]["dialect"] == {"sheet": "Daten"}
    study = load_study(draft.write(tmp_path / "study")[0])
    report = validate_study_data(study, folder)
    several = [p for p in report.warnings if p.code == "SEVERAL_SHEETS"]  # the codebook sheet is named, not read
    assert report.ok and len(several) == 2 and all("'Codebook'" in p.message for p in several)
    assert len(study.scales) == 10 and study.scales[0].reverse == ("fk_4",)
