"""``python -m ilb_eval fit``: the command-line contract, against the library result."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from growth_refs import FIXTURES, our_fit


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ilb_eval", "fit", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_fit_prints_summary_and_writes_json(tmp_path):
    out = tmp_path / "fit.json"
    result = run(
        "--data",
        str(FIXTURES / "ilb_sim_a.csv"),
        "--outcomes",
        "y1",
        "y3",
        "y4",
        "--time-scores",
        "0",
        "2",
        "3",
        "--group",
        "ilb",
        "--equal-slope-means",
        "--json",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert "Model Test User Model" in result.stdout and "Group 2 [1]" in result.stdout
    payload = json.loads(out.read_text())
    assert set(payload) >= {"params", "fit", "converged", "warnings", "seconds"}
    assert payload["converged"] is True and payload["warnings"] == []
    assert payload["seconds"] > 0
    library = our_fit("ilb_a_mg_eqslope")
    for key, value in library.fit.items():
        assert payload["fit"][key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
    rows = payload["params"]
    table = library.params
    assert len(rows) == len(table)
    for row, (_, ref) in zip(rows, table.iterrows(), strict=True):
        assert set(row) >= {
            "lhs",
            "op",
            "rhs",
            "group",
            "est",
            "se",
            "z",
            "pvalue",
            "ci_lower",
            "ci_upper",
            "std_all",
        }
        assert (row["lhs"], row["op"], row["rhs"], row["group"]) == (
            ref["lhs"],
            ref["op"],
            ref["rhs"],
            ref["group_label"],
        )
        for key in ("est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"):
            if np.isnan(ref[key]):
                assert row[key] is None
            else:
                assert row[key] == pytest.approx(ref[key], rel=1e-9, abs=1e-12)


def test_fit_with_covariates_single_group(tmp_path):
    out = tmp_path / "cond.json"
    result = run(
        "--data",
        str(FIXTURES / "ilb_sim_a.csv"),
        "--outcomes",
        "y1",
        "y3",
        "y4",
        "--time-scores",
        "0",
        "2",
        "3",
        "--covariates",
        "ilb",
        "age40",
        "female",
        "program",
        "degree",
        "--json",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(out.read_text())
    assert payload["fit"]["df"] == 6 and payload["params"][0]["group"] == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--outcomes", "y1", "y3", "nope", "--time-scores", "0", "2", "3"], "nope"),
        (["--outcomes", "y1", "y3", "y4", "--time-scores", "0", "2"], "time_scores"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, message):
    result = run("--data", str(FIXTURES / "ilb_sim_a.csv"), *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]


def test_missing_file_exits_2(tmp_path):
    result = run(
        "--data",
        str(tmp_path / "none.csv"),
        "--outcomes",
        "a",
        "b",
        "c",
        "--time-scores",
        "0",
        "1",
        "2",
    )
    assert result.returncode == 2 and "NO_FILE" in result.stderr
