"""MLR (robust sandwich SEs, Yuan-Bentler Mplus scaled test) against lavaan 0.6-14.

Tolerances as in the issue: SEs |ours - lavaan| <= 1e-4 + 2e-3 |lavaan|, the
scaled statistic and the scaling factor within 1e-3 relative.
"""

from __future__ import annotations

import warnings
from functools import cache

import numpy as np
import pandas as pd
import pytest
from growth_refs import fit_kwargs, load_data, reference, spec_by_name

from ilb_eval.growth import GrowthResults, fit_growth

MLR_NAMES = ["demo_mar_cond_mlr", "ilb_a_cond_mlr", "ilb_a_mg_cond_mlr", "demo_mar_uncond_mlr",
             "demo_mar_basis_mlr"]
KEY = ["lhs", "op", "rhs", "group_label"]


@cache
def mlr_fit(name: str) -> GrowthResults:
    spec = spec_by_name(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_growth(load_data(spec["data"]), estimator="MLR", **fit_kwargs(spec))


def merged(name: str) -> pd.DataFrame:
    ref = pd.DataFrame(reference(name)["params"])
    ref["group_label"] = ref["group_label"].astype(str)
    return ref.merge(mlr_fit(name).params, on=KEY, suffixes=("_lav", ""), validate="1:1")


@pytest.mark.parametrize("name", MLR_NAMES)
def test_estimates_and_robust_standard_errors(name):
    both = merged(name)
    assert len(both) == len(reference(name)["params"])
    assert np.allclose(both["est"], both["est_lav"], atol=1e-4, rtol=1e-3)
    ok = np.isclose(both["se"], both["se_lav"], atol=1e-4, rtol=2e-3)
    assert ok.all(), both.loc[~ok, KEY + ["se", "se_lav"]]
    assert np.allclose(both["pvalue"].fillna(-1), both["pvalue_lav"].fillna(-1), atol=1e-3)


@pytest.mark.parametrize("name", MLR_NAMES)
def test_scaled_test(name):
    ref = reference(name)["fit"]
    fit = mlr_fit(name).fit
    for key in ("chisq.scaled", "chisq.scaling.factor"):
        assert fit[key.replace(".", "_")] == pytest.approx(ref[key], rel=1e-3), key
    assert fit["df_scaled"] == ref["df.scaled"]
    assert fit["pvalue_scaled"] == pytest.approx(ref["pvalue.scaled"], abs=1e-3)
    assert fit["chisq"] == pytest.approx(ref["chisq"], rel=1e-3)  # unscaled = ML


@pytest.mark.parametrize("name", [n for n in MLR_NAMES if n != "demo_mar_cond_mlr"])
def test_scaled_fit_measures(name):
    ref = reference(name)["fit"]
    fit = mlr_fit(name).fit
    assert fit["baseline_chisq_scaled"] == pytest.approx(ref["baseline.chisq.scaled"], rel=1e-3)
    assert fit["baseline_chisq_scaling_factor"] == pytest.approx(
        ref["baseline.chisq.scaling.factor"], rel=1e-3
    )
    for key in ("cfi.scaled", "tli.scaled", "rmsea.scaled"):
        assert fit[key.replace(".", "_")] == pytest.approx(ref[key], abs=1e-4), key


def test_ml_fit_has_no_scaled_measures():
    spec = spec_by_name("demo_mar_cond_mlr")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_growth(load_data(spec["data"]), **fit_kwargs(spec)).fit
    assert "chisq_scaled" not in fit
