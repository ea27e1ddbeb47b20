"""write_report and ``python -m ilb_eval report``: run folder, canaries, determinism, interruption, CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from ilb_eval.report.runfolder import RunFolder

pytestmark = pytest.mark.filterwarnings("ignore::ilb_eval.exceptions.IlbEvalWarning")


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _pdf_text(path: Path) -> str:
    reader = PdfReader(path)
    meta = " ".join(f"{k}={v}" for k, v in (reader.metadata or {}).items())
    return meta + "\n" + "\n".join(page.extract_text() or "" for page in reader.pages)


# ------------------------------------------------------------------ the run folder

def test_run_folder_holds_report_figures_tables_and_manifest(run):
    folder = run.path
    assert folder.is_dir() and not folder.name.startswith(".")
    names = {p.relative_to(folder).as_posix() for p in _files(folder)}
    assert {"report.pdf", "manifest.json", "results.json"} <= names
    figures = {n for n in names if n.startswith("figures/")}
    stems = {Path(n).stem for n in figures}
    assert {"eap_response", "eap_attrition", "eap_satisfaction", "benefit", "interview_categories",
            "eap_trajectories", "zp_trajectories", "eap_forest", "eap_correlations"} <= stems
    for stem in stems:
        assert f"figures/{stem}.png" in figures and f"figures/{stem}.svg" in figures
    for table in ("eap_ilb_effects", "eap_growth_parameters", "eap_growth_fit", "eap_correlations",
                  "eap_sample", "eap_reliability", "eap_lr_tests", "model_status"):
        for ext in ("csv", "md", "tex"):
            assert f"tables/{table}.{ext}" in names
    reader = PdfReader(folder / "report.pdf")
    assert len(reader.pages) > 20
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4


def test_manifest_records_inputs_versions_settings_and_models(run, canary_data):
    manifest = json.loads((run.path / "manifest.json").read_text())
    names = {i["name"] for i in manifest["inputs"]}
    assert {"eap_t1.csv", "zp_t1.sav", "interviews.csv"} <= names
    assert all(re.fullmatch(r"[0-9a-f]{64}", i["sha256"]) for i in manifest["inputs"])
    assert manifest["seed"] == 20231122
    assert manifest["settings"]["min_cell_size"] == 10 and manifest["settings"]["adjust"] == "holm"
    assert {"numpy", "scipy", "matplotlib", "reportlab"} <= set(manifest["versions"])
    assert len(manifest["models"]) == len(run.results.records)
    assert {m["status"] for m in manifest["models"]} <= {"ok", "failed", "not_converged", "skipped"}
    assert any("ROWS_DROPPED" in w for w in manifest["warnings"])
    outputs = {o["name"] for o in manifest["outputs"]}
    assert "report.pdf" in outputs
    assert str(canary_data.parent) not in json.dumps(manifest)


def test_effects_csv_equals_the_results(run):
    import pandas as pd

    table = pd.read_csv(run.path / "tables" / "eap_ilb_effects.csv")
    effects = run.results.studies["EAP"].effects
    assert table["estimate"].tolist() == pytest.approx(effects["estimate"].tolist(), rel=1e-15)
    row = table[(table["dimension"] == "belastbarkeit") & (table["factor"] == "s")].iloc[0]
    assert row["p_adjusted"] <= 0.05


def test_pdf_reads_like_the_report(run):
    text = _pdf_text(run.path / "report.pdf")
    for words in ("Zusammenfassung", "Stichprobe und Rücklauf", "Reliabilität", "Belastbarkeit",
                  "Methoden", "Full Information Maximum Likelihood", "Holm", "Warnungen und Modellstatus",
                  "Provenienz", "eap_t1.csv", "ilb_eval"):
        assert words in text, words
    assert re.search(r"p\s*<\s*,001", text)  # German number style
    assert "0.05" not in text


# ------------------------------------------------------------------ privacy

def test_no_canary_in_any_output_byte(run, canary_data, shared_run):
    codes = set()
    for name in ("eap_t1.csv", "eap_t3.csv", "eap_t4.csv"):
        lines = (canary_data / name).read_bytes().decode("cp1252").splitlines()[1:]
        codes |= {line.split(";", 1)[0] for line in lines if line}
    assert shared_run.CANARY_CODE in codes and shared_run.CANARY_STRING in codes
    canaries = [shared_run.CANARY_CODE, shared_run.CANARY_STRING]
    pattern = re.compile("|".join(re.escape(c) for c in sorted(codes)))
    files = _files(run.path)
    assert len(files) > 50
    for path in files:
        raw = path.read_bytes()
        for canary in canaries:
            assert canary.encode() not in raw, path.name
            assert canary.lower().encode() not in raw.lower(), path.name
        if path.suffix in (".csv", ".md", ".tex", ".json"):
            found = pattern.search(raw.decode("utf-8"))
            assert found is None, (path.name, found)
    text = _pdf_text(run.path / "report.pdf")
    for canary in canaries:
        assert canary not in text
    assert pattern.search(text) is None
    reader = PdfReader(run.path / "report.pdf")
    meta = {k: str(v) for k, v in (reader.metadata or {}).items()}
    assert "/Author" not in meta or not meta["/Author"].strip()
    assert not any(str(Path.home()) in v or str(canary_data) in v for v in meta.values())


# ------------------------------------------------------------------ determinism and the CLI

def test_cli_end_to_end_and_determinism(tmp_path, canary_data, monkeypatch, shared_run):
    """The CLI (ZP only, for speed) and the library give byte-identical run folders."""
    from ilb_eval.report.pipeline import write_report

    env = {**os.environ, "SOURCE_DATE_EPOCH": shared_run.EPOCH}
    out_cli = tmp_path / "cli"
    proc = subprocess.run(
        [sys.executable, "-m", "ilb_eval", "report", "--study", "ZP", "--data", str(canary_data),
         "--out", str(out_cli)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "ZP: growth models" in proc.stderr and "rendering the PDF" in proc.stderr
    folder_cli = Path(proc.stdout.strip().splitlines()[-1])
    assert folder_cli.parent == out_cli and (folder_cli / "report.pdf").is_file()
    assert (folder_cli / "manifest.json").is_file()
    assert list((folder_cli / "figures").glob("*.png")) and list((folder_cli / "tables").glob("*.csv"))

    monkeypatch.setenv("SOURCE_DATE_EPOCH", shared_run.EPOCH)
    lib = write_report(canary_data, studies=["ZP"], out=tmp_path / "lib")
    assert lib.path.name == folder_cli.name
    files_cli = [p.relative_to(folder_cli) for p in _files(folder_cli)]
    files_lib = [p.relative_to(lib.path) for p in _files(lib.path)]
    assert files_cli == files_lib
    for rel in files_cli:
        assert (folder_cli / rel).read_bytes() == (lib.path / rel).read_bytes(), rel


def test_existing_run_is_never_overwritten(tmp_path, canary_data, run, monkeypatch, shared_run):
    """A second identical run gets a new folder name; the first stays as it was."""
    from ilb_eval.report import pipeline

    monkeypatch.setenv("SOURCE_DATE_EPOCH", shared_run.EPOCH)
    monkeypatch.setattr(pipeline, "run_analysis", lambda *a, **k: run.results)
    monkeypatch.setattr(pipeline, "figure_bytes", lambda fig, fmt: b"figure")
    monkeypatch.setattr(RunFolder, "write_pdf", lambda self, name, report: self.write_bytes(name, b"%PDF stub"))
    first = pipeline.write_report(canary_data, out=tmp_path)
    before = {p: p.read_bytes() for p in _files(first.path)}
    second = pipeline.write_report(canary_data, out=tmp_path)
    assert second.path != first.path and second.path.name == first.path.name + "-2"
    assert {p: p.read_bytes() for p in _files(first.path)} == before


def test_interrupted_run_leaves_nothing(tmp_path, canary_data, run, monkeypatch):
    from ilb_eval.report import pipeline

    calls = {"n": 0}

    def failing(figure, fmt):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return b"figure"

    monkeypatch.setattr(pipeline, "run_analysis", lambda *a, **k: run.results)
    monkeypatch.setattr(pipeline, "figure_bytes", failing)
    out = tmp_path / "reports"
    with pytest.raises(OSError):
        pipeline.write_report(canary_data, out=out)
    assert calls["n"] == 3
    assert list(out.iterdir()) == []  # no run folder, no hidden temporary folder, no temp files


def test_cli_refuses_a_too_small_min_cell_size(tmp_path):
    from ilb_eval.cli import main

    assert main(["report", "--min-cell-size", "3", "--out", str(tmp_path)]) == 2
    assert list(tmp_path.iterdir()) == []


def test_cli_exits_3_when_a_required_model_failed(tmp_path, run, monkeypatch, capsys):
    import dataclasses

    from ilb_eval.analysis.models import ModelRecord
    from ilb_eval.cli import main
    from ilb_eval.report import pipeline

    eap = run.results.studies["EAP"]
    dim = next(iter(eap.models))
    failed = ModelRecord("EAP", dim, "conditional", "failed", "RuntimeError: engine exploded")
    models = {**eap.models, dim: dataclasses.replace(eap.models[dim], records={
        **eap.models[dim].records, "conditional": failed})}
    broken = dataclasses.replace(run.results, studies={
        **run.results.studies, "EAP": dataclasses.replace(eap, models=models)})
    monkeypatch.setattr(pipeline, "run_analysis", lambda *a, **k: broken)
    monkeypatch.setattr(pipeline, "figure_bytes", lambda fig, fmt: b"figure")
    assert main(["report", "--out", str(tmp_path)]) == 3
    captured = capsys.readouterr()
    assert "engine exploded" in captured.err
    folder = Path(captured.out.strip().splitlines()[-1])
    manifest = json.loads((folder / "manifest.json").read_text())
    assert any(m["status"] == "failed" and m["reason"] == "RuntimeError: engine exploded"
               for m in manifest["models"])


def test_every_warning_is_listed_with_the_section_that_shows_it(run):
    """ReportRun.warnings: the run's warnings, each with the title and printed number of its section."""
    from ilb_eval.cli.report import warning_summary

    assert [w.text for w in run.warnings] == run.results.warnings
    assert {(w.section, w.number) for w in run.warnings} == {("Warnungen und Modellstatus", "12")}
    assert re.search(r"\b12\s+Warnungen und Modellstatus", _pdf_text(run.path / "report.pdf"))
    line = warning_summary(run.warnings)
    dropped = sum(": ROWS_DROPPED:" in w.text for w in run.warnings)
    assert dropped > 0 and line.startswith(f"{len(run.warnings)} warnings (")
    assert f"ROWS_DROPPED {dropped}," in line
    assert line.endswith("— see section 12 'Warnungen und Modellstatus' of report.pdf")
