"""Shared fixtures: the shipped example study read through the io and prep layers."""

from __future__ import annotations

import warnings

import pandas as pd
import pyreadstat
import pytest

from ilb_eval.io import load_waves
from ilb_eval.prep import build_panel
from ilb_eval.resources import example_dir
from ilb_eval.study import load_study


@pytest.fixture(scope="session")
def example():
    """The folder of the shipped example study."""
    return example_dir()


@pytest.fixture(scope="session")
def raw_waves(example):
    """The raw export frames per sample and wave, read directly (not through the io layer)."""
    frames = {"EAP": {}, "ZP": {}}
    for wave in ("t1", "t3", "t4"):
        frames["EAP"][wave] = pd.read_csv(
            example / f"eap_{wave}.csv", sep=";", decimal=",", encoding="windows-1252",
            keep_default_na=False, na_values=[""], dtype={"code": str},
        )
        frames["ZP"][wave], _ = pyreadstat.read_sav(str(example / f"zp_{wave}.sav"), user_missing=True)
    return frames


@pytest.fixture(scope="session")
def panels(example):
    """Study and panel per sample, built by the io and prep layers."""
    result = {}
    for name in ("EAP", "ZP"):
        study = load_study(name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result[name] = (study, build_panel(study, load_waves(study, example)))
    return result


@pytest.fixture(scope="session")
def truth(example):
    """The true parameter table of the example study."""
    return pd.read_csv(example / "true_parameters.csv", keep_default_na=False)
