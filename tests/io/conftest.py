"""Fixtures for the io tests: valid wave frames from the shipped table schemas,
written in any format and dialect inside tmp_path (never data/example)."""

from __future__ import annotations

import codecs
import csv
import dataclasses
import hashlib
import io
import json
from collections.abc import Iterable
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest

from ilb_eval.resources import schemas_dir
from ilb_eval.study import Study, Wave

#: Canary person codes: they must never appear in any message or output.
CANARY = "ZQX"


def make_frame(wave: Wave, n: int = 24, seed: int = 0, *, missing_share: float = 0.05) -> pd.DataFrame:
    """A valid wave frame: seeded random Likert answers, declared missing codes, unique codes.

    Numeric columns are float64, the person code is text; the index is the
    spreadsheet row (2..n+1) as the loader returns it.
    """
    rng = np.random.default_rng(seed)
    columns: dict[str, object] = {}
    for f in wave.table_schema.fields:
        if f.type == "string":
            columns[f.name] = [f"{CANARY}{seed:02d}{i:04d}" for i in range(n)]
            continue
        if f.categories:
            values = rng.choice([float(v) for v in f.valid_values], size=n)
        else:
            lo = 0.0 if f.minimum is None else float(f.minimum)
            hi = 100.0 if f.maximum is None else float(f.maximum)
            values = rng.integers(int(lo), int(hi) + 1, size=n).astype(float)
            if f.type == "number":
                values = np.minimum(values + rng.choice([0.0, 0.5, 0.25], size=n), hi)
        codes = [float(c) for c in f.missing_codes]
        if codes:
            mask = rng.random(n) < missing_share
            values[mask] = rng.choice(codes, size=int(mask.sum()))
        columns[f.name] = values.astype("float64")
    frame = pd.DataFrame(columns)
    frame.index = pd.Index(range(2, n + 2), name="row")
    return frame


def _cell(value: object, decimal: str) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    number = float(value)
    text = str(int(number)) if number.is_integer() else repr(number)
    return text.replace(".", decimal)


def csv_bytes(
    frame: pd.DataFrame,
    *,
    delimiter: str = ";",
    decimal: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
    quoting: int = csv.QUOTE_MINIMAL,
    lineterminator: str = "\r\n",
) -> bytes:
    """The frame as CSV bytes in the given dialect."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=lineterminator)
    writer.writerow(list(frame.columns))
    for row in frame.itertuples(index=False):
        writer.writerow([_cell(v, decimal) for v in row])
    data = buffer.getvalue().encode(encoding)
    return (codecs.BOM_UTF8 + data) if bom else data


def write_csv(frame: pd.DataFrame, path: Path, **dialect: object) -> Path:
    path.write_bytes(csv_bytes(frame, **dialect))  # type: ignore[arg-type]
    return path


def write_sav(frame: pd.DataFrame, path: Path, wave: Wave) -> Path:
    """The frame as SPSS .sav with the schema's missing codes as user-missing and categories as value labels."""
    schema = wave.table_schema
    missing = {f.name: [float(c) for c in f.missing_codes] for f in schema.fields if f.missing_codes and f.is_numeric}
    labels = {
        f.name: {float(v): label for v, label in (*f.categories, *f.missing_values)}
        for f in schema.fields
        if f.is_numeric and (f.categories or f.missing_values)
    }
    out = frame.reset_index(drop=True).copy()
    for f in schema.fields:
        if f.name in out and f.type == "string":
            out[f.name] = out[f.name].astype(object).where(out[f.name].notna(), "")
    pyreadstat.write_sav(out, str(path), missing_ranges=missing, variable_value_labels=labels)
    return path


def write_xlsx(frame: pd.DataFrame, path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Daten"
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, float):
                cells.append(None if np.isnan(v) else (int(v) if v.is_integer() else v))
            else:
                cells.append(v)
        sheet.append(cells)
    book.save(path)
    return path


def write_wave(frame: pd.DataFrame, path: Path, wave: Wave, **dialect: object) -> Path:
    """Write in the format of ``path``'s suffix; CSV in the wave's declared dialect unless given."""
    if path.suffix == ".sav":
        return write_sav(frame, path, wave)
    if path.suffix == ".xlsx":
        return write_xlsx(frame, path)
    settings = {
        "delimiter": wave.dialect.get("delimiter", ";"),
        "decimal": wave.dialect.get("decimal", ","),
        "encoding": {"windows-1252": "cp1252"}.get(wave.dialect.get("encoding", "utf-8"), "utf-8"),
    }
    settings.update(dialect)
    return write_csv(frame, path, **settings)


def undeclared(wave: Wave) -> Wave:
    """The wave without a declared dialect: everything is detected."""
    return dataclasses.replace(wave, dialect={})


def write_study_data(study: Study, folder: Path, seed: int = 1, n: int = 24) -> dict[str, pd.DataFrame]:
    """Valid files for every wave of the study, under the declared names; returns the frames."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = {}
    for i, wave in enumerate(study.waves):
        frames[wave.name] = make_frame(wave, n=n, seed=seed + i)
        write_wave(frames[wave.name], folder / wave.file, wave)
    return frames


def copy_study(name: str, folder: Path, edit=None, edit_tables=None) -> Path:
    """Copy a shipped study definition and its table schemas into ``folder``.

    ``edit(document)`` may change the study JSON, ``edit_tables(name, document)``
    each table schema JSON, in place. Returns the path of the copied study.
    """
    folder.mkdir(parents=True, exist_ok=True)
    source = schemas_dir() / f"{name.lower()}.study.json"
    document = json.loads(source.read_text(encoding="utf-8"))
    for wave in document["waves"]:
        table = json.loads((schemas_dir() / wave["table_schema"]).read_text(encoding="utf-8"))
        if edit_tables is not None:
            edit_tables(wave["table_schema"], table)
        (folder / wave["table_schema"]).write_text(json.dumps(table, ensure_ascii=False, indent=1), encoding="utf-8")
    if edit is not None:
        edit(document)
    target = folder / source.name
    target.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return target


def hashes(paths: Iterable[Path]) -> dict[str, tuple[str, int]]:
    """SHA-256 and mtime of each file, to prove inputs are not modified."""
    return {
        str(p): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in sorted(paths) if p.is_file()
    }


@pytest.fixture(scope="session")
def wavefiles() -> SimpleNamespace:
    """The helpers of this module, for the tests (no import of conftest needed)."""
    return SimpleNamespace(
        CANARY=CANARY, make_frame=make_frame, csv_bytes=csv_bytes, write_csv=write_csv, write_sav=write_sav,
        write_xlsx=write_xlsx, write_wave=write_wave, undeclared=undeclared, write_study_data=write_study_data,
        copy_study=copy_study, hashes=hashes,
    )
