"""Fixtures of the analysis tests: the shared report run on canary data (see shared_run.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("_shared_run_loader", Path(__file__).with_name("shared_run.py"))
_loader = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_loader)
shared = _loader.load()


@pytest.fixture(scope="session")
def canary_data(tmp_path_factory) -> Path:
    return shared.canary_data(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def report_run(tmp_path_factory):
    return shared.report_run(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def results(report_run):
    return report_run.results


@pytest.fixture(scope="session")
def eap_panel(canary_data):
    from ilb_eval.io import load_waves
    from ilb_eval.prep import build_panel
    from ilb_eval.study import load_study

    study = load_study("EAP")
    return study, build_panel(study, load_waves(study, canary_data))
