"""Fixtures every test folder may use: the shipped study definitions."""

from __future__ import annotations

import pytest

from ilb_eval.study import Study, load_study


@pytest.fixture(scope="session")
def eap() -> Study:
    return load_study("EAP")


@pytest.fixture(scope="session")
def zp() -> Study:
    return load_study("ZP")
