"""Run folders: atomic, never overwriting, cleaned up on failure, deterministic manifest."""

import hashlib
import json
import re

import pytest

from ilb_eval.exceptions import OutputError
from ilb_eval.privacy import CellRule
from ilb_eval.report.runfolder import MANIFEST_NAME, RunFolder, default_reports_dir


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "eap_t1.csv").write_bytes(b"code;be_1\n1;4\n")
    (folder / "eap_t3.csv").write_bytes(b"code;be_1\n1;5\n")
    (folder / ".hidden").write_bytes(b"ignored")
    return folder


def _run(data_dir, reports, **kwargs):
    settings = kwargs.pop("settings", {"lang": "de", "outcomes": ["belastbarkeit"]})
    return RunFolder(sample="EAP", inputs=[data_dir], reports_dir=reports, settings=settings,
                     seed=20240501, **kwargs)


def _fill(run):
    run.write_text("tables/growth.csv", "outcome,est\nbelastbarkeit,0.1\n")
    run.write_json("results.json", {"b": 1, "a": [1.5, float("nan")]})
    run.add_model({"outcome": "belastbarkeit", "converged": True, "chisq": float("nan")})
    run.add_warnings(["slope variance not significant"])


def test_successful_run(data_dir, tmp_path, fixed_epoch):
    reports = tmp_path / "reports"
    with _run(data_dir, reports) as run:
        _fill(run)
        assert run.path.name.startswith(".") and run.path.parent == reports
    assert re.fullmatch(r"20260101-000000-EAP-[0-9a-f]{8}", run.name)
    assert [p.name for p in reports.iterdir()] == [run.name]
    assert sorted(str(p.relative_to(run.path)) for p in run.path.rglob("*") if p.is_file()) == [
        MANIFEST_NAME, "results.json", "tables/growth.csv"]
    manifest = json.loads((run.path / MANIFEST_NAME).read_text())
    assert manifest["inputs"] == [
        {"name": f"data/{n}", "sha256": hashlib.sha256((data_dir / n).read_bytes()).hexdigest(),
         "bytes": (data_dir / n).stat().st_size} for n in ("eap_t1.csv", "eap_t3.csv")]
    assert manifest["outputs"] == [
        {"name": name, "sha256": hashlib.sha256((run.path / name).read_bytes()).hexdigest()}
        for name in ("results.json", "tables/growth.csv")]
    assert manifest["settings"] == {"lang": "de", "outcomes": ["belastbarkeit"],
                                    "min_cell_size": 10, "min_cell_size_lowered": False}
    assert manifest["seed"] == 20240501
    assert manifest["created"] == "2026-01-01T00:00:00+00:00"
    assert manifest["models"] == [{"chisq": None, "converged": True, "outcome": "belastbarkeit"}]
    assert manifest["warnings"] == ["slope variance not significant"]
    assert {"python", "numpy", "scipy", "pandas", "matplotlib", "reportlab", "statsmodels",
            "ilb_eval"} <= set(manifest["versions"])
    assert str(tmp_path) not in (run.path / MANIFEST_NAME).read_text()


def test_manifest_is_deterministic(data_dir, tmp_path, fixed_epoch):
    texts = []
    for _ in range(2):
        with _run(data_dir, tmp_path / "reports") as run:
            _fill(run)
        texts.append((run.path / MANIFEST_NAME).read_bytes())
    assert texts[0] == texts[1]
    payload = json.loads(texts[0])
    assert texts[0].decode() == json.dumps(payload, sort_keys=True, indent=2,
                                           ensure_ascii=False) + "\n"


def test_second_run_never_overwrites_the_first(data_dir, tmp_path, fixed_epoch):
    reports = tmp_path / "reports"
    with _run(data_dir, reports) as first:
        first.write_text("note.txt", "first")
    with _run(data_dir, reports) as second:
        second.write_text("note.txt", "second")
    assert second.name == f"{first.name}-2"
    assert (first.path / "note.txt").read_text() == "first"
    assert (second.path / "note.txt").read_text() == "second"


def test_other_settings_give_another_hash(data_dir, tmp_path, fixed_epoch):
    with _run(data_dir, tmp_path / "r") as a:
        pass
    with _run(data_dir, tmp_path / "r", rule=CellRule(7)) as b:
        pass
    assert a.name.rsplit("-", 1)[1] != b.name.rsplit("-", 1)[1]
    assert json.loads((b.path / MANIFEST_NAME).read_text())["settings"]["min_cell_size_lowered"]


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_exception_mid_run_leaves_nothing(data_dir, tmp_path, fixed_epoch, error):
    reports = tmp_path / "reports"
    with _run(data_dir, reports) as earlier:
        earlier.write_text("keep.txt", "earlier run")
    before = sorted(p.relative_to(reports) for p in reports.rglob("*"))
    with pytest.raises(type(error)):
        with _run(data_dir, reports, settings={"other": 1}) as run:
            run.write_text("partial.txt", "half")
            raise error
    assert run.path is None
    assert sorted(p.relative_to(reports) for p in reports.rglob("*")) == before
    assert (earlier.path / "keep.txt").read_text() == "earlier run"


@pytest.mark.parametrize("inside", ["", "reports", "sub/reports"])
def test_output_equal_to_or_inside_input_is_refused(data_dir, inside):
    reports = data_dir / inside if inside else data_dir
    with pytest.raises(OutputError, match="inside an input folder"):
        with _run(data_dir, reports):
            pass
    assert sorted(p.name for p in data_dir.iterdir()) == [".hidden", "eap_t1.csv", "eap_t3.csv"]


def test_output_beside_an_input_file_is_refused(data_dir):
    with pytest.raises(OutputError):
        with RunFolder(sample="EAP", inputs=[data_dir / "eap_t1.csv"],
                       reports_dir=data_dir / "out"):
            pass


def test_input_changed_during_run_discards_it(data_dir, tmp_path):
    reports = tmp_path / "reports"
    with pytest.raises(OutputError, match="changed"):
        with _run(data_dir, reports):
            (data_dir / "eap_t1.csv").write_bytes(b"tampered")
    assert list(reports.iterdir()) == []


@pytest.mark.parametrize("name", ["../escape.txt", "/abs.txt", MANIFEST_NAME])
def test_output_names_stay_inside(data_dir, tmp_path, name):
    with pytest.raises(OutputError):
        with _run(data_dir, tmp_path / "reports") as run:
            run.write_text(name, "x")
    assert list((tmp_path / "reports").iterdir()) == []
    assert not (tmp_path / "escape.txt").exists()


def test_writing_after_close_is_refused(data_dir, tmp_path):
    with _run(data_dir, tmp_path / "reports") as run:
        pass
    with pytest.raises(OutputError, match="not open"):
        run.write_text("late.txt", "x")


def test_default_reports_dir(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "sub").mkdir()
    assert default_reports_dir(repo / "sub") == repo / "reports"
    assert default_reports_dir(tmp_path / "elsewhere") == tmp_path / "elsewhere" / "reports"


def test_pdf_and_study_hashes_in_the_manifest(data_dir, tmp_path, fixed_epoch):
    from ilb_eval.report.document import Report

    study = tmp_path / "eap.study.json"
    study.write_text('{"name": "EAP"}')
    report = Report(title="T", study="S", sample="EAP")
    report.add_section("A").paragraph("Text.")
    with _run(data_dir, tmp_path / "reports", study_files=[study]) as run:
        run.write_pdf("bericht.pdf", report)
    manifest = json.loads((run.path / MANIFEST_NAME).read_text())
    assert manifest["study"]["files"] == {
        "eap.study.json": hashlib.sha256(study.read_bytes()).hexdigest()}
    assert manifest["outputs"][0]["name"] == "bericht.pdf"
    assert (run.path / "bericht.pdf").read_bytes() == report.to_pdf_bytes()
