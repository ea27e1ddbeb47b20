"""Weighted and clustered growth models through the growth front end, against lavaan 0.6-14.

The references (tests/fixtures/lavaan/sem/wc_growth_*.json, weights_cluster.R)
fit the conditional three-wave growth model with lavaan's ``sampling.weights``
(which lavaan fits as MLR: sandwich standard errors, scaled test) and
``cluster``. ``fit_growth`` writes the same model (without the labels the
reference puts on the iLB effects, which change no number).
"""

from __future__ import annotations

import json
import warnings
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ilb_eval.growth import GrowthResults, fit_growth

SEM_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lavaan" / "sem"
CASES = {
    "wc_growth_w": {"sampling_weights": "w"},
    "wc_growth_w_cl": {"sampling_weights": "w", "cluster": "agency"},
    "wc_growth_cl_mlr": {"cluster": "agency", "estimator": "MLR"},
}


@cache
def _fit(name: str) -> GrowthResults:
    data = pd.read_csv(SEM_FIXTURES / "wc_sim.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_growth(data, outcomes=["y1", "y2", "y3"], time_scores=[0, 1, 2],
                          covariates=["treat", "age", "female"], **CASES[name])  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_estimates_and_robust_standard_errors_equal_lavaan(name):
    ref = json.loads((SEM_FIXTURES / f"{name}.json").read_text())
    lavaan = {(r["lhs"], r["op"], r["rhs"]): r for r in ref["params"]}
    ours = _fit(name).params
    assert len(ours) == len(lavaan)
    for row in ours.itertuples():
        expected = lavaan[(row.lhs, row.op, row.rhs)]
        assert row.est == pytest.approx(expected["est"], abs=1e-4 + 1e-3 * abs(expected["est"]))
        assert row.se == pytest.approx(expected["se"], abs=1e-4 + 2e-3 * abs(expected["se"]))


@pytest.mark.parametrize("name", list(CASES))
def test_scaled_test_equals_lavaan(name):
    ref = json.loads((SEM_FIXTURES / f"{name}.json").read_text())["fit"]
    fit = _fit(name).fit
    assert fit["ntotal"] == ref["ntotal"] and fit["df"] == ref["df"]
    for key in ("chisq", "chisq.scaled", "chisq.scaling.factor", "logl"):
        assert fit[key.replace(".", "_")] == pytest.approx(ref[key], rel=1e-3, abs=1e-3), key
    assert np.isfinite(fit["cfi_robust"]) or ref["cfi.robust"] is None
