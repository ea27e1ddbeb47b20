"""The report run shared with tests/report and tests/analysis (made once per test session)."""

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "_shared_run_loader_invariance", Path(__file__).parents[1] / "analysis" / "shared_run.py")
_loader = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_loader)
SHARED = _loader.load()


@pytest.fixture(scope="session")
def run(tmp_path_factory):
    return SHARED.report_run(tmp_path_factory.getbasetemp())
