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
    assert result.returncode == 2 and "FILE_NOT_FOUND" in result.stderr


def _payload(tmp_path, name: str, *extra: str) -> dict:
    out = tmp_path / f"{name}.json"
    result = run("--data", str(FIXTURES / "demo_growth_mar.csv"), "--outcomes", "t1", "t2", "t3", "t4",
                 "--time-scores", "0", "1", "2", "3", "--covariates", "x1", "--json", str(out), *extra)
    assert result.returncode == 0, result.stderr
    return json.loads(out.read_text())


def test_latent_basis_and_starts_options(tmp_path):
    """--time-basis latent gives lavaan's latent-basis fit; --n-starts/--seed reach the status."""
    payload = _payload(tmp_path, "basis", "--time-basis", "latent", "--n-starts", "3", "--seed", "11")
    library = our_fit("demo_mar_basis")
    assert payload["fit"]["logl"] == pytest.approx(library.fit["logl"], rel=1e-12)
    loading = next(r for r in payload["params"] if (r["lhs"], r["op"], r["rhs"]) == ("s", "=~", "t2"))
    expected = library.params.query("lhs == 's' and op == '=~' and rhs == 't2'").iloc[0]
    assert loading["est"] == pytest.approx(expected["est"], rel=1e-9)
    assert loading["se"] == pytest.approx(expected["se"], rel=1e-6)
    assert payload["status"]["n_starts"] == 3 and payload["status"]["starts_agree"] is True
    none = _payload(tmp_path, "nostarts", "--n-starts", "0", "--slope-variance", "zero")
    # 4 residual variances + var(i) + 2 factor means + 2 regressions on x1 = 9
    assert none["status"]["n_starts"] == 0 and none["fit"]["npar"] == 9


def test_same_seed_same_output_and_negative_starts_refused(tmp_path):
    first = _payload(tmp_path, "a", "--seed", "5")
    second = _payload(tmp_path, "b", "--seed", "5")
    first.pop("seconds"), second.pop("seconds")
    assert first == second
    result = run("--data", str(FIXTURES / "demo_growth_mar.csv"), "--outcomes", "t1", "t2", "t3",
                 "--time-scores", "0", "1", "2", "--n-starts", "-1")  # fmt: skip
    assert result.returncode == 2 and "--n-starts" in result.stderr


def test_weights_and_clusters_from_the_command_line(tmp_path):
    """``--weights`` and ``--cluster`` give lavaan's sampling.weights + cluster fit (issue 16.2)."""
    import pandas as pd

    sem_fixtures = FIXTURES / "sem"
    data = tmp_path / "wc.csv"
    pd.read_csv(sem_fixtures / "wc_sim.csv").to_csv(data, index=False)  # R's NA as empty cells
    out = tmp_path / "fit.json"
    result = run("--data", str(data), "--outcomes", "y1", "y2", "y3", "--time-scores", "0", "1",
                 "2", "--covariates", "treat", "age", "female", "--weights", "w", "--cluster",
                 "agency", "--n-starts", "0", "--json", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    payload = json.loads(out.read_text())
    ref = json.loads((sem_fixtures / "wc_growth_w_cl.json").read_text())
    assert payload["fit"]["chisq_scaled"] == pytest.approx(ref["fit"]["chisq.scaled"], rel=1e-3)
    lavaan = {(r["lhs"], r["op"], r["rhs"]): r for r in ref["params"]}
    for row in payload["params"]:
        expected = lavaan[(row["lhs"], row["op"], row["rhs"])]
        assert row["se"] == pytest.approx(expected["se"], abs=1e-4 + 2e-3 * abs(expected["se"]))
