"""estimate_weights: balance reached per method, normalisation, trimming, warnings, recovery of a known effect."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from ilb_eval.exceptions import SpecError, WeightingWarning
from ilb_eval.weighting import estimate_weights, trim_weights

COVARIATES = ["score_t1", "age", "degree", "female"]


def _confounded(seed: int = 4, n: int = 1500, effect: float = 0.3) -> pd.DataFrame:
    """Treatment more likely with low scores and young age; outcome depends on both and on treatment."""
    rng = np.random.default_rng(seed)
    score = rng.normal(3.6, 0.6, n)
    age = rng.normal(38, 9, n)
    degree = rng.integers(0, 2, n)
    female = (rng.random(n) < 0.7).astype(int)
    eta = -1.2 - 1.5 * (score - 3.6) - 0.04 * (age - 38) + 0.4 * degree
    ilb = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    outcome = 1.0 + 0.5 * score - 0.01 * age + 0.2 * degree + effect * ilb + rng.normal(0, 0.3, n)
    return pd.DataFrame({"ilb": ilb, "score_t1": score, "age": age, "degree": degree, "female": female, "y": outcome})


@pytest.fixture(scope="module")
def data():
    return _confounded()


def _quiet(**kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WeightingWarning)
        return estimate_weights(**kwargs)


def test_entropy_att_balances_every_mean_exactly_and_normalises(data):
    result = estimate_weights(data, "ilb", COVARIATES)
    assert (result.method, result.estimand) == ("entropy", "ATT")
    assert result.balance["smd_after"].abs().max() < 1e-8
    assert result.balance["smd_before"].abs().max() > 0.3
    treated = data["ilb"] == 1
    assert (result.weights[treated] == 1.0).all()
    assert result.weights[~treated].sum() == pytest.approx(treated.sum())
    assert result.ess["treated"] == pytest.approx(treated.sum())
    assert result.ess["control"] < (~treated).sum()
    assert result.warnings == ()


def test_entropy_ate_balances_both_groups_to_the_whole_sample(data):
    result = estimate_weights(data, "ilb", COVARIATES, estimand="ATE")
    treated = (data["ilb"] == 1).to_numpy()
    w = result.weights.to_numpy()
    overall = data[COVARIATES].mean().to_numpy()
    for group in (treated, ~treated):
        np.testing.assert_allclose(w[group] @ data.loc[group, COVARIATES].to_numpy() / w[group].sum(), overall, atol=1e-8)
        assert w[group].sum() == pytest.approx(len(data))


def test_second_moments_balance_the_variances(data):
    first = estimate_weights(data, "ilb", COVARIATES)
    second = estimate_weights(data, "ilb", COVARIATES, moments=2)
    treated = (data["ilb"] == 1).to_numpy()
    w = second.weights.to_numpy()
    for name in ("score_t1", "age"):
        x = data[name].to_numpy()
        # population-form weighted variances are equal exactly (means and squares balanced)
        var1 = np.var(x[treated])
        m0 = w[~treated] @ x[~treated] / w[~treated].sum()
        var0 = w[~treated] @ (x[~treated] - m0) ** 2 / w[~treated].sum()
        assert var0 == pytest.approx(var1, rel=1e-8)
    vr_first = first.balance.set_index("covariate")["variance_ratio_after"]
    vr_second = second.balance.set_index("covariate")["variance_ratio_after"]
    assert abs(vr_second["score_t1"] - 1) < abs(vr_first["score_t1"] - 1)
    assert abs(vr_second["score_t1"] - 1) < 0.01


def test_ipw_weights_are_the_statsmodels_glm_odds(data):
    result = _quiet(data=data, treatment="ilb", covariates=COVARIATES, method="ipw")
    fit = sm.GLM(data["ilb"], sm.add_constant(data[COVARIATES]), family=sm.families.Binomial()).fit()
    e = fit.fittedvalues.to_numpy()
    treated = (data["ilb"] == 1).to_numpy()
    odds = e[~treated] / (1 - e[~treated])
    expected = odds * treated.sum() / odds.sum()
    np.testing.assert_allclose(result.weights.to_numpy()[~treated], expected, rtol=1e-9)
    np.testing.assert_allclose(result.propensity.to_numpy(), e, rtol=1e-9)


def test_overlap_weights_balance_exactly(data):
    result = estimate_weights(data, "ilb", COVARIATES, method="overlap")
    assert result.estimand == "ATO"
    assert result.balance["smd_after"].abs().max() < 1e-7
    with pytest.raises(SpecError, match="ATO"):
        estimate_weights(data, "ilb", COVARIATES, method="overlap", estimand="ATT")


def test_weighted_difference_recovers_the_effect_the_raw_difference_misses(data):
    truth = 0.3
    y, treated = data["y"].to_numpy(), (data["ilb"] == 1).to_numpy()
    raw = y[treated].mean() - y[~treated].mean()
    assert abs(raw - truth) > 0.15  # confounded: users start lower
    for method in ("entropy", "ipw"):
        w = _quiet(data=data, treatment="ilb", covariates=COVARIATES, method=method).weights.to_numpy()
        weighted = y[treated].mean() - w[~treated] @ y[~treated] / w[~treated].sum()
        # outcome linear in the covariates: entropy balancing removes the bias exactly up to noise
        assert weighted == pytest.approx(truth, abs=0.05), method


def test_trimming_caps_the_control_weights_and_is_reported(data):
    untrimmed = estimate_weights(data, "ilb", COVARIATES)
    with pytest.warns(WeightingWarning, match="balance not reached"):
        trimmed = estimate_weights(data, "ilb", COVARIATES, trim=0.9)
    treated = (data["ilb"] == 1).to_numpy()
    assert trimmed.trim == 0.9
    w0 = untrimmed.weights.to_numpy()[~treated]
    w1 = trimmed.weights.to_numpy()[~treated]
    assert w1.max() / w1.min() < w0.max() / w0.min()
    assert trimmed.ess["control"] > untrimmed.ess["control"]
    assert any("balance not reached" in w for w in trimmed.warnings)


def test_trim_weights_uses_the_nearest_order_statistic():
    w = np.arange(1.0, 11.0)
    mask = np.ones(10, dtype=bool)
    # R quantile(1:10, .9, type = 3) = 9
    assert trim_weights(w, mask, 0.9).max() == 9.0
    with pytest.raises(ValueError):
        trim_weights(w, mask, 1.2)


def test_ipw_with_a_misspecified_model_warns_about_imbalance():
    rng = np.random.default_rng(8)
    n = 800
    x = rng.normal(size=n)
    ilb = (rng.random(n) < 1 / (1 + np.exp(-(x**2 - 1.5)))).astype(int)
    frame = pd.DataFrame({"ilb": ilb, "x": x, "x2": x**2 + rng.normal(0, 0.01, n)})
    with pytest.warns(WeightingWarning):
        result = estimate_weights(frame, "ilb", ["x", "x2"], method="ipw")
    assert result.warnings


def test_to_dict_holds_one_entry_per_covariate(data):
    payload = estimate_weights(data, "ilb", COVARIATES).to_dict()
    assert [entry["covariate"] for entry in payload["balance"]] == COVARIATES
    entry = payload["balance"][0]
    for key in ("smd_before", "smd_after", "variance_ratio_before", "variance_ratio_after", "effective_sample_size"):
        assert key in entry
    assert set(entry["effective_sample_size"]) == {"treated", "control"}
    binary = payload["balance"][2]
    assert binary["type"] == "binary" and binary["variance_ratio_after"] is None


def test_unknown_settings_are_refused(data):
    with pytest.raises(SpecError):
        estimate_weights(data, "ilb", COVARIATES, method="cbps")
    with pytest.raises(SpecError):
        estimate_weights(data, "ilb", COVARIATES, estimand="ATC")
    with pytest.raises(SpecError):
        estimate_weights(data, "ilb", COVARIATES, method="ipw", moments=2)
