"""The catalogue of bad inputs: how to make each one, and what the package must answer.

Each :class:`Case` writes a small study (a copy of the shipped EAP definition
and three valid wave files, made with the helpers of ``tests/io/conftest.py``)
into a folder, breaks it in one way, and names the exact error class and
problem code the package must raise or warn with. :func:`run_case` runs the
real code (``load_waves`` / ``validate_study_data`` -> ``build_panel`` ->
``growth_data`` -> ``fit_growth``; ``estimate_weights`` for the weighting
cases) and returns what happened, so the same
table drives ``test_catalogue.py`` and the user-facing list in
``docs/BAD_INPUT.md``::

    python tests/robustness/bad_inputs.py > docs/BAD_INPUT.md   # the table part
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ilb_eval.exceptions import (
    ConvergenceWarning,
    IlbEvalError,
    InputError,
    MissingDataWarning,
    Problem,
)
from ilb_eval.growth import GrowthModel, GrowthSpec
from ilb_eval.io import load_waves, read_table, validate_study_data
from ilb_eval.prep import build_panel
from ilb_eval.study import Study, load_study
from ilb_eval.study.draft import draft_study
from ilb_eval.weighting import estimate_weights

_spec = importlib.util.spec_from_file_location(
    "io_wavefiles_robustness", Path(__file__).resolve().parents[1] / "io" / "conftest.py"
)
wavefiles = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(wavefiles)

CANARY = wavefiles.CANARY
N = 24  # rows per wave file


@dataclass
class Built:
    """A broken study on disk: the study definition, the data folder and (growth cases) a CSV."""

    study_path: Path
    data_dir: Path
    csv: Path | None = None
    fit_args: tuple[str, ...] = ()
    read_args: dict = dataclasses.field(default_factory=dict)  # read_table keyword arguments (table cases)


@dataclass(frozen=True)
class Case:
    """One bad input.

    ``stage``: ``"io"`` (load_waves raises), ``"io-warning"`` (validation
    reports a warning, loading succeeds), ``"prep"`` (build_panel warns),
    ``"growth"`` (the model raises or warns), ``"balance"`` (weighting raises).
    ``rows``: the spreadsheet rows
    the problem must name (``None``: not row-specific). ``proven_in``: the
    tests/io test that checks the details of the message.
    """

    name: str
    stage: str
    error: type
    code: str
    file: str | None
    column: str | None
    rows: tuple[int, ...] | None
    build: Callable[[Path], Built]
    proven_in: str = ""


# --------------------------------------------------------------------------- builders


def _study(folder: Path, edit=None) -> tuple[Study, Path]:
    path = wavefiles.copy_study("EAP", folder / "definition", edit=edit)
    return load_study(path), path


def _valid(folder: Path, *, linked: bool = False, edit=None, seed: int = 5):
    """Valid wave files; ``linked``: the same persons (codes, gender, degree) in every wave."""
    study, path = _study(folder, edit)
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    frames = {}
    for i, wave in enumerate(study.waves):
        frame = wavefiles.make_frame(wave, n=N, seed=seed + i)
        if linked:
            frame["code"] = [f"{CANARY}{k:04d}X" for k in range(N)]
            if frames:  # time-constant person values as at t1
                for field in ("gender", "abschluss", "programm", "staatsangehoerigkeit"):
                    frame[field] = frames["t1"][field].to_numpy()
        frames[wave.name] = frame
    return study, path, data, frames


def _write(study: Study, data: Path, frames, **dialect) -> None:
    for wave in study.waves:
        wavefiles.write_wave(frames[wave.name], data / wave.file, wave, **(dialect if wave.name == "t1" else {}))


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\r\n")


def _set_lines(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"\r\n".join(lines))


def build_wrong_delimiter(folder):
    study, path, data, frames = _valid(folder)
    _write(study, data, frames, delimiter=",", decimal=".")
    return Built(path, data)


def _undeclare(key):
    def edit(document):
        document["waves"][0]["dialect"].pop(key, None)
    return edit


def build_mixed_delimiter(folder):
    study, path, data, frames = _valid(folder, edit=_undeclare("delimiter"))
    _write(study, data, frames)
    file = data / "eap_t1.csv"
    lines = _lines(file)
    for i in range(1, len(lines)):  # data rows 2, 4, 6, ... written with commas
        if i % 2 and lines[i]:
            lines[i] = lines[i].replace(b",", b".").replace(b";", b",")
    _set_lines(file, lines)
    return Built(path, data)


def build_decimal_comma(folder):
    def point(document):
        document["waves"][0]["dialect"]["decimal"] = "."
    study, path, data, frames = _valid(folder, edit=point)
    frames["t1"].loc[[4, 9], "ilb_dauer_termin"] = 45.5
    _write(study, data, frames, decimal=",")  # the decimal comma although '.' is declared
    return Built(path, data)


def build_bom(folder):
    study, path, data, frames = _valid(folder)
    _write(study, data, frames, encoding="utf-8", bom=True)
    return Built(path, data)


def _utf8(document):
    document["waves"][0]["dialect"]["encoding"] = "utf-8"


def build_cp1252_in_utf8(folder):
    study, path, data, frames = _valid(folder, edit=_utf8)
    frames["t1"]["code"] = frames["t1"]["code"].astype(object)
    frames["t1"].loc[3, "code"] = "MÜ" + CANARY
    _write(study, data, frames, encoding="utf-8")
    file = data / "eap_t1.csv"
    lines = _lines(file)
    lines[8] = lines[8].replace(b";", "ä;".encode("cp1252"), 1)  # row 9: a Windows-1252 byte
    _set_lines(file, lines)
    return Built(path, data)


def build_undecodable(folder):
    study, path, data, frames = _valid(folder)
    _write(study, data, frames)
    file = data / "eap_t1.csv"
    lines = _lines(file)
    lines[6] = lines[6].replace(b";", b"\x81;", 1)  # row 7: 0x81 is undefined in Windows-1252
    _set_lines(file, lines)
    return Built(path, data)


def build_truncated(folder):
    study, path, data, frames = _valid(folder)
    _write(study, data, frames)
    file = data / "eap_t1.csv"
    content = file.read_bytes().rstrip(b"\r\n")
    file.write_bytes(content[: content.rindex(b";") - 40])  # the last row cut off mid-line
    return Built(path, data)


def build_empty(folder):
    study, path, data, frames = _valid(folder)
    _write(study, data, frames)
    (data / "eap_t1.csv").write_bytes(b"")
    return Built(path, data)


def build_header_only(folder):
    study, path, data, frames = _valid(folder)
    frames["t1"] = frames["t1"].iloc[:0]
    _write(study, data, frames)
    return Built(path, data)


def build_duplicate_header(folder):
    study, path, data, frames = _valid(folder)
    frame = frames["t1"].copy()
    frame.insert(8, "fk_1 ", frame["fk_1"])  # 'fk_1' twice once names are stripped
    frames["t1"] = frame
    _write(study, data, frames)
    return Built(path, data)


def build_duplicate_ids(folder):
    study, path, data, frames = _valid(folder)
    frame = frames["t1"].astype({"code": object})
    frame.loc[11, "code"] = frame.loc[5, "code"]
    frames["t1"] = frame
    _write(study, data, frames)
    return Built(path, data)


def _likert(value):
    def build(folder):
        study, path, data, frames = _valid(folder)
        frames["t1"].loc[[6, 15], "fk_1"] = float(value)
        _write(study, data, frames)
        return Built(path, data)
    return build


def build_text_in_numeric(folder):
    study, path, data, frames = _valid(folder)
    frame = frames["t1"].astype({"age": object})
    frame.loc[[3, 8], "age"] = "keine Angabe"
    frames["t1"] = frame
    _write(study, data, frames)
    return Built(path, data)


def build_renamed_column(folder):
    study, path, data, frames = _valid(folder)
    frames["t3"] = frames["t3"].rename(columns={"fk_1": "FK1"})
    _write(study, data, frames)
    return Built(path, data)


def build_missing_column(folder):
    study, path, data, frames = _valid(folder)
    frames["t3"] = frames["t3"].drop(columns=["fk_2"])
    _write(study, data, frames)
    return Built(path, data)


def build_extra_wave_file(folder):
    study, path, data, frames = _valid(folder)
    _write(study, data, frames)
    (data / "eap_t5.csv").write_bytes((data / "eap_t4.csv").read_bytes())
    return Built(path, data)


def build_conflicting_demographics(folder):
    study, path, data, frames = _valid(folder, linked=True)
    frames["t3"].loc[7, "gender"] = 3.0 - frames["t1"].loc[7, "gender"]  # 1 <-> 2
    _write(study, data, frames)
    return Built(path, data)


def build_unlinkable_wave(folder):
    study, path, data, frames = _valid(folder, linked=True)
    frames["t4"]["code"] = [f"{CANARY}{k:04d}QQQ" for k in range(N)]  # nobody of t1/t3
    _write(study, data, frames)
    return Built(path, data)


def build_empty_scale(folder):
    study, path, data, frames = _valid(folder, linked=True)
    frames["t3"][["be_1", "be_2", "be_3", "be_4"]] = -9.0  # declared missing code in every row
    _write(study, data, frames)
    return Built(path, data)


def _xlsx_t1(document):
    document["waves"][0]["file"] = "eap_t1.xlsx"
    document["waves"][0].pop("dialect")


def _workbook(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, frame in sheets.items():
        sheet = book.create_sheet(title)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append([None if isinstance(v, float) and np.isnan(v) else v for v in row])
    book.save(path)


def build_two_sheets(folder):
    study, path, data, frames = _valid(folder, edit=_xlsx_t1)
    _write(study, data, frames)
    _workbook(data / "eap_t1.xlsx", {"Daten": frames["t1"].iloc[:15], "Daten (2)": frames["t1"].iloc[15:]})
    return Built(path, data)


def build_missing_sheet(folder):
    def named(document):
        _xlsx_t1(document)
        document["waves"][0]["dialect"] = {"sheet": "Daten"}
    study, path, data, frames = _valid(folder, edit=named)
    _write(study, data, frames)
    _workbook(data / "eap_t1.xlsx", {"Tabelle1": frames["t1"]})
    return Built(path, data)


def build_qualtrics_rows(folder):
    study, path, data, frames = _valid(folder)
    _write(study, data, frames)
    file = data / "eap_t1.csv"
    lines = _lines(file)
    names = lines[0].split(b";")
    texts = b";".join(b"Frage " + name for name in names)
    ids = b";".join(b'"{""ImportId"":""QID' + str(i).encode() + b'""}"' for i in range(len(names)))
    _set_lines(file, [lines[0], texts, ids, *lines[1:]])
    return Built(path, data)


def build_wave_not_in_scales(folder):
    """A fifth wave 'w5' (the t4 export under another name) that no scale lists."""
    study, path, data, frames = _valid(folder)
    _write(study, data, frames)
    table = json.loads((path.parent / "eap_t4.table.json").read_text(encoding="utf-8"))
    table.update(name="eap_w5", wave="w5")
    (path.parent / "eap_w5.table.json").write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    document = json.loads(path.read_text(encoding="utf-8"))
    document["waves"].append({**document["waves"][2], "name": "w5", "time_score": 5, "file": "eap_w5.csv",
                              "table_schema": "eap_w5.table.json"})
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    (data / "eap_w5.csv").write_bytes((data / "eap_t4.csv").read_bytes())
    return Built(path, data)


def _long_csv(folder: Path, edit) -> Built:
    """Long data (one row per person and wave) for fit --long."""
    folder.mkdir(parents=True, exist_ok=True)
    wide = growth_frame(n=30)
    wide["id"] = [f"{CANARY}{k:03d}" for k in range(len(wide))]
    long = pd.concat([wide[["id", "female"]].assign(wave=t, y=wide[f"t{t}"]) for t in (1, 3, 4)])
    long = edit(long.sort_values(["id", "wave"], kind="stable").reset_index(drop=True))
    csv = folder / "long.csv"
    long.to_csv(csv, index=False)
    args = {"long": True, "id": "id", "time": "wave", "varying": ["y"], "constant": ["female"], "numeric": ["female"]}
    return Built(folder, folder, csv=csv, read_args=args)


def build_long_duplicate(folder):
    return _long_csv(folder, lambda long: pd.concat([long.iloc[:6], long.iloc[[4]], long.iloc[6:]]))


def build_long_time_varying(folder):
    def edit(long):
        long.loc[7, "female"] = 1 - long.loc[7, "female"]
        return long
    return _long_csv(folder, edit)


def build_undeclared_minus_99(folder):
    folder.mkdir(parents=True, exist_ok=True)
    frame = growth_frame()
    frame.loc[[4, 17, 30, 41, 77], "t3"] = -99.0
    csv = folder / "growth.csv"
    frame.to_csv(csv, index=False)
    return Built(folder, folder, csv=csv, read_args={"numeric": ["t1", "t3", "t4"]})


def build_one_export(folder):
    study, path, data, frames = _valid(folder)
    _write(study, data, frames)
    for name in ("eap_t3.csv", "eap_t4.csv"):
        (data / name).unlink()
    return Built(path, data)


def build_no_person_code(folder):
    study, path, data, frames = _valid(folder)
    for frame in frames.values():
        frame["code"] = None
    _write(study, data, frames)
    return Built(path, data)


def _growth_csv(folder: Path, frame: pd.DataFrame, fit_args: tuple[str, ...]) -> Built:
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / "growth.csv"
    frame.to_csv(csv, index=False)
    return Built(folder, folder, csv=csv, fit_args=fit_args)


def growth_frame(n: int = 200, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    level = rng.normal(3.5, 0.5, n)
    trend = rng.normal(0.05, 0.1, n)
    frame = pd.DataFrame({f"t{t}": level + trend * (t - 1) + rng.normal(0, 0.3, n) for t in (1, 3, 4)})
    frame["female"] = rng.integers(0, 2, n).astype(float)
    frame["ilb"] = (np.arange(n) % 4 == 0).astype(int)
    return frame


_OUTCOMES = ("--outcomes", "t1", "t3", "t4", "--time-scores", "0", "2", "3")


def build_no_variance(folder):
    frame = growth_frame()
    frame["t3"] = 3.0
    return _growth_csv(folder, frame, _OUTCOMES)


def build_constant_covariate_in_group(folder):
    frame = growth_frame()
    frame.loc[frame["ilb"] == 1, "female"] = 1.0
    return _growth_csv(folder, frame, (*_OUTCOMES, "--covariates", "female", "--group", "ilb"))


def build_small_group(folder):
    frame = growth_frame()
    frame["ilb"] = 0
    frame.loc[[3, 50, 90, 120], "ilb"] = 1  # 4 persons
    return _growth_csv(folder, frame, (*_OUTCOMES, "--group", "ilb"))


def build_not_converging(folder):
    # seed 0: one Newton step is not enough from the default start nor from any of the extra starts
    return _growth_csv(folder, growth_frame(seed=0), (*_OUTCOMES, "--max-iter", "1"))


def balance_frame(n: int = 120, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "ilb": (np.arange(n) % 4 == 0).astype(int),
        "female": rng.integers(0, 2, n),
        "degree": rng.integers(0, 2, n),
        "score_t1": np.round(rng.normal(3.6, 0.6, n), 2),
    })
    return frame


_BALANCE = ("--treatment", "ilb", "--covariates", "female", "degree", "score_t1")


def _balance_csv(folder: Path, frame: pd.DataFrame) -> Built:
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / "balance.csv"
    frame.to_csv(csv, index=False)
    return Built(folder, folder, csv=csv, fit_args=_BALANCE)


def build_treatment_not_binary(folder):
    frame = balance_frame()
    frame.loc[[2, 9], "ilb"] = 2  # rows 4 and 11
    return _balance_csv(folder, frame)


def build_covariate_constant_in_group(folder):
    frame = balance_frame()
    frame.loc[frame["ilb"] == 1, "degree"] = 1
    return _balance_csv(folder, frame)


def build_no_overlap(folder):
    frame = balance_frame()
    frame["score_t1"] = np.where(frame["ilb"] == 1, frame["score_t1"] + 5.0, frame["score_t1"])
    return _balance_csv(folder, frame)


def build_missing_covariate(folder):
    frame = balance_frame()
    frame["score_t1"] = frame["score_t1"].astype(object)
    frame.loc[[4, 30], "score_t1"] = None  # rows 6 and 32
    return _balance_csv(folder, frame)


T1, T3, T4 = "eap_t1.csv", "eap_t3.csv", "eap_t4.csv"
CASES: tuple[Case, ...] = (
    Case("wrong delimiter (',' where ';' is declared)", "io", InputError, "DIALECT_MISMATCH", T1, None, None,
         build_wrong_delimiter, "test_declared_delimiter_and_decimal_contradicted_are_reported_at_once"),
    Case("mixed delimiters in one file (every other row with ',')", "io", InputError, "RAGGED_ROW", T1, None,
         tuple(range(2, N + 2, 2)), build_mixed_delimiter, "test_ambiguous_delimiter (DIALECT_AMBIGUOUS)"),
    Case("decimal comma where a point is declared", "io", InputError, "DIALECT_MISMATCH", T1, None, (4, 9),
         build_decimal_comma, "test_declared_decimal_contradicted (the reverse)"),
    Case("UTF-8 byte-order mark where Windows-1252 is declared (read as UTF-8)", "io-warning", InputError,
         "BYTE_ORDER_MARK", T1, None, None, build_bom, "test_bom_where_windows_1252_is_declared_is_read_as_utf8_with_a_note"),
    Case("Windows-1252 umlauts in a UTF-8 file", "io", InputError, "ENCODING", T1, None, None,
         build_cp1252_in_utf8, "test_utf8_file_with_cp1252_umlauts"),
    Case("undecodable bytes", "io", InputError, "ENCODING", T1, None, None, build_undecodable,
         "test_undecodable_windows_1252"),
    Case("truncated file (last row cut off)", "io", InputError, "RAGGED_ROW", T1, None, (N + 1,), build_truncated,
         "test_truncated_last_line"),
    Case("empty file", "io", InputError, "EMPTY_FILE", T1, None, None, build_empty, "test_empty_file"),
    Case("header only", "io", InputError, "HEADER_ONLY", T1, None, None, build_header_only, "test_header_only"),
    Case("duplicated header", "io", InputError, "DUPLICATE_HEADER", T1, "fk_1", (1,), build_duplicate_header,
         "test_duplicate_header"),
    Case("duplicate identifiers within a wave", "io", InputError, "DUPLICATE_ID", T1, "code", (5, 11),
         build_duplicate_ids, "test_duplicate_ids_without_values"),
    Case("Likert value 0", "io", InputError, "OUT_OF_RANGE", T1, "fk_1", (6, 15), _likert(0), "test_out_of_range"),
    Case("Likert value 6", "io", InputError, "OUT_OF_RANGE", T1, "fk_1", (6, 15), _likert(6), "test_out_of_range"),
    Case("Likert value 99 (undeclared missing code)", "io", InputError, "SUSPECT_MISSING_CODE", T1, "fk_1",
         (6, 15), _likert(99), "test_undeclared_missing_codes"),
    Case("Likert value -99 (undeclared missing code)", "io", InputError, "SUSPECT_MISSING_CODE", T1, "fk_1",
         (6, 15), _likert(-99), "test_undeclared_missing_codes"),
    Case("text in a numeric column", "io", InputError, "WRONG_TYPE", T1, "age", (3, 8), build_text_in_numeric,
         "test_text_in_numeric_column"),
    Case("renamed column in one wave", "io", InputError, "SCHEMA_DRIFT", T3, "fk_1", None, build_renamed_column,
         "test_renamed_column_is_schema_drift"),
    Case("missing column in one wave", "io", InputError, "SCHEMA_DRIFT", T3, "fk_2", None, build_missing_column,
         "tests/io/test_waves.py::test_field_missing_in_one_wave_file_is_schema_drift"),
    Case("unexpected extra wave file", "io-warning", InputError, "UNEXPECTED_FILE", "eap_t5.csv", None, None,
         build_extra_wave_file, "tests/io/test_waves.py::test_unexpected_wave_file_is_a_warning"),
    Case("rows continued on a second worksheet", "io", InputError, "SEVERAL_SHEETS", "eap_t1.xlsx", None, None,
         build_two_sheets, "tests/io/test_sheets_and_header_rows.py::test_rows_continued_on_a_second_sheet_are_an_error_naming_the_sheets"),
    Case("a named worksheet the workbook does not have", "io", InputError, "SHEET_NOT_FOUND", "eap_t1.xlsx", None,
         None, build_missing_sheet, "tests/io/test_sheets_and_header_rows.py::test_a_named_sheet_that_is_missing_lists_the_sheets"),
    Case("Qualtrics header rows (question texts, import ids)", "io-warning", InputError, "EXTRA_HEADER_ROWS", T1,
         None, (2, 3), build_qualtrics_rows, "tests/io/test_sheets_and_header_rows.py::test_qualtrics_header_rows_in_a_csv_are_skipped"),
    Case("a wave the scales do not list", "io-warning", InputError, "WAVE_NOT_IN_SCALE", "eap.study.json", None,
         None, build_wave_not_in_scales, "tests/test_study_generic.py::test_a_wave_missing_from_scales_is_a_validation_warning_naming_both"),
    Case("init: a folder with a single export", "init", InputError, "TOO_FEW_EXPORTS", "data", None, None,
         build_one_export, "tests/test_init.py::test_too_few_exports_and_no_person_code_are_errors"),
    Case("init: no column holds a unique person code", "init", InputError, "NO_PERSON_CODE", "eap_t1.csv", None, None,
         build_no_person_code, "tests/test_init.py::test_too_few_exports_and_no_person_code_are_errors"),
    Case("fit --long: a person twice at one time", "table", InputError, "DUPLICATE_TIME", "long.csv", "wave",
         (6, 8), build_long_duplicate, "tests/io/test_read_table.py::test_a_repeated_person_and_time_is_an_error_naming_the_rows"),
    Case("fit --long: a covariate that changes over time", "table", InputError, "TIME_VARYING", "long.csv", "female",
         (8,), build_long_time_varying, "tests/io/test_read_table.py::test_a_covariate_changing_over_time_is_an_error"),
    Case("fit: -99 in an outcome, not declared with --missing-codes", "table-warning", InputError,
         "SUSPECT_MISSING_CODE", "growth.csv", "t3", (6, 19, 32, 43, 79), build_undeclared_minus_99,
         "tests/io/test_read_table.py::test_undeclared_missing_codes_are_a_warning_naming_column_and_rows"),
    Case("the same person with conflicting demographics", "prep", MissingDataWarning, "CONFLICTING_VALUES", T1,
         "gender", (7,), build_conflicting_demographics),
    Case("a wave with no person linkable to the others", "prep", InputError, "UNLINKED_WAVE", T4, "code",
         tuple(range(2, N + 2)), build_unlinkable_wave),
    Case("a scale with all items missing (in one wave)", "prep", MissingDataWarning, "EMPTY_SCALE", T3, "be_1",
         tuple(range(2, N + 2)), build_empty_scale),
    Case("an outcome without variance", "growth", InputError, "ZERO_VARIANCE", "growth.csv", "t3", None,
         build_no_variance),
    Case("a covariate constant in one group", "growth", InputError, "ZERO_VARIANCE", "growth.csv", "female", None,
         build_constant_covariate_in_group),
    Case("a group smaller than the minimum cell size", "growth", InputError, "SMALL_GROUP", "growth.csv", "ilb",
         None, build_small_group),
    Case("a model that cannot converge (max_iter 1)", "growth", ConvergenceWarning, "NOT_CONVERGED", None, None,
         None, build_not_converging),
    Case("weighting: a treatment column that is not 0/1", "balance", InputError, "BAD_TREATMENT", "balance.csv",
         "ilb", (4, 11), build_treatment_not_binary),
    Case("weighting: a covariate constant within a group", "balance", InputError, "CONSTANT_COVARIATE",
         "balance.csv", "degree", None, build_covariate_constant_in_group),
    Case("weighting: groups that do not overlap (perfect separation)", "balance", InputError, "NO_OVERLAP",
         "balance.csv", "score_t1", None, build_no_overlap),
    Case("weighting: missing covariate values", "balance", InputError, "MISSING_COVARIATE", "balance.csv",
         "score_t1", (6, 32), build_missing_covariate),
)


# --------------------------------------------------------------------------- running


@dataclass
class Outcome:
    """What the library did: the exception or warning class, and the problems (or warning texts)."""

    error: type | None
    problems: list[Problem]
    lines: list[str]


def _growth_spec(built: Built) -> tuple[GrowthSpec, int]:
    args = list(built.fit_args)
    covariates, group, max_iter = [], None, 200
    if "--covariates" in args:
        covariates = [args[args.index("--covariates") + 1]]
    if "--group" in args:
        group = args[args.index("--group") + 1]
    if "--max-iter" in args:
        max_iter = int(args[args.index("--max-iter") + 1])
    return GrowthSpec(("t1", "t3", "t4"), (0, 2, 3), covariates=tuple(covariates), group=group), max_iter


def run_case(case: Case, folder: Path) -> Outcome:
    """Build the bad input in ``folder`` and run the library on it."""
    built = case.build(folder)
    if case.stage == "balance":
        args = list(built.fit_args)
        covariates = args[args.index("--covariates") + 1:]
        try:
            estimate_weights(pd.read_csv(built.csv), args[1], covariates, file=built.csv.name)
        except IlbEvalError as error:
            return Outcome(type(error), list(error.problems), list(error.lines))
        return Outcome(None, [], [])
    if case.stage in ("table", "table-warning"):
        try:
            read = read_table(built.csv, **built.read_args)
        except IlbEvalError as error:
            return Outcome(type(error), list(error.problems), list(error.lines))
        return Outcome(None, list(read.warnings), [p.one_line() for p in read.warnings])
    if case.stage == "init":
        try:
            draft_study(built.data_dir)
        except IlbEvalError as error:
            return Outcome(type(error), list(error.problems), list(error.lines))
        return Outcome(None, [], [])
    if case.stage == "growth":
        spec, max_iter = _growth_spec(built)
        data = pd.read_csv(built.csv)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = GrowthModel(spec, max_iter=max_iter).fit(data)
            except IlbEvalError as error:
                problems = [dataclasses.replace(p, file=p.file or built.csv.name) for p in error.problems]
                return Outcome(type(error), problems, [p.one_line() for p in problems])
        relevant = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
        codes = [r for r in result.warnings if r.code == case.code]
        problems = [Problem(code=r.code, message=r.message, severity="warning") for r in codes]
        return Outcome(relevant[0].category if relevant else None, problems, [p.one_line() for p in problems])
    study = load_study(built.study_path)
    if case.stage == "io-warning":
        report = validate_study_data(study, built.data_dir)
        assert report.ok, report.as_text()
        problems = [p for p in report.problems if p.severity != "note" or p.code == case.code]
        return Outcome(None, problems, [p.one_line() for p in problems])
    try:
        tables = load_waves(study, built.data_dir)
    except IlbEvalError as error:
        return Outcome(type(error), list(error.problems), list(error.lines))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            panel = build_panel(study, tables)
        except IlbEvalError as error:
            return Outcome(type(error), list(error.problems), list(error.lines))
    categories = [w.category for w in caught if issubclass(w.category, MissingDataWarning)]
    problems = [p for p in panel.problems if p.severity != "note"]
    return Outcome(categories[0] if categories else None, problems, [p.one_line() for p in problems])


def markdown_table(root: Path) -> str:
    """The catalogue as a Markdown table, with the line a user sees (run on fresh inputs under ``root``)."""
    rows = ["| Bad input | Error class | Code | What the user sees |", "|---|---|---|---|"]
    for i, case in enumerate(CASES):
        outcome = run_case(case, root / f"case{i:02d}")
        problem = next(p for p in outcome.problems if p.code == case.code)
        line = problem.one_line()
        kind = (f"{problem.severity} in the validation report" if case.stage == "io-warning"
                else "warning of `fit`" if case.stage == "table-warning" else case.error.__name__)
        rows.append(f"| {case.name} | {kind} | `{case.code}` | {line.replace('|', '/')} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        sys.stdout.write(markdown_table(Path(folder)))
