"""``python -m ilb_eval balance``: output file, JSON, formats, and every bad input as a clear message."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from ilb_eval.cli import main

COVARIATES = ["age40", "degree", "score_t1"]


def _frame(seed: int = 12, n: int = 240) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    score = np.round(rng.normal(3.6, 0.6, n), 2)
    age40 = rng.integers(0, 2, n)
    degree = rng.integers(0, 2, n)
    ilb = (rng.random(n) < 1 / (1 + np.exp(1.0 + 1.2 * (score - 3.6) - 0.5 * degree))).astype(int)
    return pd.DataFrame({
        "code": [f"{i:05d}" for i in range(n)], "ort": ["Köln"] * n, "ilb": ilb,
        "age40": age40, "degree": degree, "score_t1": score,
    })


def _write_german_csv(frame: pd.DataFrame, path) -> None:
    text = frame.to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n")
    path.write_bytes(text.encode("utf-8-sig"))  # German Excel's 'CSV UTF-8': BOM, ';', decimal comma


def _run(capsys, *args) -> tuple[int, str, str]:
    code = main(["balance", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_german_csv_in_weighted_csv_out_with_json(tmp_path, capsys):
    source = tmp_path / "daten.csv"
    _write_german_csv(_frame(), source)
    before = source.read_bytes()
    out, report = tmp_path / "gewichtet.csv", tmp_path / "balance.json"
    code, stdout, stderr = _run(capsys, "--data", source, "--treatment", "ilb", "--covariates", *COVARIATES,
                                "--out", out, "--json", report)
    assert code == 0, stderr
    assert source.read_bytes() == before
    assert "Entropy Balancing" in stdout and "SMD nachher" in stdout
    # the other columns pass through exactly as written (leading zeros, umlauts, decimal commas)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    written = out.read_bytes().decode("utf-8-sig").splitlines()
    original = before.decode("utf-8-sig").splitlines()
    assert written[0] == original[0] + ";weight"
    for line_out, line_in in zip(written[1:], original[1:], strict=True):
        assert line_out.rsplit(";", 1)[0] == line_in
    weights = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig", dtype={"code": str})
    assert weights["code"].iloc[0] == "00000"
    treated = weights["ilb"] == 1
    assert (weights.loc[treated, "weight"] == 1).all()
    assert weights.loc[~treated, "weight"].sum() == pytest.approx(treated.sum(), rel=1e-9)
    payload = json.loads(report.read_text(encoding="utf-8"))
    assert [e["covariate"] for e in payload["balance"]] == COVARIATES
    for entry in payload["balance"]:
        assert abs(entry["smd_after"]) < 1e-6
        assert set(entry["effective_sample_size"]) == {"treated", "control"}
    assert payload["estimand"] == "ATT" and payload["method"] == "entropy"
    assert out.stat().st_mode & 0o077 == 0  # microdata: owner only


@pytest.mark.parametrize("suffix", [".xlsx", ".sav"])
def test_excel_and_spss_inputs(tmp_path, capsys, suffix):
    frame = _frame().drop(columns=["ort"])
    source = tmp_path / f"data{suffix}"
    if suffix == ".xlsx":
        frame.to_excel(source, index=False)
    else:
        pyreadstat.write_sav(frame, str(source))
    out = tmp_path / "out.csv"
    code, stdout, stderr = _run(capsys, "--data", source, "--treatment", "ilb", "--covariates", *COVARIATES,
                                "--out", out, "--method", "ipw", "--lang", "en")
    assert code == 0, stderr
    weights = pd.read_csv(out)
    assert len(weights) == len(frame) and "weight" in weights
    assert "inverse probability weights" in stdout


def test_the_input_is_never_overwritten(tmp_path, capsys):
    source = tmp_path / "data.csv"
    _frame().to_csv(source, index=False)
    before = source.read_bytes()
    code, _, stderr = _run(capsys, "--data", source, "--treatment", "ilb", "--covariates", *COVARIATES, "--out", source)
    assert code == 2 and "[OVERWRITES_INPUT]" in stderr
    code, _, stderr = _run(capsys, "--data", source, "--treatment", "ilb", "--covariates", *COVARIATES,
                           "--out", tmp_path / "o.csv", "--json", source)
    assert code == 2 and "[OVERWRITES_INPUT]" in stderr
    assert source.read_bytes() == before
    assert not (tmp_path / "o.csv").exists()


def _bad(tmp_path, capsys, frame, *extra):
    source = tmp_path / "bad.csv"
    frame.to_csv(source, index=False)
    code, stdout, stderr = _run(capsys, "--data", source, "--treatment", "ilb", "--covariates", *COVARIATES,
                                "--out", tmp_path / "out.csv", *extra)
    assert code == 2
    assert "Traceback" not in stderr and stdout == ""
    assert not (tmp_path / "out.csv").exists()
    lines = stderr.strip().splitlines()
    assert all(line.startswith("error: [") and "Fix:" in line for line in lines), lines
    return lines


def test_treatment_that_is_not_zero_one(tmp_path, capsys):
    frame = _frame()
    frame.loc[[3, 7, 9], "ilb"] = [2, 2, 3]
    (line,) = _bad(tmp_path, capsys, frame)
    assert "[BAD_TREATMENT] bad.csv, column 'ilb', rows 5, 9, 11 (3 in all)" in line
    assert "found '2', '3'" in line and "0 = control and 1 = treated" in line
    frame["ilb"] = frame["ilb"].astype(object)
    frame.loc[9, "ilb"] = "ja"  # text: the reader's message
    (line,) = _bad(tmp_path, capsys, frame)
    assert "[WRONG_TYPE] bad.csv, column 'ilb', row 11 (1 in all)" in line


def test_covariate_constant_within_a_group(tmp_path, capsys):
    frame = _frame()
    frame.loc[frame["ilb"] == 1, "degree"] = 1
    (line,) = _bad(tmp_path, capsys, frame)
    assert "[CONSTANT_COVARIATE] bad.csv, column 'degree'" in line
    assert "same value in every treated row" in line and "leave the covariate out" in line


def test_perfect_separation(tmp_path, capsys):
    frame = _frame()
    frame["score_t1"] = np.where(frame["ilb"] == 1, 2.0, 4.0) + np.arange(len(frame)) * 1e-3
    (line,) = _bad(tmp_path, capsys, frame)
    assert "[NO_OVERLAP] bad.csv, column 'score_t1'" in line
    assert "separates the groups completely" in line and "common support" in line


def test_separation_by_covariates_together(tmp_path, capsys):
    # treated exactly when score_t1 + degree > 4.2: neither covariate separates alone, both together do
    frame = _frame()
    frame["ilb"] = ((frame["score_t1"] + frame["degree"]) > 4.2).astype(int)
    (line,) = _bad(tmp_path, capsys, frame)
    assert "[NO_OVERLAP] bad.csv:" in line and "the covariates together predict the group" in line


def test_missing_covariate_values(tmp_path, capsys):
    frame = _frame()
    frame["score_t1"] = frame["score_t1"].astype(object)
    frame.loc[[0, 5], "score_t1"] = None
    frame.loc[6, "age40"] = None
    lines = _bad(tmp_path, capsys, frame)
    assert len(lines) == 2
    assert "[MISSING_COVARIATE] bad.csv, column 'age40', row 8 (1 in all)" in lines[0]
    assert "[MISSING_COVARIATE] bad.csv, column 'score_t1', rows 2, 7 (2 in all)" in lines[1]


def test_unknown_column_and_text_covariate(tmp_path, capsys):
    frame = _frame()
    frame["degree"] = frame["degree"].map({0: "nein", 1: "ja"})
    lines = _bad(tmp_path, capsys, frame, "--method", "ipw")
    assert any("[WRONG_TYPE] bad.csv, column 'degree'" in line for line in lines)
    source = tmp_path / "bad.csv"
    code, _, stderr = _run(capsys, "--data", source, "--treatment", "ilb", "--covariates", "nope",
                           "--out", tmp_path / "out.csv")
    assert code == 2 and "[MISSING_COLUMN] bad.csv, column 'nope'" in stderr


def test_settings_errors_are_messages(tmp_path, capsys):
    source = tmp_path / "data.csv"
    _frame().to_csv(source, index=False)
    code, _, stderr = _run(capsys, "--data", source, "--treatment", "ilb", "--covariates", *COVARIATES,
                           "--out", tmp_path / "o.csv", "--method", "ipw", "--moments", "2")
    assert code == 2 and "moments" in stderr and "Traceback" not in stderr
    with pytest.raises(SystemExit):
        main(["balance", "--data", str(source), "--treatment", "ilb", "--covariates", "x", "--out", "o.csv", "--trim", "1.5"])
    code, _, stderr = _run(capsys, "--data", tmp_path / "none.csv", "--treatment", "ilb", "--covariates", "x",
                           "--out", tmp_path / "o.csv")
    assert code == 2 and "[FILE_NOT_FOUND]" in stderr
