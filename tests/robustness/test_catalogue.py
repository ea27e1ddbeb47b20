"""The catalogue of bad inputs (issue 8, item 1): exact error class and code, a message naming
file, column, rows and the fix; through the library for every case and through the command line
(subprocess: one line per problem, non-zero exit, no traceback unless --debug) for a subset that
covers every error class and every layer.

The cases are defined in ``bad_inputs.py``; the details of each io message (exact row lists,
expected/found texts) are proven in the tests/io test named in ``Case.proven_in``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import bad_inputs as catalogue
import pytest

from ilb_eval.exceptions import IlbEvalError, IlbEvalWarning

CASES = {case.name: case for case in catalogue.CASES}
PROBLEM_LINE = re.compile(r"^(?:\s*(?:error|warning|note) |error: )\[([A-Z_]+)\] ")
TESTS_IO = Path(__file__).resolve().parents[1] / "io"


def _inputs(folder: Path) -> dict[str, str]:
    import hashlib

    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", list(CASES))
def test_library_names_class_code_file_column_rows_fix(tmp_path, name):
    case = CASES[name]
    outcome = catalogue.run_case(case, tmp_path)
    hashes = _inputs(tmp_path)
    if case.stage.endswith("warning"):
        assert outcome.error is None  # loading succeeds; the validation report (or fit) warns
    else:
        assert outcome.error is case.error, (outcome.error, outcome.lines)
    matching = [p for p in outcome.problems if p.code == case.code]
    assert matching, outcome.lines
    if case.stage == "io":
        # errors of a bad file: that code, and no unrelated error codes
        assert {p.severity for p in outcome.problems} == {"error"}
    problem = matching[0]
    line = problem.one_line()
    assert problem.file == case.file and (case.file is None or case.file in line)
    if case.column is not None:
        assert problem.column == case.column and f"column '{case.column}'" in line
    if case.rows is not None:
        assert set(case.rows) <= set(problem.rows), problem.rows
        assert re.search(r"\brows? \d", line)
    assert "Fix: " in line or (problem.fix and problem.fix.strip()), line
    for text in outcome.lines:
        assert catalogue.CANARY not in text and "keine Angabe" not in text
    assert _inputs(tmp_path) == hashes  # nothing read was changed


def test_every_issue_8_input_is_in_the_catalogue():
    wanted = ["wrong delimiter", "mixed delimiters", "decimal comma", "byte-order mark", "Windows-1252 umlauts",
              "undecodable", "truncated", "empty file", "header only", "duplicated header",
              "duplicate identifiers", "Likert value 0", "Likert value 6", "Likert value 99", "Likert value -99",
              "text in a numeric", "renamed column", "missing column", "extra wave file", "conflicting demographics",
              "no person linkable", "all items missing", "without variance", "constant in one group",
              "minimum cell size", "cannot converge"]
    names = " | ".join(CASES)
    assert [w for w in wanted if w not in names] == []


@pytest.mark.parametrize("case", [c for c in catalogue.CASES if c.proven_in and "::" not in c.proven_in])
def test_details_are_proven_in_tests_io(case):
    test = case.proven_in.split()[0]
    assert f"def {test}(" in (TESTS_IO / "test_bad_input.py").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the command line


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ilb_eval", *args], capture_output=True, text=True,
                          timeout=180, cwd=cwd)


def problem_lines(result) -> list[str]:
    return [line for line in (result.stdout + result.stderr).splitlines() if PROBLEM_LINE.match(line)]


def assert_clean(result, tmp_path):
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert catalogue.CANARY not in output and "keine Angabe" not in output
    assert str(tmp_path) not in result.stderr or "wrote" in result.stdout  # no absolute paths in errors


VALIDATE = [
    "wrong delimiter (',' where ';' is declared)",
    "undecodable bytes",
    "duplicate identifiers within a wave",
    "Likert value -99 (undeclared missing code)",
    "missing column in one wave",
    "unexpected extra wave file",
]


@pytest.mark.parametrize("name", VALIDATE)
def test_cli_validate_one_line_per_problem(tmp_path, name):
    case = CASES[name]
    outcome = catalogue.run_case(case, tmp_path)
    built_study = next((tmp_path / "definition").glob("*.study.json"))
    hashes = _inputs(tmp_path)
    result = cli("validate", "--study", str(built_study), "--data", str(tmp_path / "data"))
    lines = problem_lines(result)
    codes = [PROBLEM_LINE.match(line).group(1) for line in lines]
    expected = [p.code for p in outcome.problems]
    assert sorted(codes) == sorted(expected), result.stdout
    line = next(line for line in lines if f"[{case.code}]" in line)
    assert case.file in line and "Fix: " in line
    if case.column:
        assert f"column '{case.column}'" in line
    if case.stage == "io-warning":
        assert result.returncode == 0 and line.lstrip().startswith("warning")
    else:
        assert result.returncode == 2 and line.lstrip().startswith("error")
    assert_clean(result, tmp_path)
    assert _inputs(tmp_path) == hashes


def test_cli_describe_input_error_one_line_and_debug_traceback(tmp_path):
    case = CASES["text in a numeric column"]
    catalogue.run_case(case, tmp_path)
    study = str(next((tmp_path / "definition").glob("*.study.json")))
    result = cli("describe", "--study", study, "--data", str(tmp_path / "data"))
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("error: [") for line in lines), result.stderr
    assert any("[WRONG_TYPE] eap_t1.csv, column 'age', rows 3, 8 (2 in all)" in line for line in lines)
    assert_clean(result, tmp_path)
    debug = cli("--debug", "describe", "--study", study, "--data", str(tmp_path / "data"))
    assert debug.returncode != 0 and "Traceback" in debug.stderr and "InputError" in debug.stderr
    assert catalogue.CANARY not in debug.stdout + debug.stderr


@pytest.mark.parametrize("name", [
    "an outcome without variance",
    "a covariate constant in one group",
    "a group smaller than the minimum cell size",
])
def test_cli_fit_input_error(tmp_path, name):
    case = CASES[name]
    built = case.build(tmp_path)
    result = cli("fit", "--data", str(built.csv), *built.fit_args)
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: [{case.code}] growth.csv, column '{case.column}':") and "Fix: " in line
    assert_clean(result, tmp_path)
    if case.code == "SMALL_GROUP":  # --debug after the command name works as well
        debug = cli("fit", "--debug", "--data", str(built.csv), *built.fit_args)
        assert "Traceback" in debug.stderr and "InputError" in debug.stderr


@pytest.mark.parametrize("name", [
    "weighting: a treatment column that is not 0/1",
    "weighting: groups that do not overlap (perfect separation)",
])
def test_cli_balance_input_error(tmp_path, name):
    case = CASES[name]
    built = case.build(tmp_path)
    hashes = _inputs(tmp_path)
    result = cli("balance", "--data", str(built.csv), *built.fit_args, "--out", str(tmp_path / "weighted.csv"))
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: [{case.code}] balance.csv, column '{case.column}'") and "Fix: " in line
    assert_clean(result, tmp_path)
    assert _inputs(tmp_path) == hashes and not (tmp_path / "weighted.csv").exists()


def test_cli_fit_not_converged_exits_3_with_one_error_line(tmp_path):
    built = CASES["a model that cannot converge (max_iter 1)"].build(tmp_path)
    out = tmp_path / "out" / "fit.json"
    out.parent.mkdir()
    result = cli("fit", "--data", str(built.csv), *built.fit_args, "--json", str(out))
    assert result.returncode == 3
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: [NOT_CONVERGED] The optimizer did not converge") and "Fix: " in line
    payload = json.loads(out.read_text())
    assert payload["converged"] is False
    assert all(p["est"] is None for p in payload["params"] if p["op"] == "~1" and p["lhs"] in ("i", "s"))
    assert "Traceback" not in result.stderr


def test_cli_study_definition_error(tmp_path):
    bad = tmp_path / "broken.study.json"
    bad.write_text('{"name": "X", "waves": [', encoding="utf-8")
    result = cli("validate", "--study", str(bad), "--data", str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and "broken.study.json" in line


def test_cli_missing_data_folder(tmp_path):
    study = catalogue.wavefiles.copy_study("EAP", tmp_path / "definition")
    result = cli("validate", "--study", str(study), "--data", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "Traceback" not in result.stdout + result.stderr
    # one line about the folder, not one "not found" per wave file (issue 18, item 5)
    assert result.stderr.splitlines() == ["error: [DATA_FOLDER] nowhere: the data folder does not exist. "
                                          "Fix: pass the folder that holds the wave files with --data."]


def test_error_classes_are_the_package_own():
    for case in catalogue.CASES:
        if issubclass(case.error, Warning):
            assert issubclass(case.error, IlbEvalWarning)
        else:
            assert issubclass(case.error, IlbEvalError) and issubclass(case.error, ValueError)
