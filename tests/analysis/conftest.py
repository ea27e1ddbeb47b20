"""Fixtures of the analysis tests on the shared report run (``report_run``, ``canary_data``: tests/conftest.py)."""

from __future__ import annotations

import pytest


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
