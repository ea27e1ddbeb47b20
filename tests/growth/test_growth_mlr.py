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
from ilb_eval.growth.robust import casewise_scores
from ilb_eval.growth.saturated import saturated_structure

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


def test_casewise_scores_sum_to_the_gradient_and_vanish_at_h1():
    """The saturated model's scores add up to ~0 at its maximum (and per person they are not 0)."""
    rng = np.random.default_rng(3)
    y = rng.normal(size=(60, 3)) + np.arange(3)
    y[rng.random((60, 3)) < 0.2] = np.nan
    y[np.isnan(y).all(axis=1), 0] = 0.5
    x = rng.normal(size=(60, 1))
    from ilb_eval.growth.patterns import pattern_stats
    from ilb_eval.growth.saturated import fit_saturated

    sat = fit_saturated(pattern_stats(y, x), 3, 2)
    local = np.concatenate([sat.sigma[np.triu_indices(3)], sat.b.ravel()])
    scores = casewise_scores(saturated_structure(3, 2), local, y, x)
    assert np.abs(scores.sum(axis=0)).max() < 1e-6
    assert np.abs(scores).max() > 0.1


def test_scores_match_finite_differences_of_the_casewise_loglik():
    from ilb_eval.growth.likelihood import evaluate
    from ilb_eval.growth.patterns import pattern_stats

    rng = np.random.default_rng(4)
    y = rng.normal(size=(5, 3))
    y[0, 1] = np.nan
    x = rng.normal(size=(5, 1))
    structure = saturated_structure(3, 2)
    local = np.concatenate([np.array([1.0, 0.2, 0.1, 1.5, 0.3, 2.0]), rng.normal(size=6) * 0.1])
    scores = casewise_scores(structure, local, y, x)
    for person in range(5):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # mean of an all-missing column
            pats = pattern_stats(y[[person]], x[[person]])
        numeric = np.empty(len(local))
        for j in range(len(local)):
            step = np.zeros(len(local))
            step[j] = 1e-6
            up = evaluate(structure, local + step, pats).logl
            down = evaluate(structure, local - step, pats).logl
            numeric[j] = (up - down) / 2e-6
        assert np.allclose(scores[person], numeric, atol=1e-6)
