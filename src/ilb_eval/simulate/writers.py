"""Export writers: German-Excel CSV, SPSS .sav, plain CSV tables and the manifest.

All files are written atomically (:mod:`ilb_eval.files`); the wave exports
(one row per person, like real exports) are readable by the owner only
(mode 0600), the aggregate tables and the manifest are 0644. The .sav writer is
deterministic: ReadStat stamps the file header with the current date and time
(bytes 92-108 of the 176-byte header record: ``dd Mon yy`` and ``hh:mm:ss``),
so the writer overwrites that stamp with the fixed values from the settings.
Nothing else in a .sav written by pyreadstat depends on the clock.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat

from ilb_eval.files import atomic_write_bytes, atomic_write_text, sha256_file
from ilb_eval.study import TableSchema

__all__ = ["write_csv_export", "write_manifest", "write_sav_export", "write_table"]

_SAV_DATE = slice(92, 101)
_SAV_TIME = slice(101, 109)


def _format_number(values: np.ndarray, decimal: str) -> np.ndarray:
    """Numbers as text: whole numbers without decimals, others with ``decimal`` (e.g. ``"57,5"``)."""
    result = np.full(values.shape[0], "", dtype=object)
    valid = ~np.isnan(values)
    whole = valid & (values == np.round(values))
    result[whole] = values[whole].astype(np.int64).astype(str)
    frac = valid & ~whole
    if frac.any():
        text = np.char.mod("%.10g", values[frac]).astype(object)
        result[frac] = np.char.replace(text.astype(str), ".", decimal).astype(object)
    return result


def write_csv_export(frame: pd.DataFrame, schema: TableSchema, dialect: dict[str, str], path: Path) -> Path:
    """Write one wave as German Excel writes CSV: delimiter and decimal mark from the dialect,
    Windows-1252 (or the dialect's encoding), minimal quoting, CRLF line ends, empty cells for system missing.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ilb_eval.study import load_study
    >>> wave = load_study("EAP").wave("t1")
    >>> frame = pd.DataFrame({f.name: [np.nan] for f in wave.table_schema.fields})
    >>> frame["code"] = ["AB01CD"]; frame["ilb_dauer_termin"] = [57.5]; frame["age"] = [38.0]
    >>> path = write_csv_export(frame, wave.table_schema, wave.dialect, pathlib.Path(tempfile.mkdtemp()) / "w.csv")
    >>> path.read_bytes().split(b"\\r\\n")[1][:40]
    b'AB01CD;;38;;;;;;;;57,5;;;;;;;;;;;;;;;;;;'
    """
    decimal = dialect.get("decimal", ".")
    out = {}
    for field in schema.fields:
        values = frame[field.name]
        out[field.name] = values.astype(object) if not field.is_numeric else _format_number(values.to_numpy(dtype=float), decimal)
    buffer = io.StringIO()
    pd.DataFrame(out).to_csv(
        buffer, sep=dialect.get("delimiter", ";"), index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n"
    )
    # one row per (synthetic) person in the form of a real export: microdata, owner-only like real exports
    return atomic_write_bytes(path, buffer.getvalue().encode(dialect.get("encoding", "windows-1252")), private=True)


def write_sav_export(frame: pd.DataFrame, schema: TableSchema, path: Path, stamp: dict[str, str]) -> Path:
    """Write one wave as an SPSS .sav with value labels, user-missing codes and a fixed header stamp.

    Value labels are the schema's categories plus the labels of its missing
    codes; the missing codes are declared as discrete user-missing values.
    ``stamp`` holds ``creation_date`` (``"01 Jan 24"``) and ``creation_time``
    (``"00:00:00"``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ilb_eval.study import load_study
    >>> wave = load_study("ZP").wave("t1")
    >>> frame = pd.DataFrame({f.name: [1.0] for f in wave.table_schema.fields}).assign(code=["AB01CD"])
    >>> path = write_sav_export(frame, wave.table_schema, pathlib.Path(tempfile.mkdtemp()) / "w.sav",
    ...                         {"creation_date": "01 Jan 24", "creation_time": "00:00:00"})
    >>> path.read_bytes()[92:109]
    b'01 Jan 2400:00:00'
    """
    labels: dict[str, dict[float, str]] = {}
    missing: dict[str, list[float]] = {}
    data = {}
    for field in schema.fields:
        if field.is_numeric:
            data[field.name] = frame[field.name].to_numpy(dtype=float)
            value_labels = {float(v): str(label) for v, label in (*field.categories, *field.missing_values)}
            if value_labels:
                labels[field.name] = value_labels
            if field.missing_values:
                missing[field.name] = [float(v) for v in field.missing_codes]
        else:
            data[field.name] = frame[field.name].astype(object).to_numpy()
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / path.name
        pyreadstat.write_sav(
            pd.DataFrame(data),
            raw,
            column_labels={f.name: f.title for f in schema.fields if f.title},
            variable_value_labels=labels,
            missing_ranges=missing,
        )
        content = bytearray(raw.read_bytes())
    date = stamp["creation_date"].encode("ascii")
    time = stamp["creation_time"].encode("ascii")
    if content[:4] != b"$FL2" or len(date) != 9 or len(time) != 8:
        raise ValueError("unexpected .sav header or stamp format; expected '$FL2', 'dd Mon yy' and 'hh:mm:ss'")
    content[_SAV_DATE] = date
    content[_SAV_TIME] = time
    return atomic_write_bytes(path, bytes(content), private=True)  # microdata: owner-only


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """A plain CSV table (comma, point decimal, UTF-8, LF): true parameters, interviews.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = write_table(pd.DataFrame({"a": [0.1 + 0.2]}), pathlib.Path(tempfile.mkdtemp()) / "t.csv")
    >>> path.read_text().splitlines()
    ['a', '0.3']
    """
    return atomic_write_text(path, frame.to_csv(index=False, lineterminator="\n", float_format="%.10g"))


def write_manifest(out_dir: Path, files: list[str], meta: dict[str, Any]) -> Path:
    """``manifest.json``: ``meta`` (seed, scale, settings hash, ...) and every file with its SHA-256.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_text("x")
    >>> print(write_manifest(folder, ["a.txt"], {"seed": 1}).read_text())
    {
      "seed": 1,
      "files": [
        {
          "file": "a.txt",
          "sha256": "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",
          "bytes": 1
        }
      ]
    }
    <BLANKLINE>
    """
    listing = [{"file": name, "sha256": sha256_file(out_dir / name), "bytes": (out_dir / name).stat().st_size} for name in files]
    document = {**meta, "files": listing}
    return atomic_write_text(out_dir / "manifest.json", json.dumps(document, indent=2, ensure_ascii=False) + "\n")
