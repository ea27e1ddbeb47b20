"""The raw exports of a study as ``init`` sees them: read, typed, named, grouped into waves.

Used by :mod:`ilb_eval.study.draft`. :func:`read_exports` reads every export
in a folder through :func:`ilb_eval.io.formats.read_file` (a CSV that is not
UTF-8 is read again as Windows-1252, as German Excel writes it) and types each
column (numbers, else text); :func:`waves_among` keeps the exports that share
columns; :func:`wave_names` names the waves after what differs between the
file names; :func:`field_names` gives every export column a study field name.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from ilb_eval.exceptions import InputError
from ilb_eval.io.codes import errors_only, make_problem
from ilb_eval.io.formats import SUFFIXES, read_file
from ilb_eval.io.table import RawTable
from ilb_eval.io.values import parse_numbers, to_strings
from ilb_eval.study.naming import field_name, natural_key

__all__ = [
    "Export",
    "Note",
    "describe_dialect",
    "field_names",
    "is_empty",
    "pooled",
    "read_exports",
    "title",
    "user_missing",
    "value_labels",
    "wave_names",
    "waves_among",
]

_WAVE_NAME_OK = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class Note:
    """One line of what ``init`` inferred (``"inferred"``) or what a person must check (``"check"``)."""

    kind: Literal["inferred", "check"]
    text: str


@dataclass
class Export:
    """One export as read: typed columns by export name, and the wave it was taken as."""

    path: Path
    raw: RawTable
    numbers: dict[str, np.ndarray]
    texts: dict[str, list[str | None]]
    wave: str = ""

    @property
    def columns(self) -> list[str]:
        return [c for c in dict.fromkeys(self.raw.header) if c and (c in self.numbers or c in self.texts)]


def _read(path: Path, sheet: str | None) -> tuple[RawTable, list[Note]]:
    """Read one export; a CSV that is not UTF-8 is read again as Windows-1252 (German Excel)."""
    dialect = {"sheet": sheet} if sheet and path.suffix.lower() == ".xlsx" else None
    raw = read_file(path, None, dialect=dialect)
    if any(p.code == "ENCODING" for p in raw.problems) and path.suffix.lower() != ".xlsx":
        again = read_file(path, None, dialect={"encoding": "windows-1252"})
        if not errors_only(again.problems):
            return again, [Note("check", f"{path.name}: not UTF-8; read as Windows-1252 (German Excel) - check umlauts")]
    return raw, []


def _typed(raw: RawTable) -> tuple[dict[str, np.ndarray], dict[str, list[str | None]]]:
    decimal = raw.dialect.decimal if raw.dialect is not None and raw.dialect.decimal else "."
    numbers, texts = {}, {}
    for name, cells in raw.cells.items():
        parsed = parse_numbers(cells, decimal)
        if not parsed.text and not parsed.other_mark:
            numbers[name] = parsed.values
        else:
            texts[name] = to_strings(cells)
    return numbers, texts


def read_exports(data_dir: Path, sheet: str | None) -> tuple[list[Export], list[Note]]:
    """Every readable export in the folder, in file-name order; raises with every problem of unreadable ones."""
    if not data_dir.is_dir():
        raise InputError([make_problem(
            "FILE_NOT_FOUND", "the data folder does not exist or is not a folder", file=data_dir.name,
            fix="pass the folder that holds the wave exports with --data",
        )])
    paths = sorted((p for p in data_dir.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES),
                   key=lambda p: natural_key(p.name))
    exports, notes, problems = [], [], []
    for path in paths:
        raw, read_notes = _read(path, sheet)
        notes += read_notes
        errors = errors_only(raw.problems)
        if errors or not raw.readable or raw.dialect is None:
            problems += errors or raw.problems
            continue
        numbers, texts = _typed(raw)
        exports.append(Export(path, raw, numbers, texts))
    if problems:
        raise InputError(problems)
    return exports, notes


def waves_among(exports: list[Export], data_dir: Path) -> tuple[list[Export], list[Note]]:
    """The exports that share columns with another export (a wave); the others are left out."""
    notes = []
    waves = []
    for export in exports:
        shared = max((len(set(export.columns) & set(o.columns)) for o in exports if o is not export), default=0)
        if shared >= 2:
            waves.append(export)
        else:
            notes.append(Note("check", f"{export.path.name}: shares no columns with the other exports, so it is not "
                                       "taken as a wave (move it out of the folder, or check its column names)"))
    if len(waves) < 2:
        raise InputError([make_problem(
            "TOO_FEW_EXPORTS",
            f"the folder holds {len(exports)} readable export(s), {len(waves)} of them sharing columns with another; "
            "a study needs at least two waves",
            file=data_dir.name, expected="two or more exports (CSV, .sav, .xlsx) of the same questionnaire",
            found=f"{len(exports)} readable data file(s)",
            fix="put the exports of every wave of the study into the folder",
        )])
    return waves, notes


def wave_names(stems: Sequence[str]) -> list[str]:
    """What differs between the file names (``eap_t1``/``eap_t3`` -> ``t1``/``t3``), else ``w1``, ``w2``, ...

    >>> wave_names(["eap_t1", "eap_t3", "eap_t4"]), wave_names(["results-survey118273", "results-survey245511"])
    (['t1', 't3', 't4'], ['w1', 'w2'])
    """
    prefix = os.path.commonprefix(list(stems))
    suffix = os.path.commonprefix([s[::-1] for s in stems])[::-1]
    differing = [s[len(prefix): len(s) - len(suffix)] for s in stems]
    if all(d.isdigit() for d in differing) and max(map(len, differing)) >= 4:  # survey ids, not wave numbers
        return [f"w{i + 1}" for i in range(len(stems))]
    while prefix and prefix[-1].isalnum():
        prefix = prefix[:-1]
    while suffix and suffix[0].isalnum():
        suffix = suffix[1:]
    names = [field_name(s[len(prefix): len(s) - len(suffix)] or s) for s in stems]
    if len(set(names)) == len(names) and all(n[0] in _WAVE_NAME_OK and len(n) <= 32 and not n.startswith("v_")
                                             for n in names):
        return names
    return [f"w{i + 1}" for i in range(len(stems))]


def field_names(exports: Sequence[Export]) -> dict[str, str]:
    """One study field name per export column name, the same in every wave, distinct."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for export in exports:
        for column in export.columns:
            if column in mapping:
                continue
            base = field_name(column)
            name, k = base, 2
            while name in used:
                name, k = f"{base}_{k}", k + 1
            mapping[column] = name
            used.add(name)
    return mapping


def is_empty(export: Export, column: str) -> bool:
    """Whether the column has no value in this export."""
    if column in export.numbers:
        return bool(np.isnan(export.numbers[column]).all())
    return all(cell is None for cell in export.texts.get(column, ()))


def value_labels(exports: Sequence[Export], column: str) -> dict[float, str]:
    """The .sav value labels of a numeric column, from any export that has them."""
    out: dict[float, str] = {}
    for e in exports:
        for value, label in e.raw.value_labels.get(column, {}).items():
            if isinstance(value, float):
                out.setdefault(value, label)
    return out


def user_missing(exports: Sequence[Export], column: str) -> set[float]:
    """The .sav user-missing codes of a column, over all exports."""
    return {float(c) for e in exports for c in e.raw.user_missing.get(column, ())}


def pooled(exports: Sequence[Export], column: str) -> np.ndarray:
    """The numbers of a column, all exports one after the other."""
    parts = [e.numbers[column] for e in exports if column in e.numbers]
    return np.concatenate(parts) if parts else np.array([])


def title(exports: Sequence[Export], column: str) -> str | None:
    """The .sav variable label (question text) of a column, if any export has one."""
    return next((e.raw.column_labels[column] for e in exports if column in e.raw.column_labels), None)


def describe_dialect(raw: RawTable) -> str:
    """How an export is written, in a few words (for the notes)."""
    d = raw.dialect
    assert d is not None
    if d.format != "csv":
        return d.format + (f", sheet {d.sheet!r}" if d.sheet else "")
    names = {",": "','", ";": "';'", "\t": "tab", ".": "'.'"}
    text = f"csv, {d.encoding}{' with BOM' if d.bom else ''}, delimiter {names[str(d.delimiter)]}, decimal {names[str(d.decimal)]}"
    return text + (f", {d.extra_header_rows} header rows skipped" if d.extra_header_rows else "")
