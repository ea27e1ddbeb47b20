"""Read an SPSS ``.sav`` wave export with pyreadstat.

``user_missing=True`` keeps user-defined missing codes (-99, -77, ...) as
values; the codes declared in the file and the value labels are kept on the
table. Only the declared columns are read (``usecols``). ``pandas.read_spss``
is never used: it turns missing codes into NaN and drops all metadata.
Row numbers are counted as in a CSV export of the file: the header is row 1,
the first case is row 2.

>>> import pathlib, tempfile, pandas as pd, pyreadstat
>>> path = pathlib.Path(tempfile.mkdtemp()) / "t1.sav"
>>> frame = pd.DataFrame({"code": ["AB12", "CD34"], "fk_1": [4.0, -99.0]})
>>> pyreadstat.write_sav(frame, str(path), missing_ranges={"fk_1": [-99]},
...                      variable_value_labels={"fk_1": {-99.0: "keine Angabe"}})
>>> raw = read_sav(path, ["code", "fk_1"])
>>> raw.cells["fk_1"], raw.user_missing, raw.value_labels
([4.0, -99.0], {'fk_1': (-99.0,)}, {'fk_1': {-99.0: 'keine Angabe'}})
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Sequence
from pathlib import Path

import pyreadstat

from ilb_eval.io.codes import make_problem
from ilb_eval.io.dialect import Dialect
from ilb_eval.io.table import RawTable

__all__ = ["read_sav"]


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _unreadable(raw: RawTable, error: Exception) -> RawTable:
    raw.problems.append(
        make_problem(
            "UNREADABLE_FILE", f"the file cannot be read as an SPSS .sav file ({type(error).__name__})",
            file=raw.file, expected="an SPSS .sav file", fix="export the wave again from SPSS or the survey tool as .sav",
        )
    )
    raw.readable = False
    return raw


def _codes(ranges: list[dict[str, float]]) -> tuple[float, ...]:
    """Discrete user-missing codes; a true range lo..hi contributes its integer values."""
    codes: list[float] = []
    for item in ranges:
        lo, hi = float(item["lo"]), float(item["hi"])
        if lo == hi:
            codes.append(lo)
        elif math.isfinite(lo) and math.isfinite(hi) and hi - lo <= 1000:
            codes.extend(float(v) for v in range(math.ceil(lo), math.floor(hi) + 1))
    return tuple(codes)


def read_sav(path: Path, usecols: Sequence[str]) -> RawTable:
    """Read a .sav file into a :class:`RawTable` (never raises for bad content).

    Parameters
    ----------
    path:
        The file (read-only).
    usecols:
        The declared column names: only these are read.
    """
    raw = RawTable(file=path.name, sha256=_sha256(path))
    if os.path.getsize(path) == 0:
        raw.problems.append(
            make_problem("EMPTY_FILE", "the file is empty", file=raw.file, found="0 bytes", fix="export the wave again")
        )
        raw.readable = False
        return raw
    try:
        _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    except Exception as error:  # pyreadstat raises its own classes for every kind of bad file
        return _unreadable(raw, error)
    raw.header = [str(name) for name in meta.column_names]
    wanted = [name for name in dict.fromkeys(usecols) if name in raw.header]
    raw.dialect = Dialect(format="sav", encoding=meta.file_encoding or None)
    if not wanted:
        raw.n_rows = int(meta.number_rows or 0)
        return raw
    try:
        frame, meta = pyreadstat.read_sav(str(path), usecols=wanted, user_missing=True, apply_value_formats=False)
    except Exception as error:  # see above
        return _unreadable(raw, error)
    raw.n_rows = len(frame)
    raw.rows = list(range(2, len(frame) + 2))
    raw.cells = {name: [None if _blank(v) else v for v in frame[name].tolist()] for name in wanted}
    raw.value_labels = {
        name: dict(labels) for name, labels in meta.variable_value_labels.items() if name in wanted
    }
    raw.user_missing = {
        name: codes
        for name, ranges in meta.missing_ranges.items()
        if name in wanted and (codes := _codes(ranges))
    }
    if raw.n_rows == 0:
        raw.problems.append(
            make_problem(
                "HEADER_ONLY", "the file has variables but no cases", file=raw.file,
                expected="at least one data row", found="0 cases", fix="export the wave with its responses",
            )
        )
    return raw


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value.strip())
