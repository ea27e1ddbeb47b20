"""Edited copies of the example study for the report tests: other study definitions, fewer iLB users.

Loaded by file path (tests/report is not a package) from the test modules
that need it. Study definitions are copies of the shipped ones edited as JSON;
the EAP exports (CSV, Windows-1252, ``;``) are edited cell by cell as text,
so everything else in them stays byte for byte as shipped.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from ilb_eval.resources import example_dir, schemas_dir
from ilb_eval.study import Study, load_study

#: Parts of a study definition a generic study may leave out.
OPTIONAL_PARTS = ("ilb_use", "has_control_group", "item_blocks", "ilb_details", "covariates", "demographics",
                  "time", "domains")


def study_copy(folder: Path, sample: str, edit: Callable[[dict, dict], None]) -> Study:
    """Copy a shipped study definition and its table schemas into ``folder``, edit them, load the copy."""
    folder.mkdir(parents=True, exist_ok=True)
    document = json.loads((schemas_dir() / f"{sample}.study.json").read_text(encoding="utf-8"))
    tables = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in schemas_dir().glob(f"{sample}_*.table.json")}
    edit(document, tables)
    for name, table in tables.items():
        (folder / name).write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    path = folder / f"{sample}.study.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return load_study(path)


def rename_waves(document: dict, tables: dict, names: dict[str, tuple[str, float]],
                 files: dict[str, str] | None = None) -> None:
    """Give the waves new names and time scores (``{"t3": ("t2", 1)}``); ``files`` adds waves read from a file."""
    waves = []
    for wave in document["waves"]:
        new, score = names[wave["name"]]
        tables[wave["table_schema"]]["wave"] = new
        waves.append({**wave, "name": new, "time_score": score, "label": {"de": f"Befragung {new}",
                                                                         "en": f"Survey {new}"}})
    for new, (source, score) in (files or {}).items():
        old = next(w for w in document["waves"] if w["name"] == source)
        schema = f"{document['name'].lower()}_{new}.table.json"
        tables[schema] = {**tables[old["table_schema"]], "name": f"{document['name'].lower()}_{new}", "wave": new}
        waves.append({**old, "name": new, "time_score": score, "table_schema": schema,
                      "label": {"de": f"Befragung {new}", "en": f"Survey {new}"}})
    document["waves"] = waves
    order = [w["name"] for w in waves]
    for scale in document["scales"]:
        scale["waves"] = order
    for block in document.get("item_blocks", {}).values():
        block["waves"] = [names[w][0] for w in block["waves"]]
    if "ilb_details" in document:
        document["ilb_details"]["waves"] = [names[w][0] for w in document["ilb_details"]["waves"]]
    if "ilb_use" in document and "up_to_wave" in document["ilb_use"]:
        document["ilb_use"]["up_to_wave"] = names[document["ilb_use"]["up_to_wave"]][0]
    document.pop("time", None)


def strip_optional(document: dict, tables: dict) -> None:
    """Leave out every optional part (no control group, no iLB use, no blocks, no covariates)."""
    for part in OPTIONAL_PARTS:
        document.pop(part, None)
    for scale in document["scales"]:
        scale.pop("domain", None)


def data_copy(folder: Path, *, interviews: bool = True) -> Path:
    """A copy of the example exports (optionally without the coded interviews)."""
    shutil.copytree(example_dir(), folder, ignore=None if interviews else shutil.ignore_patterns("interviews.csv"))
    return folder


def _edit_csv(path: Path, edit: Callable[[list[str], list[list[str]]], None]) -> None:
    raw = path.read_bytes().decode("cp1252")
    newline = "\r\n" if "\r\n" in raw else "\n"
    lines = raw.split(newline)
    header = lines[0].split(";")
    rows = [line.split(";") for line in lines[1:] if line]
    edit(header, rows)
    tail = [""] if raw.endswith(newline) else []
    path.write_bytes(newline.join([";".join(header)] + [";".join(r) for r in rows] + tail).encode("cp1252"))


def keep_ilb_users(folder: Path, n: int) -> Path:
    """Leave ``n`` persons who report iLB use in the EAP exports of ``folder`` (everyone else answers 0).

    The persons kept are the first ``n`` codes with a reported use, in file order.
    """
    files = sorted(folder.glob("eap_t*.csv"))
    codes: list[str] = []

    def collect(header: list[str], rows: list[list[str]]) -> None:
        c, u = header.index("code"), header.index("ilb_genutzt")
        codes.extend(r[c] for r in rows if r[u] == "1")

    for path in files:
        _edit_csv(path, collect)
    keep = set(list(dict.fromkeys(codes))[:n])

    def drop(header: list[str], rows: list[list[str]]) -> None:
        c, u = header.index("code"), header.index("ilb_genutzt")
        for r in rows:
            if r[u] == "1" and r[c] not in keep:
                r[u] = "0"

    for path in files:
        _edit_csv(path, drop)
    return folder


def constant_column(folder: Path, column: str, value: str) -> Path:
    """Give every non-empty, non-missing-code cell of ``column`` in the EAP exports the same ``value``."""
    def fix(header: list[str], rows: list[list[str]]) -> None:
        j = header.index(column)
        for r in rows:
            if r[j] and not r[j].startswith("-"):
                r[j] = value

    for path in sorted(folder.glob("eap_t*.csv")):
        _edit_csv(path, fix)
    return folder


def shifted_copy(folder: Path, source: str, target: str, items: tuple[str, ...]) -> Path:
    """``target``: a copy of the EAP export ``source`` in ``folder`` whose item answers of every other row are
    one point higher (at most 5), so that a wave read from it is not the same data as ``source``."""
    shutil.copy(folder / source, folder / target)

    def shift(header: list[str], rows: list[list[str]]) -> None:
        columns = [header.index(c) for c in items if c in header]
        for k, r in enumerate(rows):
            if k % 2:
                for j in columns:
                    if r[j] in ("1", "2", "3", "4"):
                        r[j] = str(int(r[j]) + 1)

    _edit_csv(folder / target, shift)
    return folder / target
