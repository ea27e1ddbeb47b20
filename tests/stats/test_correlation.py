"""Correlations against scipy and a hand computation of the Fisher interval."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ilb_eval.exceptions import SpecError
from ilb_eval.stats import correlate, correlation_band


@pytest.fixture
def frame():
    rng = np.random.default_rng(20261120)
    x = rng.normal(size=120)
    data = pd.DataFrame({"x": x, "y1": 0.7 * x + rng.normal(size=120), "y2": rng.normal(size=120)})
    data.loc[[3, 17, 40], "y1"] = np.nan  # pairwise n must drop these
    data.loc[[5], "x"] = np.nan
    return data


def test_pearson_matches_scipy_elementwise(frame):
    res = correlate(frame, "x", ["y1", "y2"]).set_index("y")
    for y in ("y1", "y2"):
        pair = frame[["x", y]].dropna()
        ref = stats.pearsonr(pair["x"], pair[y])
        ci = ref.confidence_interval(0.95)
        assert res.loc[y, "n"] == len(pair)
        assert res.loc[y, "r"] == pytest.approx(ref.statistic, abs=1e-12)
        assert res.loc[y, "pvalue"] == pytest.approx(ref.pvalue, rel=1e-10)
        assert res.loc[y, "ci_lower"] == pytest.approx(ci.low, abs=1e-10)
        assert res.loc[y, "ci_upper"] == pytest.approx(ci.high, abs=1e-10)
    assert res.loc["y1", "n"] == 116  # 120 rows - 3 missing y1 - 1 missing x


def test_fisher_interval_by_hand():
    # r = 0.5, n = 28: z = atanh(0.5) = 0.5493061; se = 1/sqrt(25) = 0.2;
    # z ± 1.9599640*0.2 = 0.5493061 ± 0.3919928 = [0.1573133, 0.9412989];
    # tanh -> [0.1560284, 0.7358185]
    x = np.arange(28, dtype=float)
    rng = np.random.default_rng(1)
    noise = rng.normal(size=28)
    # construct y with sample correlation exactly 0.5 with x
    xc = (x - x.mean()) / x.std()
    e = noise - noise.mean()
    e = e - (e @ xc) / (xc @ xc) * xc
    e = e / e.std()
    y = 0.5 * xc + math.sqrt(1 - 0.25) * e
    res = correlate(pd.DataFrame({"x": x, "y": y}), "x", ["y"]).iloc[0]
    assert res["r"] == pytest.approx(0.5, abs=1e-12)
    assert res["ci_lower"] == pytest.approx(0.1560284, abs=2e-7)
    assert res["ci_upper"] == pytest.approx(0.7358185, abs=2e-7)


def test_spearman_matches_scipy(frame):
    res = correlate(frame, "x", ["y1"], method="spearman").iloc[0]
    pair = frame[["x", "y1"]].dropna()
    ref = stats.spearmanr(pair["x"], pair["y1"])
    assert res["r"] == pytest.approx(ref.statistic, abs=1e-12)
    assert res["pvalue"] == pytest.approx(ref.pvalue, rel=1e-10)
    se = math.sqrt((1 + res["r"] ** 2 / 2) / (len(pair) - 3))  # Bonett & Wright (2000)
    assert res["ci_upper"] == pytest.approx(math.tanh(math.atanh(res["r"]) + 1.959963984540054 * se), abs=1e-10)


def test_bands_follow_the_chapter():
    assert [correlation_band(r) for r in (0.29, 0.3, 0.49, 0.5, 0.69, 0.7, 0.95)] == [
        "gering", "mittel", "mittel", "hoch", "hoch", "sehr hoch", "sehr hoch"]
    assert correlation_band(float("nan")) == ""


def test_constant_or_tiny_pairs_give_nan(frame):
    frame = frame.assign(c=1.0)
    res = correlate(frame, "x", ["c"]).iloc[0]
    assert math.isnan(res["r"]) and res["n"] == 119


def test_unknown_column_is_a_spec_error(frame):
    with pytest.raises(SpecError, match=r"columns \['nope'\] are not in the data"):
        correlate(frame, "x", ["nope"])
