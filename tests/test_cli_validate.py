"""``python -m ilb_eval validate`` in a subprocess, on data written into tmp_path."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

# The fixture helpers of tests/io, loaded by path (no package import needed).
_spec = importlib.util.spec_from_file_location("io_wavefiles", Path(__file__).parent / "io" / "conftest.py")
wavefiles = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(wavefiles)

PROBLEM_LINE = re.compile(r"^\s*(error|warning|note) \[[A-Z_]+\] ")


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "ilb_eval", *args], capture_output=True, text=True, timeout=120,
    )


def digests(folder: Path):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def study_copy(tmp_path):
    return wavefiles.copy_study("EAP", tmp_path / "definition")


def test_good_data_exit_0(tmp_path, study_copy):
    from ilb_eval.study import load_study

    data = tmp_path / "data"
    wavefiles.write_study_data(load_study(study_copy), data, seed=40, n=12)
    before = digests(data)
    result = run("validate", "--study", str(study_copy), "--data", str(data))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Result: 0 errors" in result.stdout and "eap_t1.csv (wave t1)" in result.stdout
    assert "12 data rows" in result.stdout
    assert digests(data) == before


def test_bad_data_exit_2_one_line_per_problem(tmp_path, study_copy):
    from ilb_eval.study import load_study

    study = load_study(study_copy)
    data = tmp_path / "data"
    frames = wavefiles.write_study_data(study, data, seed=41, n=12)
    bad = frames["t1"].astype({"fk_1": object})
    bad.loc[4, "fk_1"] = "viel"
    bad.loc[5, "code"] = bad.loc[6, "code"]
    bad.loc[7, "age"] = -99.0
    bad["Vorname"] = "Anna"
    wavefiles.write_wave(bad, data / "eap_t1.csv", study.wave("t1"))
    (data / "eap_t4.csv").unlink()
    (data / "eap_t5.csv").write_text("x")
    before = digests(data)
    result = run("validate", "--study", str(study_copy), "--data", str(data))
    assert result.returncode == 2
    assert digests(data) == before
    lines = [line for line in result.stdout.splitlines() if PROBLEM_LINE.match(line)]
    codes = sorted(re.search(r"\[([A-Z_]+)\]", line).group(1) for line in lines)
    assert codes == sorted(
        ["WRONG_TYPE", "DUPLICATE_ID", "SUSPECT_MISSING_CODE", "DIRECT_IDENTIFIER", "FILE_NOT_FOUND", "UNEXPECTED_FILE"]
    )
    assert "rows 5, 6 (2 in all)" in next(line for line in lines if "DUPLICATE_ID" in line)
    assert "Traceback" not in result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert wavefiles.CANARY not in output and "Anna" not in output and "viel" not in output


def test_missing_data_folder_without_traceback(tmp_path, study_copy):
    result = run("validate", "--study", str(study_copy), "--data", str(tmp_path / "none"))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == ["error: [DATA_FOLDER] none: the data folder does not exist. "
                                          "Fix: pass the folder that holds the wave files with --data."]


def test_bad_study_definition_is_one_error_line(tmp_path):
    broken = tmp_path / "x.study.json"
    broken.write_text("{ not json")
    result = run("validate", "--study", str(broken), "--data", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    debug = run("--debug", "validate", "--study", str(broken), "--data", str(tmp_path))
    assert "Traceback" in debug.stderr


def test_default_validates_both_shipped_studies(tmp_path):
    result = run("validate")
    assert "Study EAP" in result.stdout and "Study ZP" in result.stdout
    assert result.returncode in (0, 2)
    assert "Traceback" not in result.stderr
