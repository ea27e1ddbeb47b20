"""GrowthResults: immutability, JSON, summary, warnings with codes, LR test, invariances."""

from __future__ import annotations

import dataclasses
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from growth_refs import load_data, our_fit

from ilb_eval.exceptions import (
    ConvergenceWarning,
    InadmissibleSolutionWarning,
    InputError,
    MissingDataWarning,
    SpecError,
)
from ilb_eval.growth import GrowthModel, GrowthSpec, fit_growth, lr_test

ILB = {"outcomes": ["y1", "y3", "y4"], "time_scores": [0, 2, 3]}


def _est(res, lhs, op, rhs=""):
    p = res.params
    return float(p.loc[(p["lhs"] == lhs) & (p["op"] == op) & (p["rhs"] == rhs), "est"].iloc[0])


def test_results_are_immutable():
    res = our_fit("ilb_a_cond")
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.converged = False  # type: ignore[misc]
    with pytest.raises(TypeError):
        res.fit["chisq"] = 0.0  # type: ignore[index]
    table = res.params
    table.loc[0, "est"] = 99.0
    assert res.params.loc[0, "est"] == 1.0


def test_params_columns_follow_lavaan_vocabulary():
    cols = list(our_fit("ilb_a_mg").params.columns)
    for name in (
        "lhs",
        "op",
        "rhs",
        "group",
        "label",
        "free",
        "est",
        "se",
        "z",
        "pvalue",
        "ci_lower",
        "ci_upper",
        "std_all",
    ):
        assert name in cols
    assert our_fit("ilb_a_mg").group_labels == ("0", "1")


def test_to_dict_is_json_safe():
    res = our_fit("ilb_a_cond")
    payload = res.to_dict()
    text = json.dumps(payload, allow_nan=False)
    back = json.loads(text)
    assert set(back) >= {"params", "fit", "converged", "warnings", "seconds"}
    row = back["params"][0]
    assert set(row) >= {
        "lhs",
        "op",
        "rhs",
        "group",
        "est",
        "se",
        "z",
        "pvalue",
        "ci_lower",
        "ci_upper",
        "std_all",
    }
    assert row["z"] is None and row["group"] == ""
    assert back["fit"]["df"] == 6


def test_summary_reads_like_lavaan():
    summary = our_fit("ilb_a_mg_eqslope").summary()
    text = summary.as_text()
    for piece in (
        "Model Test User Model",
        "Comparative Fit Index (CFI)",
        "RMSEA",
        "SRMR",
        "Latent Variables:",
        "Intercepts:",
        "Variances:",
        "Group 2 [1]:",
        "(ms)",
        "74.502",
        "0.057",
    ):
        assert piece in text
    assert str(summary) == text
    html = summary._repr_html_()
    assert html.startswith("<div") and "Group 2 [1]" in html and "<script" not in html


def test_lr_test_of_nested_fits():
    test = lr_test(our_fit("ilb_a_mg_eqslope"), our_fit("ilb_a_mg"))
    assert test.df_diff == 1
    assert test.chisq_diff == pytest.approx(74.5016482622828 - 1.57862920951226, abs=2e-3)
    assert test.pvalue < 1e-10
    with pytest.raises(SpecError, match="restricted"):
        lr_test(our_fit("ilb_a_mg"), our_fit("ilb_a_mg_eqslope"))
    with pytest.raises(SpecError, match="different numbers of persons"):
        lr_test(our_fit("demo_uncond"), our_fit("ilb_a_mg"))


def test_dropped_rows_are_counted_and_warned():
    data = load_data("ilb_sim_a.csv").copy()
    extra = pd.DataFrame(
        {
            "id": [0, 0, 0],
            "y1": [np.nan, 3.0, 3.0],
            "y3": [np.nan, 3.0, 3.0],
            "y4": [np.nan, 3.0, 3.0],
            "ilb": [0, np.nan, 1],
            "age40": [0, 0, np.nan],
            "female": 0,
            "program": 0,
            "degree": 0,
        }
    )
    with pytest.warns(MissingDataWarning, match="2 row"):
        res = fit_growth(pd.concat([data, extra]), covariates=["ilb", "age40"], **ILB)
    # as lavaan 0.6-14: rows with a missing covariate are dropped, a row whose
    # covariates are observed but every outcome missing is kept (ntotal 1738;
    # lavaan on the same data: ntotal 1738, same logl as without the row)
    assert dict(res.n_dropped) == {"missing_covariate": 2}
    assert [w.code for w in res.warnings] == ["ROWS_DROPPED"]
    assert res.ntotal == 1738
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = fit_growth(data, covariates=["ilb", "age40"], **ILB)
    assert res.fit["logl"] == pytest.approx(clean.fit["logl"], abs=1e-8)
    free = res.params["free"] > 0
    np.testing.assert_allclose(res.params.loc[free, "est"], clean.params.loc[free, "est"],
                               rtol=1e-7)  # fmt: skip


def test_negative_slope_variance_is_kept_and_warned():
    with pytest.warns(InadmissibleSolutionWarning, match="negative"):
        res = fit_growth(load_data("heywood.csv"), **ILB)
    assert _est(res, "s", "~~", "s") < 0
    assert [w.code for w in res.warnings] == ["NEG_LV_VARIANCE"]


def test_equal_time_scores_are_refused_before_fitting():
    """Equal time scores confound i and s: refused as NOT_IDENTIFIED (issue 18.6)."""
    with pytest.raises(SpecError, match="NOT_IDENTIFIED"):
        fit_growth(load_data("ilb_sim_a.csv"), outcomes=["y1", "y3", "y4"], time_scores=[1, 1, 1])


def test_unidentified_model_has_nan_standard_errors():
    """A covariate that copies another: a ridge, INFO_SINGULAR, no standard errors."""
    data = load_data("ilb_sim_a.csv").assign(copy=lambda d: d["ilb"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = fit_growth(data, outcomes=["y1", "y3", "y4"], time_scores=[0, 2, 3],
                         covariates=["ilb", "copy"])  # fmt: skip
    assert InadmissibleSolutionWarning in {w.category for w in caught}
    assert "INFO_SINGULAR" in {w.code for w in res.warnings}
    assert res.status is not None
    assert res.status.min_information_eigenvalue < 1e-6
    free = res.params[res.params["free"] > 0]
    assert free["se"].isna().all() and free["pvalue"].isna().all()
    text = res.summary().as_text()
    assert "NA" in text and "nan" not in text.lower()


def test_not_converged_reports_no_estimates():
    model = GrowthModel(GrowthSpec(("y1", "y3", "y4"), (0, 2, 3)), max_iter=1)
    with pytest.warns(ConvergenceWarning):
        res = model.fit(load_data("ilb_sim_a.csv"))
    assert not res.converged
    assert [w.code for w in res.warnings] == ["NOT_CONVERGED"]
    assert res.params.loc[res.params["free"] > 0, "est"].isna().all()
    assert np.isnan(res.fit["chisq"])
    assert json.loads(json.dumps(res.to_dict(), allow_nan=False))["converged"] is False


def test_bad_input_is_an_input_error():
    data = load_data("ilb_sim_a.csv")
    with pytest.raises(InputError, match="MISSING_COLUMN"):
        fit_growth(data, outcomes=["y1", "y3", "y5"], time_scores=[0, 2, 3])
    text = data.assign(age40=data["age40"].astype(str).replace("1", "yes"))
    with pytest.raises(InputError, match="NOT_NUMERIC.*age40"):
        fit_growth(text, covariates=["age40"], **ILB)
    with pytest.raises(SpecError, match="estimator must be one of"):
        fit_growth(data, estimator="WLS", **ILB)


def test_row_order_and_shift_and_scale_invariance():
    data = load_data("ilb_sim_a.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = fit_growth(data, covariates=["ilb"], **ILB)
        shuffled = fit_growth(data.sample(frac=1.0, random_state=3), covariates=["ilb"], **ILB)
        shifted = fit_growth(
            data.assign(y1=data.y1 + 2, y3=data.y3 + 2, y4=data.y4 + 2), covariates=["ilb"], **ILB
        )
        scaled = fit_growth(
            data.assign(y1=data.y1 * 3, y3=data.y3 * 3, y4=data.y4 * 3), covariates=["ilb"], **ILB
        )
    np.testing.assert_allclose(shuffled.params["est"], base.params["est"], rtol=1e-6, atol=1e-9)
    delta = shifted.params["est"] - base.params["est"]
    is_i_mean = (base.params["lhs"] == "i") & (base.params["op"] == "~1")
    assert delta[is_i_mean].iloc[0] == pytest.approx(2.0, rel=1e-6)
    np.testing.assert_allclose(delta[~is_i_mean], 0.0, atol=1e-6)
    assert _est(scaled, "i", "~1") == pytest.approx(3 * _est(base, "i", "~1"), rel=1e-6)
    assert _est(scaled, "s", "~~", "s") == pytest.approx(9 * _est(base, "s", "~~", "s"), rel=1e-6)
    assert scaled.fit["chisq"] == pytest.approx(base.fit["chisq"], rel=1e-6)


def test_zero_coverage_pair_is_reported():
    data = load_data("ilb_sim_a.csv").copy()
    data.loc[data["y3"].notna(), "y4"] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_growth(data, **ILB)
    codes = [w.code for w in res.warnings]
    assert "ZERO_COVERAGE" in codes and "INFO_SINGULAR" in codes
    assert "y3-y4" in next(w.message for w in res.warnings if w.code == "ZERO_COVERAGE")


def test_constant_outcome_or_covariate_is_an_input_error():
    data = load_data("ilb_sim_a.csv")
    with pytest.raises(InputError, match="ZERO_VARIANCE.*y3"):
        fit_growth(data.assign(y3=3.0), **ILB)
    with pytest.raises(InputError, match="ZERO_VARIANCE.*'c'.*in group 0"):
        fit_growth(data.assign(c=data["ilb"]), covariates=["c"], group="ilb", **ILB)
