"""Nothing leaked (issue 8, item 4): canary identifiers and free-text strings planted in the test
data never appear in any output byte of the commands validate, describe, fit and simulate (stdout,
stderr, files written), nor in library warnings, log records or error messages; files holding
microdata are owner-only (0600), aggregate outputs 0644.

The report (PDF text and metadata, PNG/SVG, CSV, JSON) is covered in test_report_faults.py.
"""

from __future__ import annotations

import getpass
import logging
import stat
import subprocess
import sys
import warnings
from pathlib import Path

import bad_inputs as catalogue
import numpy as np
import pandas as pd
import pytest

from ilb_eval.exceptions import IlbEvalError
from ilb_eval.growth import fit_growth
from ilb_eval.io import load_waves, validate_study_data
from ilb_eval.prep import build_panel, growth_data
from ilb_eval.study import load_study

CANARY_CODE = catalogue.CANARY  # prefix of every person code in the test data ("ZQX...")
FREE_TEXT = "Kanarienvogel sagt Hallo"
CANARIES = (CANARY_CODE, "Kanarienvogel", "zqx.mail@example.org")


def leaks(data: bytes | str, extra: tuple[str, ...] = (), canaries: tuple[str, ...] = CANARIES) -> list[str]:
    """The canaries found in ``data`` (in UTF-8, Windows-1252 or UTF-16, any case)."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    found = []
    for canary in (*canaries, *extra):
        for encoding in ("utf-8", "cp1252", "utf-16-le"):
            if canary.encode(encoding) in data or canary.lower().encode(encoding) in data.lower():
                found.append(f"{canary!r} ({encoding})")
                break
    return found


def scan_folder(folder: Path, extra: tuple[str, ...] = (), canaries: tuple[str, ...] = CANARIES) -> dict[str, list[str]]:
    return {str(p.relative_to(folder)): hits for p in sorted(folder.rglob("*"))
            if p.is_file() and (hits := leaks(p.read_bytes(), extra, canaries))}


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ilb_eval", *args], capture_output=True, text=True, timeout=180,
                          cwd=cwd)


@pytest.fixture
def planted(tmp_path):
    """A valid, linked EAP study whose codes all carry the canary, plus free text in an undeclared column."""
    study, study_path, data, frames = catalogue._valid(tmp_path, linked=True)
    for frame in frames.values():
        frame["var_x"] = FREE_TEXT  # an undeclared column: never read, never printed
    catalogue._write(study, data, frames)
    return study, study_path, data, frames


def test_library_warnings_logs_and_errors_carry_no_canary(planted, caplog):
    study, _, data, frames = planted
    caplog.set_level(logging.DEBUG)
    texts = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = validate_study_data(study, data)
        texts.append(report.as_text())
        tables = load_waves(study, data)
        panel = build_panel(study, tables)
        fit = fit_growth(growth_data(panel, "belastbarkeit"), outcomes=["t1", "t3", "t4"],
                         time_scores=[0, 2, 3], covariates=["female"])
        texts += [fit.summary().as_text(), str(fit.to_dict()), panel.wide.to_csv(), panel.long.to_csv()]
        texts += [p.one_line() for p in panel.problems]
    texts += [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    # now the same persons in failing files: the error messages
    bad = frames["t1"].astype({"age": object, "code": object})
    bad.loc[3, "age"] = FREE_TEXT
    bad.loc[5, "code"] = bad.loc[6, "code"]
    bad["zqx.mail@example.org"] = 1
    catalogue.wavefiles.write_wave(bad, data / "eap_t1.csv", study.wave("t1"))
    with pytest.raises(IlbEvalError) as caught_error:
        load_waves(study, data)
    texts += [str(caught_error.value), *caught_error.value.lines, validate_study_data(study, data).as_text()]
    assert {p.code for p in caught_error.value.problems} >= {"WRONG_TYPE", "DUPLICATE_ID"}
    assert [t for t in texts if leaks(t)] == []
    assert "code" not in panel.wide.columns and panel.wide["person"].dtype.kind == "i"


def test_cli_validate_and_describe_good_and_bad_data(planted, tmp_path):
    study, study_path, data, frames = planted
    from test_nothing_lost import snapshot

    inputs = snapshot(data) | snapshot(study_path.parent)
    outputs = []
    for args in (("validate",), ("describe", "--json")):
        result = cli(*args, "--study", str(study_path), "--data", str(data))
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout + result.stderr)
    assert snapshot(data) | snapshot(study_path.parent) == inputs  # inputs unchanged by good runs
    bad = frames["t3"].astype({"fk_1": object})
    bad.loc[4, "fk_1"] = FREE_TEXT
    bad["Kommentar"] = FREE_TEXT  # a free-text column: refused, its content never shown
    catalogue.wavefiles.write_wave(bad, data / "eap_t3.csv", study.wave("t3"))
    for args in (("validate",), ("describe",)):
        result = cli(*args, "--study", str(study_path), "--data", str(data))
        assert result.returncode == 2 and "DIRECT_IDENTIFIER" in result.stdout + result.stderr
        outputs.append(result.stdout + result.stderr)
    inputs["eap_t3.csv"] = snapshot(data)["eap_t3.csv"]
    assert snapshot(data) | snapshot(study_path.parent) == inputs  # ... and by failing runs
    assert [leaks(o) for o in outputs if leaks(o)] == []


def test_cli_fit_outputs_and_errors(tmp_path):
    rng = np.random.default_rng(4)
    frame = catalogue.growth_frame(n=150, seed=4)
    frame.insert(0, "person", [f"{CANARY_CODE}{i:05d}" for i in range(len(frame))])
    frame["notiz"] = FREE_TEXT
    frame["t3"] = frame["t3"].where(rng.random(len(frame)) > 0.1)
    csv = tmp_path / "growth.csv"
    frame.to_csv(csv, index=False)
    out = tmp_path / "out"
    out.mkdir()
    result = cli("fit", "--data", str(csv), "--outcomes", "t1", "t3", "t4", "--time-scores", "0", "2", "3",
                 "--covariates", "female", "--json", str(out / "fit.json"))
    assert result.returncode == 0, result.stderr
    assert leaks(result.stdout + result.stderr) == [] and scan_folder(out) == {}
    assert stat.S_IMODE((out / "fit.json").stat().st_mode) == 0o644  # aggregates only
    frame = frame.astype({"t4": object})
    frame.loc[7, "t4"] = FREE_TEXT  # text in an outcome
    frame.to_csv(csv, index=False)
    result = cli("fit", "--data", str(csv), "--outcomes", "t1", "t3", "t4", "--time-scores", "0", "2", "3")
    assert result.returncode == 2 and "[WRONG_TYPE]" in result.stderr
    assert leaks(result.stdout + result.stderr) == []


def test_cli_simulate_outputs_modes_and_no_paths(tmp_path):
    out = tmp_path / "ZQXOUT-folder"
    result = cli("simulate", "--out", str(out), "--scale", "0.05", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    user = getpass.getuser()
    extra = ("ZQXOUT", str(tmp_path)) + ((user,) if len(user) >= 4 and user not in ("root", "user") else ())
    assert scan_folder(out, extra) == {}
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()}
    study_files = {w.file for name in ("EAP", "ZP") for w in load_study(name).waves}
    for name, mode in modes.items():
        expected = 0o600 if name in study_files else 0o644  # wave exports are microdata
        assert mode == expected, (name, oct(mode))
    assert study_files <= set(modes)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files


def test_panel_frames_hold_no_identifier_values(planted):
    study, _, data, _ = planted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        panel = build_panel(study, load_waves(study, data))
    for frame in (panel.wide, panel.long, panel.linkage, panel.exclusions, panel.accounting, *panel.items.values()):
        assert leaks(frame.to_csv()) == []
    assert isinstance(panel.wide, pd.DataFrame)
