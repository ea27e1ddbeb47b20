"""Child process that reads one SPSS .sav file with pyreadstat and prints JSON.

readstat (the C library under pyreadstat) can crash the whole process on a
damaged file (a segmentation fault found by fuzzing), so
:mod:`ilb_eval.io.sav_reader` runs this file as a separate script: a crash
then becomes an ordinary "unreadable file" problem. It imports nothing from
ilb_eval (it is run as a script, not as a module, to start fast).

Protocol: a JSON object ``{"path": ..., "usecols": [...]}`` on stdin
(``"usecols": null`` reads every column); on stdout ``{"ok": true, "header":
[...], "encoding": ..., "n_rows": n, "columns": {name: [values]},
"value_labels": {name: [[value, label], ...]}, "missing_ranges": {name: [[lo,
hi], ...]}, "column_labels": {name: label}}`` or ``{"ok": false, "error": name}``.
"""

from __future__ import annotations

import json
import math
import sys


def _plain(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def main() -> int:
    import pyreadstat

    request = json.loads(sys.stdin.read())
    try:
        _, meta = pyreadstat.read_sav(request["path"], metadataonly=True)
        header = [str(name) for name in meta.column_names]
        usecols = request["usecols"] if request["usecols"] is not None else header
        wanted = [name for name in dict.fromkeys(usecols) if name in header]
        out: dict[str, object] = {"ok": True, "header": header, "encoding": meta.file_encoding,
                                  "n_rows": int(meta.number_rows or 0), "columns": {}, "value_labels": {},
                                  "missing_ranges": {}, "column_labels": {}}
        if wanted:
            frame, meta = pyreadstat.read_sav(
                request["path"], usecols=wanted, user_missing=True, apply_value_formats=False,
                disable_datetime_conversion=True,
            )
            out["n_rows"] = len(frame)
            out["columns"] = {name: [_plain(v) for v in frame[name].tolist()] for name in wanted}
            out["value_labels"] = {
                name: [[value, str(label)] for value, label in labels.items()]
                for name, labels in meta.variable_value_labels.items() if name in wanted
            }
            out["column_labels"] = {
                name: str(label) for name, label in meta.column_names_to_labels.items() if name in wanted and label
            }
            out["missing_ranges"] = {
                name: [[item["lo"], item["hi"]] for item in ranges]
                for name, ranges in meta.missing_ranges.items() if name in wanted
            }
    except Exception as error:  # every pyreadstat failure is reported, not raised
        out = {"ok": False, "error": type(error).__name__}
    sys.stdout.write(json.dumps(out, allow_nan=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
