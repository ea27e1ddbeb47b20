"""Fixtures every test folder may use: the shipped study definitions and the session's shared report run.

``shared_run`` is tests/analysis/shared_run.py (its canary values and epoch); ``canary_data`` the copy of
the example exports with the canaries planted; ``report_run`` the one report written on it (both studies,
German, fixed SOURCE_DATE_EPOCH), made once per test session by whichever test asks first.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from ilb_eval.study import Study, load_study

_spec = importlib.util.spec_from_file_location("_shared_run_loader", Path(__file__).parent / "analysis" / "shared_run.py")
_loader = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_loader)
SHARED_RUN = _loader.load()


@pytest.fixture(scope="session")
def eap() -> Study:
    return load_study("EAP")


@pytest.fixture(scope="session")
def zp() -> Study:
    return load_study("ZP")


@pytest.fixture(scope="session")
def shared_run():
    return SHARED_RUN


@pytest.fixture(scope="session")
def canary_data(tmp_path_factory) -> Path:
    return SHARED_RUN.canary_data(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def report_run(tmp_path_factory):
    return SHARED_RUN.report_run(tmp_path_factory.getbasetemp())
