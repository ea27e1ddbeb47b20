"""``python -m ilb_eval sem``: the command-line contract, against the library result.

The data are the lavaan reference data (``hs_mar.csv``) written with empty
cells for missing values; the library fit of the same call is the
reference fit of the parity tests (``mg_scalar_mlr``), so the numbers the
command writes are lavaan's within the parity tolerances.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sem_refs import load_data, our_fit

from ilb_eval.cli import main
from ilb_eval.files import sha256_file

HS_MODEL = "visual  =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed   =~ x7 + x8 + x9\n"


@pytest.fixture
def files(tmp_path):
    data = load_data("hs_mar.csv").copy()
    data["w"] = 1.0
    data["one"] = 1
    data["grade2"] = data["grade"]
    path = tmp_path / "hs.csv"
    data.to_csv(path, index=False)  # missing values as empty cells
    model = tmp_path / "model.lav"
    model.write_text(HS_MODEL)
    return tmp_path, path, model


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["sem", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_prints_the_summary_and_writes_json_as_fit_does(files, capsys):
    folder, data, model = files
    out_json = folder / "fit.json"
    code, out, err = run(capsys, "--model", str(model), "--data", str(data), "--function", "cfa",
                         "--group", "school", "--group-equal", "loadings,intercepts",
                         "--estimator", "MLR", "--json", str(out_json))  # fmt: skip
    assert code == 0, err
    library = our_fit("mg_scalar_mlr")
    assert out.splitlines()[1:] == library.summary().as_text().splitlines()[1:]
    assert "Group 2 [Grant-White]:" in out and "Sandwich" in out
    payload = json.loads(out_json.read_text())
    assert set(payload) == {"params", "fit", "converged", "warnings", "n_dropped", "seconds",
                            "status", "model", "lavaan_syntax", "ilb_eval_version", "input"}  # fmt: skip
    assert payload["model"]["syntax"] == HS_MODEL
    assert payload["model"]["function"] == "cfa"
    assert payload["model"]["group_equal"] == ["loadings", "intercepts"]
    assert payload["input"]["file"] == "hs.csv"
    assert payload["input"]["sha256"] == sha256_file(data)
    assert payload["lavaan_syntax"] == library.to_lavaan(data_file="hs.csv")
    for key, value in library.fit.items():
        assert payload["fit"][key] == pytest.approx(value, rel=1e-6, abs=1e-9), key
    ours = pd.DataFrame(payload["params"])
    np.testing.assert_allclose(ours["est"].astype(float), library.params["est"], rtol=1e-6)
    assert list(ours["group"]) == list(library.params["group"])


def test_bad_syntax_is_one_line_with_line_and_column(files, capsys):
    folder, data, _ = files
    model = folder / "bad.lav"
    model.write_text("visual =~ x1 + x2 +\n  + x3\n")
    code, out, err = run(capsys, "--model", str(model), "--data", str(data))
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "error: [MODEL_SYNTAX] bad.lav: line 2, column 3: the model syntax cannot be read "
        "(expected a variable name after '+'; found '+'). Fix: remove the extra '+' or write "
        "the missing variable."
    ]


@pytest.mark.parametrize(
    ("model", "extra", "code_word"),
    [
        ("visual =~ x1 + x2 + xx3\n", [], "[MISSING_COLUMN] hs.csv, column 'xx3': the variable is "
                                            "named in the model (model.lav)"),
        ("visual =~ x1 + x2 + x3\n", ["--cluster", "one"], "[ONE_CLUSTER] hs.csv, column 'one'"),
        ("visual =~ x1 + x2 + x3\n", ["--cluster", "agency"], "[MISSING_COLUMN] hs.csv, column 'agency'"),
    ],
)  # fmt: skip
def test_data_that_do_not_fit_the_model_exit_2(files, capsys, model, extra, code_word):
    folder, data, model_file = files
    model_file.write_text(model)
    code, out, err = run(capsys, "--model", str(model_file), "--data", str(data), *extra)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and code_word in err, err


def test_non_positive_weights_exit_2(files, capsys):
    folder, data, model = files
    frame = pd.read_csv(data)
    frame.loc[5, "w"] = -1.0
    frame.to_csv(data, index=False)
    code, out, err = run(capsys, "--model", str(model), "--data", str(data), "--weights", "w")
    assert code == 2 and out == ""
    assert err.startswith("error: [BAD_WEIGHTS] hs.csv, column 'w', row 7 (1 in all)")


def test_singular_information_prints_no_estimates_and_exits_3(files, capsys):
    folder, data, model = files
    model.write_text("visual =~ x1 + x2 + x3\nvisual ~ grade + grade2\n")  # a covariate twice
    out_json = folder / "fit.json"
    code, out, err = run(capsys, "--model", str(model), "--data", str(data), "--json", str(out_json))
    assert code == 3
    assert out == ""
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: [INFO_SINGULAR]")
    assert "INFO_SINGULAR" in json.loads(out_json.read_text())["status"]["warnings"]


def test_not_converged_shows_na_and_exits_3(files, capsys):
    _, data, model = files
    code, out, err = run(capsys, "--model", str(model), "--data", str(data), "--max-iter", "1")
    assert code == 3
    assert "did NOT end normally after 1 iteration" in out
    assert "** WARNING ** Estimates below are most likely unreliable" in out
    loading = next(line for line in out.splitlines() if line.startswith("    x2 "))
    assert loading.split()[1:] == ["NA"] * 4  # estimate, standard error, Std.lv, Std.all
    assert [line[:24] for line in err.splitlines() if line.startswith("error:")] == [
        "error: [NOT_CONVERGED] T"
    ]


@pytest.mark.parametrize("target", ["data", "model"])
def test_json_never_overwrites_an_input(files, capsys, target):
    _, data, model = files
    before = {p: p.read_bytes() for p in (data, model)}
    out = data if target == "data" else model
    code, _, err = run(capsys, "--model", str(model), "--data", str(data), "--json", str(out))
    assert code == 2 and "error:" in err
    assert {p: p.read_bytes() for p in (data, model)} == before


def test_an_unknown_group_equal_type_is_a_usage_error(files, capsys):
    _, data, model = files
    with pytest.raises(SystemExit) as exit_info:
        main(["sem", "--model", str(model), "--data", str(data), "--group", "school",
              "--group-equal", "loadings,loading"])  # fmt: skip
    assert exit_info.value.code == 2
    assert "argument --group-equal: 'loading' is not a parameter type" in capsys.readouterr().err


def test_a_model_error_names_the_model_file(files, capsys):
    _, data, model = files
    model.write_text("visual =~ x1 + a*x2 + x3\na == b\n")
    code, out, err = run(capsys, "--model", str(model), "--data", str(data))
    assert code == 2 and out == ""
    assert err.startswith("error: model.lav: model syntax, line 2: 'a == b' uses b, which is not")


#: The rows of docs/BAD_INPUT.md's "Model syntax and models" table: model, extra arguments, and
#: how the data file is changed.
BAD_INPUT_ROWS = {
    "a '+' without a variable": ("visual =~ x1 + x2 +\n  + x3\n", [], None),
    "an interaction term (a construct the engine does not fit)": (
        "visual =~ x1 + x2 + x3\nvisual ~ ageyr:grade\n", [], None),
    "a variable that is neither a data column nor a latent variable": (
        "visual =~ x1 + x2 + xx3\n", [], None),
    "a constraint on a label that no parameter has": ("visual =~ x1 + a*x2 + x3\na == b\n", [], None),
    "a negative sampling weight": ("visual =~ x1 + x2 + x3\n", ["--weights", "w"], (5, "w", -1.0)),
    "a cluster column with one cluster": ("visual =~ x1 + x2 + x3\n", ["--cluster", "one"], None),
}  # fmt: skip


def _doc_rows() -> dict[str, str]:
    text = (Path(__file__).resolve().parents[2] / "docs" / "BAD_INPUT.md").read_text()
    section = text.split("## Model syntax and models", 1)[1].split("\n## ", 1)[0]
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| ")]
    return {cells[0].removeprefix("| "): cells[3].removesuffix(" |") for cells in rows[1:]}


def test_bad_input_rows_are_what_sem_prints(files, capsys):
    rows = _doc_rows()
    assert set(rows) == set(BAD_INPUT_ROWS)
    folder, data, model = files
    original = data.read_bytes()
    for name, (text, extra, edit) in BAD_INPUT_ROWS.items():
        data.write_bytes(original)
        if edit is not None:
            frame = pd.read_csv(data)
            frame.loc[edit[0], edit[1]] = edit[2]
            frame.to_csv(data, index=False)
        model.write_text(text)
        code, out, err = run(capsys, "--model", str(model), "--data", str(data), *extra)
        errors = [line.removeprefix("error: ") for line in err.splitlines() if line.startswith("error:")]
        assert code == 2 and out == "", name
        assert errors == [rows[name]], name
