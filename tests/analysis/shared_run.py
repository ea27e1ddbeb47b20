"""One report run shared by tests/analysis and tests/report/test_report_pipeline.py.

Loaded by file path under a fixed module name (see ``load``), so the cache
below is one per test session even though the two test folders are not
packages. The copy of the shipped export files gets a canary person code (in
the EAP t1 CSV, Windows-1252, semicolon, decimal comma) and a canary string
(as the code of a row of the EAP t4 CSV); the report is written once with a
fixed SOURCE_DATE_EPOCH.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path
from typing import Any

CANARY_CODE = "QX42ZK"
CANARY_STRING = "CANARYSTRING"
EPOCH = "1767225600"  # 2026-01-01 00:00:00 UTC
MODULE = "ilb_eval_tests_shared_run"

_CACHE: dict[str, Any] = {}


def load():
    """This module under one name, whatever imports it."""
    if MODULE not in sys.modules:
        spec = importlib.util.spec_from_file_location(MODULE, Path(__file__))
        module = importlib.util.module_from_spec(spec)
        sys.modules[MODULE] = module
        spec.loader.exec_module(module)
    return sys.modules[MODULE]


def plant(path: Path, value: str, row: int = 1) -> str:
    """Replace the identifier (first column) of data line ``row``; returns the old value."""
    raw = path.read_bytes().decode("cp1252")
    newline = "\r\n" if "\r\n" in raw else "\n"
    lines = raw.split(newline)
    cells = lines[row].split(";")
    old, cells[0] = cells[0], value
    lines[row] = ";".join(cells)
    path.write_bytes(newline.join(lines).encode("cp1252"))
    return old


def canary_data(base: Path) -> Path:
    """A copy of the example study with both canaries planted (made once)."""
    if "data" not in _CACHE:
        from ilb_eval.resources import example_dir

        target = base / "canary-data" / "example"
        shutil.copytree(example_dir(), target)
        plant(target / "eap_t1.csv", CANARY_CODE)
        plant(target / "eap_t4.csv", CANARY_STRING)
        _CACHE["data"] = target
    return _CACHE["data"]


def report_run(base: Path):
    """The default report (both studies, German) on the canary data, written once."""
    if "run" not in _CACHE:
        from ilb_eval.report.pipeline import write_report

        data = canary_data(base)
        old = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = EPOCH
        try:
            _CACHE["run"] = write_report(data, out=base / "canary-reports")
        finally:
            if old is None:
                os.environ.pop("SOURCE_DATE_EPOCH", None)
            else:
                os.environ["SOURCE_DATE_EPOCH"] = old
    return _CACHE["run"]
