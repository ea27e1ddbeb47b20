"""Helpers of the growth-model tests: lavaan reference fits and our (cached) fits of them."""

from __future__ import annotations

import json
import warnings
from functools import cache
from pathlib import Path

import pandas as pd

from ilb_eval.growth import GrowthResults, fit_growth

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lavaan"
SHARED_SPECS = json.loads((FIXTURES / "specs_shared.json").read_text())
#: Extra references made with lavaan 0.6-14 by make_extra_references.py (Heywood
#: case, equality constraints with covariates, unequal spacing).
EXTRA_SPECS = json.loads((FIXTURES / "specs_extra.json").read_text())
SPECS = SHARED_SPECS + EXTRA_SPECS
#: References of issue 4 by make_issue4_references.py (MLR, variants, := parameters,
#: lavTestWald, lavPredict); not all are plain growth models, so not in SPECS.
ISSUE4_SPECS = json.loads((FIXTURES / "specs_issue4.json").read_text())
#: Latent-basis references that lavaan fitted to convergence (ilb_a_basis from
#: lavaan's default start stops early; see test_growth_basis.py).
BASIS_NAMES = ["demo_mar_basis", "ilb_a_basis_polished", "ilb_a_mg_basis"]
SPEC_NAMES = [s["name"] for s in SPECS] + BASIS_NAMES


@cache
def load_data(name: str) -> pd.DataFrame:
    """A fixture CSV (cached; callers must not modify it)."""
    return pd.read_csv(FIXTURES / name)


@cache
def reference(name: str) -> dict:
    """The lavaan reference JSON of one fit."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


def spec_by_name(name: str) -> dict:
    return next(s for s in SPECS + ISSUE4_SPECS if s["name"] == name)


def fit_kwargs(spec: dict) -> dict:
    """fit_growth keyword arguments for a reference spec (always ML: the ML point
    estimates of an MLR fit equal the ML ones)."""
    return {
        "outcomes": spec["outcomes"],
        "time_scores": spec["time_scores"],
        "covariates": spec.get("covariates", []),
        "group": spec.get("group"),
        "equal_intercept_means": spec.get("equal_intercept_means", False),
        "equal_slope_means": spec.get("equal_slope_means", False),
        "residual_variances": spec.get("residual_variances", "free"),
        # the first latent-basis references spell the basis out as lavaan syntax
        "time_basis": "latent" if "basis" in spec else spec.get("time_basis", "fixed"),
    }


@cache
def our_fit(name: str) -> GrowthResults:
    """Our fit of a reference spec (warnings are recorded on the result)."""
    spec = spec_by_name(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_growth(load_data(spec["data"]), **fit_kwargs(spec))
