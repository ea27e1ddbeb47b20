"""Balance diagnostics by hand: SMDs (cobalt's standardisers), variance ratios, Kish's ESS."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ilb_eval.weighting.diagnostics import (
    balance_table,
    effective_sample_size,
    smd_denominator,
    weighted_variance,
)

# treated: x = 2, 4, 6 ; b = 1, 1, 0        controls: x = 1, 2, 3, 6 ; b = 0, 1, 0, 0
FRAME = pd.DataFrame({
    "t": [1, 1, 1, 0, 0, 0, 0],
    "x": [2.0, 4.0, 6.0, 1.0, 2.0, 3.0, 6.0],
    "b": [1, 1, 0, 0, 1, 0, 0],
})
WEIGHTS = np.array([1.0, 1.0, 1.0, 0.5, 1.0, 1.0, 1.5])


def test_att_smd_uses_the_treated_sd_before_and_after():
    table = balance_table(FRAME, "t", ["x", "b"], WEIGHTS, estimand="ATT").set_index("covariate")
    # x: treated mean 4, sd 2 (variance ((-2)^2 + 0 + 2^2) / 2 = 4); control mean 3
    assert table.loc["x", "sd_denominator"] == pytest.approx(2.0)
    assert table.loc["x", "smd_before"] == pytest.approx((4.0 - 3.0) / 2.0)
    # weighted control mean: (0.5*1 + 2 + 3 + 1.5*6) / 4 = 14.5 / 4 = 3.625
    assert table.loc["x", "mean_control_weighted"] == pytest.approx(3.625)
    assert table.loc["x", "smd_after"] == pytest.approx((4.0 - 3.625) / 2.0)
    # b (binary): treated p = 2/3, sd sqrt(2/3 * 1/3); control p = 1/4, weighted 1 / 4 = .25
    sd_b = math.sqrt(2 / 9)
    assert table.loc["b", "type"] == "binary"
    assert table.loc["b", "smd_before"] == pytest.approx((2 / 3 - 1 / 4) / sd_b)
    assert table.loc["b", "smd_after"] == pytest.approx((2 / 3 - 1.0 / 4.0) / sd_b)


def test_ate_smd_uses_the_pooled_sd():
    table = balance_table(FRAME, "t", ["x"], WEIGHTS, estimand="ATE").set_index("covariate")
    # control variance of 1, 2, 3, 6: mean 3, squares 4 + 1 + 0 + 9 = 14, / 3
    pooled = math.sqrt((4.0 + 14.0 / 3.0) / 2.0)
    assert table.loc["x", "sd_denominator"] == pytest.approx(pooled)
    assert table.loc["x", "smd_before"] == pytest.approx(1.0 / pooled)


def test_ato_smd_uses_the_weighted_whole_sample_sd():
    w = WEIGHTS / WEIGHTS.sum()
    x = FRAME["x"].to_numpy()
    mean = w @ x
    variance = w @ (x - mean) ** 2 / (1 - np.sum(w**2))
    assert smd_denominator(x, FRAME["t"].to_numpy(), "ATO", WEIGHTS) == pytest.approx(math.sqrt(variance))


def test_variance_ratios_weighted_by_hand_and_none_for_binary():
    table = balance_table(FRAME, "t", ["x", "b"], WEIGHTS, estimand="ATT").set_index("covariate")
    assert table.loc["x", "variance_ratio_before"] == pytest.approx(4.0 / (14.0 / 3.0))
    # weighted control variance: normalised weights (.125, .25, .25, .375), mean 3.625
    w = np.array([0.125, 0.25, 0.25, 0.375])
    x = np.array([1.0, 2.0, 3.0, 6.0])
    var0 = np.sum(w * (x - 3.625) ** 2) / (1 - np.sum(w**2))
    assert table.loc["x", "variance_ratio_after"] == pytest.approx(4.0 / var0)
    assert np.isnan(table.loc["b", "variance_ratio_before"]) and np.isnan(table.loc["b", "variance_ratio_after"])


def test_weighted_variance_without_weights_is_the_sample_variance():
    x = np.array([1.0, 2.0, 3.0, 6.0])
    assert weighted_variance(x) == pytest.approx(np.var(x, ddof=1))
    # binary with values 1/2 (not 0/1): p (1 - p) times the squared distance
    assert weighted_variance(np.array([1.0, 2.0, 2.0, 2.0]), binary=True) == pytest.approx(0.75 * 0.25)
    assert weighted_variance(np.array([0.0, 5.0, 5.0, 5.0]), binary=True) == pytest.approx(0.75 * 0.25 * 25)


def test_kish_effective_sample_size():
    assert effective_sample_size(np.ones(7)) == 7.0
    assert effective_sample_size(WEIGHTS[3:]) == pytest.approx(4.0**2 / (0.25 + 1 + 1 + 2.25))
    assert effective_sample_size(3.0 * WEIGHTS[3:]) == pytest.approx(effective_sample_size(WEIGHTS[3:]))
