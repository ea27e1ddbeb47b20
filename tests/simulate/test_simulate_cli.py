"""``simulate`` and ``describe`` run as subprocesses; small-cell suppression of describe."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

from ilb_eval.describe import describe_studies
from ilb_eval.simulate import simulate_study


def run(*args):
    return subprocess.run([sys.executable, "-m", "ilb_eval", *args], capture_output=True, text=True, timeout=300)


def test_simulate_then_describe(tmp_path):
    result = run("simulate", "--out", str(tmp_path), "--seed", "7", "--scale", "0.5")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 7 and manifest["scale"] == 0.5
    assert f"EAP: {manifest['persons']['EAP']} persons" in result.stdout
    for name in ("eap_t1.csv", "zp_t4.sav", "interviews.csv", "true_parameters.csv", "manifest.json"):
        assert (tmp_path / name).is_file()
    described = run("describe", "--data", str(tmp_path), "--json")
    assert described.returncode == 0, described.stderr
    summary = json.loads(described.stdout)
    assert summary["EAP"]["persons"] == manifest["persons"]["EAP"]
    assert summary["ZP"]["persons"] == manifest["persons"]["ZP"]
    assert {c["n"] for c in summary["correlations_t3"]} == {60}


def test_describe_the_shipped_example_as_json():
    result = run("describe", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    for sample in ("EAP", "ZP"):
        assert set(summary[sample]) >= {
            "persons", "records", "records_per_wave", "ilb_persons", "female_share",
            "degree_share", "german_share", "mean_age",
        }
        assert set(summary[sample]["records_per_wave"]) == {"t1", "t3", "t4"}
    assert len(summary["correlations_t3"]) == 6
    assert set(summary["correlations_t3"][0]) == {"x", "y", "r", "p", "n"}
    assert 0 < summary["reuse_share"] < 1


def test_describe_text_in_german_and_one_study():
    result = run("describe", "--study", "ZP")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ZP\n") and "Personen: 488" in result.stdout


def test_simulate_rejects_a_bad_scale(tmp_path):
    result = run("simulate", "--out", str(tmp_path), "--scale", "-1")
    assert result.returncode != 0
    assert "positive" in result.stderr


def test_describe_suppresses_small_cells(tmp_path):
    # scale 0.02: about 35 EAP persons, 8 iLB users and 2 answering the manager-support items
    simulate_study(tmp_path, scale=0.02)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = describe_studies(["EAP", "ZP"], tmp_path)
    assert summary["EAP"]["ilb_persons"] is None
    assert all(c["r"] is None and c["p"] is None and c["n"] is None for c in summary["correlations_t3"])
    assert summary["reuse_share"] is None
    assert summary["EAP"]["persons"] is not None
