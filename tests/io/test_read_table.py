"""``read_table`` and the data loading of ``fit`` (issue 17, item 4): one code path for every format
and dialect ``validate`` reads, declared and undeclared missing codes, long data pivoted to wide.

The outside references: pandas' own CSV parser for the values read, and lavaan 0.6-14's fit of
``ilb_sim_a.csv`` (tests/fixtures/lavaan/ilb_a_cond.json) for the estimates ``fit`` prints from a
file in another format, with planted -99 codes, or in long form."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest

from ilb_eval.exceptions import InputError, SpecError
from ilb_eval.growth import fit_growth
from ilb_eval.io import read_table
from ilb_eval.io.datafile import outcome_columns

LAVAAN = Path(__file__).resolve().parents[1] / "fixtures" / "lavaan"
COVARIATES = ["ilb", "age40", "female", "program", "degree"]
OUTCOMES = ["y1", "y3", "y4"]
#: persons (0-based) whose empty y3 cell is written as -99 (five cells, as in the issue)
PLANTED = [1, 6, 10, 19, 27]


@pytest.fixture(scope="module")
def original() -> pd.DataFrame:
    """ilb_sim_a.csv as pandas reads it (the reference of the values)."""
    return pd.read_csv(LAVAAN / "ilb_sim_a.csv")


@pytest.fixture(scope="module")
def lavaan_cond() -> pd.DataFrame:
    ref = json.loads((LAVAAN / "ilb_a_cond.json").read_text())
    assert ref["spec"]["covariates"] == COVARIATES and ref["spec"]["time_scores"] == [0, 2, 3]
    return pd.DataFrame(ref["params"]).set_index(["lhs", "op", "rhs"])


def _planted(original: pd.DataFrame) -> pd.DataFrame:
    frame = original.copy()
    empty = frame.index[frame["y3"].isna()][: len(PLANTED) * 3]
    rows = [empty[i] for i in range(0, len(PLANTED) * 3, 3)]
    frame.loc[rows, "y3"] = -99.0
    frame.attrs["planted_rows"] = [r + 2 for r in rows]  # spreadsheet rows
    return frame


def _text(frame: pd.DataFrame, delimiter: str, decimal: str) -> str:
    return frame.to_csv(index=False, sep=delimiter, decimal=decimal, lineterminator="\r\n")


def write_formats(frame: pd.DataFrame, folder: Path) -> dict[str, Path]:
    """The frame as German Excel, Excel 'CSV UTF-8', SoSci Survey (UTF-16, tab), SPSS and Excel would write it."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "semicolon, decimal comma, UTF-8 BOM": folder / "excel_utf8.csv",
        "comma, point, UTF-8": folder / "plain.csv",
        "tab, UTF-16 with BOM": folder / "sosci.txt",
        "SPSS .sav": folder / "spss.sav",
        "Excel .xlsx": folder / "book.xlsx",
    }
    paths["semicolon, decimal comma, UTF-8 BOM"].write_bytes(_text(frame, ";", ",").encode("utf-8-sig"))
    paths["comma, point, UTF-8"].write_text(_text(frame, ",", "."), encoding="utf-8", newline="")
    paths["tab, UTF-16 with BOM"].write_bytes(_text(frame, "\t", ".").encode("utf-16"))
    pyreadstat.write_sav(frame, str(paths["SPSS .sav"]))
    book = openpyxl.Workbook()
    book.active.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        book.active.append([None if pd.isna(v) else float(v) for v in row])
    book.save(paths["Excel .xlsx"])
    return paths


def test_every_format_reads_the_values_pandas_reads(tmp_path, original):
    for kind, path in write_formats(original, tmp_path).items():
        read = read_table(path)
        assert list(read.frame.columns) == list(original.columns), kind
        assert read.frame.index.tolist() == list(range(2, len(original) + 2)), kind
        np.testing.assert_array_equal(read.frame.to_numpy(dtype=float), original.to_numpy(dtype=float), err_msg=kind)
        assert read.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    utf16 = read_table(tmp_path / "sosci.txt").dialect
    assert (utf16.encoding, utf16.delimiter, utf16.decimal) == ("utf-16", "\t", ".")


def test_every_format_gives_lavaans_estimates(tmp_path, original, lavaan_cond):
    for kind, path in write_formats(original, tmp_path).items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = fit_growth(read_table(path).frame, outcomes=OUTCOMES, time_scores=[0, 2, 3], covariates=COVARIATES)
        ours = result.params.set_index(["lhs", "op", "rhs"])["est"]
        lav = lavaan_cond["est"].reindex(ours.index)
        np.testing.assert_allclose(ours, lav, atol=1e-4, rtol=1e-3, err_msg=kind)


def test_undeclared_missing_codes_are_a_warning_naming_column_and_rows(tmp_path, original):
    planted = _planted(original)
    path = tmp_path / "planted.csv"
    planted.to_csv(path, index=False)
    read = read_table(path, numeric=[*OUTCOMES, *COVARIATES])
    (warning,) = read.warnings
    assert (warning.code, warning.column) == ("SUSPECT_MISSING_CODE", "y3")
    assert list(warning.rows) == planted.attrs["planted_rows"] and warning.found == "-99 (5 rows)"
    lo, hi = original["y3"].min(), original["y3"].max()
    assert warning.expected == f"values from {lo:g} to {hi:g}" and "--missing-codes -99" in warning.fix
    declared = read_table(path, missing_codes=[-99])
    assert declared.warnings == [] and declared.recoded == {"y3": 5}
    np.testing.assert_array_equal(declared.frame.to_numpy(dtype=float), original.to_numpy(dtype=float))


def test_codes_inside_the_range_of_a_column_are_not_suspect(tmp_path):
    path = tmp_path / "centred.csv"
    frame = pd.DataFrame({"x": [-12.0, -3.0, -1.0, 0.0, 4.0, 7.0], "y": [1.0, 2.0, 3.0, 9.0, 4.0, 2.0],
                          "z": [0.0, 1.0, -1.0, 1.0, 0.0, 1.0]})
    frame.to_csv(path, index=False)
    # -3 and -1 lie among the centred values; 9 lies apart from 1..4; -1 beside 0/1 answers is a code
    assert [(w.column, w.rows) for w in read_table(path).warnings] == [("y", (5,)), ("z", (4,))]


def test_sav_user_missing_codes_are_missing(tmp_path, original):
    planted = _planted(original)
    path = tmp_path / "planted.sav"
    pyreadstat.write_sav(planted, str(path), missing_ranges={"y3": [-99]})
    read = read_table(path, numeric=OUTCOMES)
    assert read.warnings == [] and read.recoded == {"y3": 5}
    np.testing.assert_array_equal(read.frame.to_numpy(dtype=float), original.to_numpy(dtype=float))


def test_text_in_a_model_column_is_an_error_elsewhere_text_is_kept(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("id,y1,y3,note\n1,3,4,a\n2,k.A.,5,b\n3,2,3,7\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_table(path, numeric=["y1", "y3"])
    (problem,) = caught.value.problems
    assert (problem.code, problem.column, problem.rows) == ("WRONG_TYPE", "y1", (3,))
    assert read_table(path).frame["note"].tolist() == ["a", "b", "7"]


def test_dialect_problems_and_unknown_columns_are_errors(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b;c\n1,2;3\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert [p.code for p in caught.value.problems] == ["DIALECT_AMBIGUOUS"]
    good = tmp_path / "good.csv"
    good.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_table(good, numeric=["a", "B"])
    assert [(p.code, p.column) for p in caught.value.problems] == [("MISSING_COLUMN", "B")]
    with pytest.raises(InputError) as caught:
        read_table(tmp_path / "none.csv")
    assert caught.value.problems[0].code == "FILE_NOT_FOUND"


# -- long data ---------------------------------------------------------------------------------

def to_long(wide: pd.DataFrame, *, time_values=(0, 2, 3)) -> pd.DataFrame:
    """One row per person and observed wave (waves without an answer have no row)."""
    parts = []
    for outcome, t in zip(OUTCOMES, time_values, strict=True):
        part = wide[["id", *COVARIATES]].assign(wave=t, y=wide[outcome])
        parts.append(part[part["y"].notna()])
    return pd.concat(parts).sort_values(["id", "wave"], kind="stable").reset_index(drop=True)


def test_long_data_pivot_to_the_wide_file(tmp_path, original):
    path = tmp_path / "long.csv"
    to_long(original).to_csv(path, index=False)
    read = read_table(path, long=True, id="id", time="wave", varying=["y"], constant=COVARIATES,
                      numeric=COVARIATES)
    assert read.long.times == (0.0, 2.0, 3.0) and read.long.columns == {"y": ("y_0", "y_2", "y_3")}
    outcomes, scores = outcome_columns(read, ["y"], None)
    assert outcomes == ("y_0", "y_2", "y_3") and scores == (0.0, 2.0, 3.0)
    observed = original.loc[original[OUTCOMES].notna().any(axis=1)].reset_index(drop=True)
    assert "id" not in read.frame.columns and read.frame.index.tolist() == list(range(1, len(observed) + 1))
    expected = observed[[*COVARIATES, *OUTCOMES]].to_numpy(dtype=float)
    np.testing.assert_array_equal(read.frame[[*COVARIATES, *outcomes]].to_numpy(dtype=float), expected)


def test_long_data_with_text_waves_need_time_scores(tmp_path, original):
    path = tmp_path / "long.csv"
    to_long(original.head(50), time_values=("t1", "t3", "t10")).to_csv(path, index=False)
    read = read_table(path, long=True, id="id", time="wave", varying=["y"])
    assert read.long.times == ("t1", "t3", "t10") and read.long.time_scores is None  # natural order
    with pytest.raises(SpecError, match="holds text"):
        outcome_columns(read, ["y"], None)
    assert outcome_columns(read, ["y"], [0, 2, 9]) == (("y_t1", "y_t3", "y_t10"), (0.0, 2.0, 9.0))
    with pytest.raises(SpecError, match="the one column"):
        outcome_columns(read, ["y", "ilb"], [0, 2, 9])


def test_a_repeated_person_and_time_is_an_error_naming_the_rows(tmp_path, original):
    long = to_long(original.head(20))
    long = pd.concat([long.iloc[:5], long.iloc[[3]], long.iloc[5:]]).reset_index(drop=True)
    path = tmp_path / "long.csv"
    long.to_csv(path, index=False)
    with pytest.raises(InputError) as caught:
        read_table(path, long=True, id="id", time="wave", varying=["y"])
    (problem,) = caught.value.problems
    assert problem.code == "DUPLICATE_TIME" and problem.rows == (5, 7) and problem.column == "wave"


def test_a_covariate_changing_over_time_is_an_error(tmp_path, original):
    long = to_long(original.head(20))
    long.loc[1, "female"] = 1 - long.loc[1, "female"]
    path = tmp_path / "long.csv"
    long.to_csv(path, index=False)
    with pytest.raises(InputError) as caught:
        read_table(path, long=True, id="id", time="wave", varying=["y"], constant=["female"])
    (problem,) = caught.value.problems
    assert problem.code == "TIME_VARYING" and problem.column == "female"
    assert set(problem.rows) == set(long.index[long["id"] == long.loc[1, "id"]] + 2)
    # not named as a model column: left out with a note
    read = read_table(path, long=True, id="id", time="wave", varying=["y"])
    assert "female" not in read.frame and [p.code for p in read.problems] == ["TIME_VARYING"]


# -- the fit command -------------------------------------------------------------------------

def fit_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ilb_eval", "fit", *args], capture_output=True, text=True,
                          timeout=300, check=False)


def _estimates(payload: dict) -> pd.Series:
    return pd.DataFrame(payload["params"]).set_index(["lhs", "op", "rhs"])["est"]


def test_fit_reads_a_german_excel_file_with_planted_codes_and_gives_lavaans_numbers(tmp_path, original, lavaan_cond):
    planted = _planted(original)
    path = tmp_path / "ilb.csv"
    path.write_bytes(_text(planted, ";", ",").encode("utf-8-sig"))
    model = ["--outcomes", *OUTCOMES, "--time-scores", "0", "2", "3", "--covariates", *COVARIATES]
    out = tmp_path / "fit.json"
    declared = fit_cli("--data", str(path), *model, "--missing-codes", "-99", "--json", str(out))
    assert declared.returncode == 0, declared.stderr
    assert "SUSPECT_MISSING_CODE" not in declared.stderr
    payload = json.loads(out.read_text())
    ours = _estimates(payload)
    np.testing.assert_allclose(ours, lavaan_cond["est"].reindex(ours.index), atol=1e-4, rtol=1e-3)
    assert payload["input"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert payload["input"]["dialect"]["delimiter"] == ";" and payload["input"]["dialect"]["bom"] is True
    assert payload["input"]["missing_codes"] == [-99.0] and payload["input"]["recoded_cells"] == {"y3": 5}
    assert payload["model"]["outcomes"] == OUTCOMES and payload["model"]["covariates"] == COVARIATES
    assert payload["lavaan_syntax"].splitlines()[1] == "i =~ 1*y1 + 1*y3 + 1*y4"
    assert "s ~ ilb + age40 + female + program + degree" in payload["lavaan_syntax"]
    from ilb_eval import __version__

    assert payload["ilb_eval_version"] == __version__
    # without --missing-codes: a warning naming column and rows, and -99 moves the estimates
    silent = fit_cli("--data", str(path), *model, "--json", str(out))
    assert silent.returncode == 0
    (line,) = [x for x in silent.stderr.splitlines() if "SUSPECT_MISSING_CODE" in x]
    assert line.startswith("warning: [SUSPECT_MISSING_CODE] ilb.csv, column 'y3', rows ") and "-99" in line
    moved = _estimates(json.loads(out.read_text()))
    assert not np.allclose(moved.to_numpy(), ours.reindex(moved.index).to_numpy(), atol=1e-3)


def test_fit_takes_long_data(tmp_path, original, lavaan_cond):
    path = tmp_path / "long.sav"
    pyreadstat.write_sav(to_long(original), str(path))
    out = tmp_path / "fit.json"
    result = fit_cli("--data", str(path), "--long", "--id", "id", "--time", "wave", "--outcomes", "y",
                     "--covariates", *COVARIATES, "--json", str(out))
    assert result.returncode == 0, result.stderr
    payload = json.loads(out.read_text())
    assert payload["model"]["outcomes"] == ["y_0", "y_2", "y_3"] and payload["model"]["time_scores"] == [0, 2, 3]
    assert payload["input"]["layout"] == "long" and payload["input"]["long"]["times"] == [0, 2, 3]
    ours = _estimates(payload).rename(index={"y_0": "y1", "y_2": "y3", "y_3": "y4"}, level="rhs")
    ours = ours.rename(index={"y_0": "y1", "y_2": "y3", "y_3": "y4"}, level="lhs")
    np.testing.assert_allclose(ours, lavaan_cond["est"].reindex(ours.index), atol=1e-4, rtol=1e-3)
    duplicate = tmp_path / "dup.csv"
    long = to_long(original.head(30))
    pd.concat([long, long.iloc[[4]]]).to_csv(duplicate, index=False)
    refused = fit_cli("--data", str(duplicate), "--long", "--id", "id", "--time", "wave", "--outcomes", "y")
    assert refused.returncode == 2 and refused.stderr.startswith("error: [DUPLICATE_TIME] dup.csv, column 'wave'")
