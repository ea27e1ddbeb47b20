"""Load the wave files of a study: one file, all files, or a full validation report.

* :func:`read_wave` reads and checks one file and returns a
  :class:`~ilb_eval.io.table.WaveTable`, or raises one
  :class:`~ilb_eval.exceptions.InputError` with every error of the file.
* :func:`validate_study_data` checks all files of a study (and the folder) and
  never raises for data problems.
* :func:`load_waves` returns all tables, or raises one InputError with all
  error-level problems of all files.

Files are opened read-only; nothing in the data folder is ever written.

>>> import pathlib, tempfile
>>> from ilb_eval.study import load_study
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> report = validate_study_data(load_study("EAP"), folder)
>>> report.ok, sorted({p.code for p in report.errors})
(False, ['FILE_NOT_FOUND'])
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from ilb_eval.exceptions import InputError, Problem
from ilb_eval.files import path_problem
from ilb_eval.io.codes import errors_only, make_problem
from ilb_eval.io.formats import read_file
from ilb_eval.io.report import FileReport, ValidationReport
from ilb_eval.io.table import RawTable, WaveTable
from ilb_eval.io.validation import build_frame, check_columns
from ilb_eval.study import Field, Study, TableSchema, Wave, coverage_warnings

__all__ = ["load_waves", "read_wave", "validate_study_data"]

def _read_raw(path: Path, wave: Wave) -> RawTable:
    """The file as read (the declared columns under their export names, then renamed)."""
    schema = wave.table_schema
    usecols = [wave.export_name(name) for name in schema.field_names]
    numeric = {wave.export_name(f.name) for f in schema.fields if f.is_numeric}
    return _apply_rename(read_file(path, usecols, numeric=numeric, dialect=wave.dialect, wave=wave.name), wave)


_SHADOWED = " (not read: the rename takes another column)"


def _apply_rename(raw: RawTable, wave: Wave) -> RawTable:
    """Give the export's columns their study field names (``rename`` of the wave).

    A column that already carries a field name the rename gives to another
    export column is not read (it keeps a marked name, so that a missing
    export column is reported, not silently replaced).
    """
    if not wave.rename:
        return raw
    targets = {t for e, t in wave.rename.items() if e != t}
    raw.header = [
        wave.rename[name] if name in wave.rename else (name + _SHADOWED if name in targets else name)
        for name in raw.header
    ]
    raw.cells = {wave.rename.get(name, name): cells for name, cells in raw.cells.items()}
    raw.value_labels = {wave.rename.get(name, name): v for name, v in raw.value_labels.items()}
    raw.user_missing = {wave.rename.get(name, name): v for name, v in raw.user_missing.items()}
    raw.column_labels = {wave.rename.get(name, name): v for name, v in raw.column_labels.items()}
    return raw


def _name_exports(problems: list[Problem], wave: Wave, header: list[str]) -> list[Problem]:
    """Say which export column a missing renamed field was looked for under."""
    exports = {target: export for export, target in wave.rename.items()}
    out = []
    for p in problems:
        if p.code in ("MISSING_COLUMN", "SCHEMA_DRIFT") and p.column in exports:
            export = exports[p.column]
            message = f"{p.message} (looked for the export column '{export}', which the wave's rename maps to it)"
            fix = p.fix
            if p.column + _SHADOWED in header:
                message += f"; the file has a column '{p.column}' itself"
                fix = f"remove \"{export}\" from the rename of wave {wave.name} in the study definition"
            p = dataclasses.replace(p, message=message, expected=f"column '{export}'", fix=fix)
        out.append(p)
    return out


def _others(study: Study | None, wave: Wave) -> dict[str, TableSchema]:
    if study is None:
        return {}
    return {w.name: w.table_schema for w in study.waves if w.name != wave.name}


def _inspect(
    raw: RawTable, wave: Wave, study: Study | None, other_headers: dict[str, list[str]] | None = None
) -> tuple[WaveTable | None, list[Problem]]:
    """Check one file as read; returns the WaveTable (``None`` if there is an error) and all problems."""
    schema = wave.table_schema
    person_id = study.person_id.field if study is not None else schema.primary_key
    problems = list(raw.problems)
    if not raw.readable:
        return None, problems
    problems += _name_exports(
        check_columns(raw, schema, person_id=person_id, other_schemas=_others(study, wave), other_headers=other_headers),
        wave, raw.header,
    )
    frame, value_problems = build_frame(raw, schema, person_id=person_id)
    problems += value_problems
    problems.sort(key=lambda p: ("error", "warning", "note").index(p.severity))
    if errors_only(problems) or raw.dialect is None:
        return None, problems
    table = WaveTable(
        wave=wave.name,
        file=raw.file,
        frame=frame[list(schema.field_names)],
        dialect=raw.dialect,
        sha256=raw.sha256,
        value_labels=raw.value_labels,
        user_missing=raw.user_missing,
        problems=tuple(problems),
    )
    return table, problems


def read_wave(path: str | Path, wave: Wave, *, study: Study | None = None) -> WaveTable:
    """Read one wave export file and check it against the wave's table schema.

    Parameters
    ----------
    path:
        The file (``.csv``/``.tsv``/``.txt``, ``.sav`` or ``.xlsx``); opened read-only.
    wave:
        The wave from the study definition: its table schema and declared dialect.
    study:
        The study, if known: gives the person identifier and the other waves'
        schemas for better messages. Without it the schema's primary key is
        the person identifier.

    Returns
    -------
    WaveTable
        ``frame`` holds exactly the declared columns; warnings and notes are in
        ``problems``.

    Raises
    ------
    InputError
        With every error-level problem of the file (the file name, column,
        row numbers, expected and found, and the fix).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from ilb_eval.study import load_study
    >>> wave = load_study("EAP").wave("t1")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "eap_t1.csv"
    >>> _ = path.write_text("code;fk_1\\nAB12;4\\n", encoding="cp1252")
    >>> try:
    ...     read_wave(path, wave)
    ... except InputError as error:
    ...     print(len(error.problems), error.problems[0].code)
    50 MISSING_COLUMN
    """
    path = Path(path)
    if not path.is_file():
        raise InputError([_not_found(path, wave)])
    table, problems = _inspect(_read_raw(path, wave), wave, study)
    if table is None:
        raise InputError(errors_only(problems) or problems)
    return table


def _not_found(path: Path, wave: Wave) -> Problem:
    folder = path.parent
    near = []
    if folder.is_dir():
        near = [p.name for p in folder.iterdir() if p.name.lower() == path.name.lower() and p.name != path.name]
    hint = f"; the folder has {near[0]!r} (check the spelling)" if near else ""
    where = f"in {folder}" if folder.is_dir() else f"because the folder {folder} {path_problem(folder, folder=True)}"
    found = path_problem(path)  # a folder or a broken link under the file's name is not "not found"
    what = f"is there, but {found}" if found != "does not exist" else f"was not found {where}{hint}"
    return make_problem(
        "FILE_NOT_FOUND", f"the export of wave {wave.name} {what}",
        file=path.name, expected=f"file {path.name}",
        fix=f"put the export of wave {wave.name} there under this name, or pass the right data folder (--data DIR)",
    )


def _schema_drift(study: Study) -> list[Problem]:
    """Fields of the same name with different types or categories across the study's table schemas."""
    problems: list[Problem] = []
    seen: dict[str, list[tuple[Wave, Field]]] = {}
    for wave in study.waves:
        for f in wave.table_schema.fields:
            seen.setdefault(f.name, []).append((wave, f))
    for name, versions in seen.items():
        types = {f.type for _, f in versions}
        if len(types) > 1:
            listed = "; ".join(f"{f.type} in {w.table_schema.path.name}" for w, f in versions)
            problems.append(
                make_problem(
                    "SCHEMA_DRIFT", f"the field has different types across waves: {listed}", column=name,
                    expected="the same type in every wave", found=", ".join(sorted(types)),
                    fix="use one type for the field in all table schemas, or give the changed item a new name",
                )
            )
        cats = {tuple(f.valid_values or ()) for _, f in versions}
        if len(cats) > 1:
            listed = "; ".join(
                f"{list(f.valid_values or ())} in {w.table_schema.path.name}" for w, f in versions
            )
            problems.append(
                make_problem(
                    "SCHEMA_DRIFT", f"the field has different categories across waves: {listed}", column=name,
                    expected="the same categories in every wave", found=f"{len(cats)} different category sets",
                    fix="align the categories in the table schemas (recode the data if the answer scale changed), "
                    "or give the changed item a new name",
                )
            )
    return problems


def _unexpected_files(study: Study, data_dir: Path) -> list[Problem]:
    """Wave-like files in the folder that the study does not declare (e.g. eap_t5.csv).

    A file is wave-like when its name is a declared file's name with the
    wave's number changed (``eap_t1.csv`` -> ``eap_t5.csv``, ``survey_wave2.sav``
    -> ``survey_wave3.sav``); waves named without a number (``pre``) give no pattern.
    """
    if not data_dir.is_dir():
        return []
    patterns = []
    for wave in study.waves:
        stem = Path(wave.file).stem
        numbered = re.fullmatch(r"(\D*?)(\d+)", wave.name)
        if numbered and wave.name in stem:
            before, _, after = stem.partition(wave.name)
            name = re.escape(numbered[1]) + r"\d+"
            patterns.append(re.compile(re.escape(before) + name + re.escape(after) + r"\.(csv|tsv|txt|sav|xlsx)", re.I))
    declared = {w.file for w in study.waves}
    problems = []
    for path in sorted(data_dir.iterdir()):
        if path.name in declared or not path.is_file():
            continue
        if any(p.fullmatch(path.name) for p in patterns):
            problems.append(
                make_problem(
                    "UNEXPECTED_FILE",
                    f"the file looks like a wave export of study {study.name}, but the study definition does not "
                    "declare it, so it is not read",
                    file=path.name, fix=f"declare the wave in {study.path.name} (name, time_score, file, "
                    "table_schema), or move the file out of the data folder",
                )
            )
    return problems


def validate_study_data(study: Study, data_dir: str | Path) -> ValidationReport:
    """Check every wave file of a study and the data folder; collect all problems.

    Parameters
    ----------
    study:
        The loaded study definition.
    data_dir:
        Folder holding the wave files under the names the study declares.

    Returns
    -------
    ValidationReport
        Never raises for data problems: ``report.ok`` tells whether the data can
        be analysed, ``report.as_text()`` explains.
    """
    data_dir = Path(data_dir)
    headers: dict[str, list[str]] = {}
    raws: dict[str, RawTable] = {}
    for wave in study.waves:
        path = data_dir / wave.file
        if path.is_file():
            raws[wave.name] = _read_raw(path, wave)
            headers[wave.file] = raws[wave.name].header
    files = []
    for wave in study.waves:
        path = data_dir / wave.file
        n_declared = len(wave.table_schema.fields)
        if not path.is_file():
            files.append(FileReport(wave.name, wave.file, False, None, None, None, 0, n_declared, None,
                                    (_not_found(path, wave),), None))
            continue
        other_headers = {f: h for f, h in headers.items() if f != wave.file}
        raw = raws[wave.name]
        table, problems = _inspect(raw, wave, study, other_headers)
        files.append(
            FileReport(
                wave=wave.name, file=wave.file, exists=True, dialect=raw.dialect,
                n_rows=raw.n_rows if raw.readable else None,
                n_columns=len(raw.header) if raw.readable else None,
                n_declared_found=len(raw.cells), n_declared=n_declared, sha256=raw.sha256 or None,
                problems=tuple(problems), table=table,
            )
        )
    study_problems = _schema_drift(study) + _unexpected_files(study, data_dir) + list(coverage_warnings(study))
    return ValidationReport(
        study=study.name, data_dir=data_dir, files=tuple(files), study_problems=tuple(study_problems)
    )


def load_waves(study: Study, data_dir: str | Path) -> dict[str, WaveTable]:
    """Load all wave files of a study.

    Returns
    -------
    dict
        ``{"t1": WaveTable, "t3": ..., "t4": ...}`` in wave order.

    Raises
    ------
    InputError
        With every error-level problem of every file (and study-wide errors
        such as schema drift), collected before raising.
    """
    report = validate_study_data(study, data_dir)
    if not report.ok:
        raise InputError(report.errors)
    return report.tables
