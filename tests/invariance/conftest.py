"""The shared report run of the test session (``report_run`` of tests/conftest.py) under the name ``run``."""

import pytest


@pytest.fixture(scope="session")
def run(report_run):
    return report_run
