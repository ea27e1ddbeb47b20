"""Read an SPSS ``.sav`` wave export with pyreadstat.

``user_missing=True`` keeps user-defined missing codes (-99, -77, ...) as
values; the codes declared in the file and the value labels are kept on the
table. Only the declared columns are read (``usecols``). ``pandas.read_spss``
is never used: it turns missing codes into NaN and drops all metadata.
Row numbers are counted as in a CSV export of the file: the header is row 1,
the first case is row 2. pyreadstat runs in a child process
(:mod:`ilb_eval.io.sav_worker`): readstat can crash on a damaged file, and a
crash must become a problem report, not the end of the program.

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
import json
import math
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from ilb_eval.io.codes import make_problem
from ilb_eval.io.dialect import Dialect
from ilb_eval.io.table import RawTable

__all__ = ["read_sav"]


_WORKER = Path(__file__).with_name("sav_worker.py")
_TIMEOUT_SECONDS = 120


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _unreadable(raw: RawTable, reason: str) -> RawTable:
    raw.problems.append(
        make_problem(
            "UNREADABLE_FILE", f"the file cannot be read as an SPSS .sav file ({reason})",
            file=raw.file, expected="an SPSS .sav file", fix="export the wave again from SPSS or the survey tool as .sav",
        )
    )
    raw.readable = False
    return raw


def _codes(ranges: list[list[object]]) -> tuple[float, ...]:
    """Discrete user-missing codes; a true range lo..hi contributes its whole numbers."""
    codes: list[float] = []
    for lo, hi in ranges:
        if not isinstance(lo, int | float) or not isinstance(hi, int | float):
            continue
        if lo == hi:
            codes.append(float(lo))
        elif math.isfinite(lo) and math.isfinite(hi) and hi - lo <= 1000:
            codes.extend(float(v) for v in range(math.ceil(lo), math.floor(hi) + 1))
    return tuple(codes)


def _run_worker(path: Path, usecols: Sequence[str] | None) -> dict[str, object] | str:
    """The worker's JSON answer, or the reason it failed."""
    request = json.dumps({"path": str(path), "usecols": None if usecols is None else list(usecols)})
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(_WORKER)], input=request, capture_output=True, text=True,
            timeout=_TIMEOUT_SECONDS, check=False,
        )
    except subprocess.TimeoutExpired:
        return f"reading took more than {_TIMEOUT_SECONDS} s"
    if done.returncode != 0:
        return "the SPSS reader crashed on it; the file is probably damaged"
    try:
        answer = json.loads(done.stdout)
    except json.JSONDecodeError:
        return "the SPSS reader gave no usable answer"
    if not answer.get("ok"):
        return str(answer.get("error", "unknown error"))
    return answer


def read_sav(path: Path, usecols: Sequence[str] | None = None) -> RawTable:
    """Read a .sav file into a :class:`RawTable` (never raises for bad content).

    Parameters
    ----------
    path:
        The file (read-only).
    usecols:
        The declared column names: only these are read (``None``: all columns).
    """
    raw = RawTable(file=path.name, sha256=_sha256(path))
    if os.path.getsize(path) == 0:
        raw.problems.append(
            make_problem("EMPTY_FILE", "the file is empty", file=raw.file, found="0 bytes", fix="export the wave again")
        )
        raw.readable = False
        return raw
    answer = _run_worker(path.resolve(), usecols)
    if isinstance(answer, str):
        return _unreadable(raw, answer)
    raw.header = list(answer["header"])  # type: ignore[call-overload]
    raw.dialect = Dialect(format="sav", encoding=answer.get("encoding") or None)  # type: ignore[arg-type]
    raw.n_rows = int(answer["n_rows"])  # type: ignore[call-overload]
    columns: dict[str, list[object]] = answer["columns"]  # type: ignore[assignment]
    if columns:
        raw.rows = list(range(2, raw.n_rows + 2))
        raw.cells = {name: [None if _blank(v) else v for v in values] for name, values in columns.items()}
    raw.value_labels = {
        name: {(float(v) if isinstance(v, int | float) else v): label for v, label in pairs}
        for name, pairs in answer["value_labels"].items()  # type: ignore[union-attr]
    }
    raw.column_labels = dict(answer.get("column_labels", {}))  # type: ignore[call-overload]
    raw.user_missing = {
        name: codes for name, ranges in answer["missing_ranges"].items() if (codes := _codes(ranges))  # type: ignore[union-attr]
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
    return value is None or (isinstance(value, str) and not value.strip())
