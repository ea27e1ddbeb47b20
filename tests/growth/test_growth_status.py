"""The status record and every warning code, each on purpose-built data."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from growth_refs import FIXTURES, load_data, our_fit, reference

from ilb_eval.growth import GrowthResults, fit_growth

THREE = {"outcomes": ["y1", "y2", "y3"], "time_scores": [0, 1, 2]}


def quiet_fit(data: pd.DataFrame, **kwargs) -> GrowthResults:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_growth(data, **kwargs)


def codes(res: GrowthResults) -> list[str]:
    return [w.code for w in res.warnings]


def test_status_of_a_clean_fit():
    res = our_fit("ilb_a_cond")
    status = res.status
    assert status is not None and status.proper and status.converged
    assert status.iterations == res.iterations
    assert status.max_abs_gradient < 1e-4
    assert status.min_information_eigenvalue > 1.0
    assert status.n_starts == 5 and status.starts_agree
    data = load_data("ilb_sim_a.csv")[["y1", "y3", "y4"]]
    seen = data.notna().to_numpy(dtype=float)
    pairwise = seen.T @ seen / len(seen)
    assert status.min_pairwise_coverage == pytest.approx(pairwise.min())
    payload = res.to_dict()["status"]
    assert payload["warnings"] == [] and payload["negative_lv_variances"] == {"": []}
    json.dumps(payload, allow_nan=False)


def test_heywood_negative_slope_variance_matches_lavaan():
    res = our_fit("heywood_uncond")
    lav = next(
        p for p in reference("heywood_uncond")["params"] if p["lhs"] == "s" and p["rhs"] == "s"
    )
    ours = res.params.query("lhs == 's' and op == '~~' and rhs == 's'").iloc[0]
    assert lav["est"] < 0 and ours["est"] == pytest.approx(lav["est"], abs=1e-5)
    assert ours["se"] == pytest.approx(lav["se"], abs=1e-5)
    assert res.status.negative_lv_variances == {"": ("s",)} and not res.status.proper
    assert codes(res) == ["NEG_LV_VARIANCE"]


def test_negative_residual_variance():
    rng = np.random.default_rng(5)
    n = 400
    level, trend = rng.normal(3, 1, n), rng.normal(0.2, 0.7, n)
    y = level[:, None] + trend[:, None] * np.arange(3) + rng.normal(0, 0.3, (n, 3))
    y[:, 1] = 3 + 0.3 * (y[:, 1] - 3) + rng.normal(0, 0.05, n)  # a shrunken middle wave
    res = quiet_fit(pd.DataFrame(y, columns=THREE["outcomes"]), **THREE)
    assert "NEG_OV_VARIANCE" in codes(res)
    assert res.status.negative_ov_variances == {"": ("y2",)}


def test_factor_covariance_not_positive_definite():
    rng = np.random.default_rng(0)
    level = rng.normal(3, 1, 150)
    trend = 0.3 * (level - 3) + 0.1  # perfectly correlated with the level
    y = level[:, None] + trend[:, None] * np.arange(3) + rng.normal(0, 0.6, (150, 3))
    res = quiet_fit(pd.DataFrame(np.round(y, 3), columns=THREE["outcomes"]), **THREE)
    assert codes(res) == ["NONPD_LV_COV"]
    assert res.status.lv_cov_not_pd == {"": True}
    assert res.status.negative_lv_variances == {"": ()}


def test_low_coverage():
    rng = np.random.default_rng(2)
    n = 300
    level, trend = rng.normal(3, 0.6, n), rng.normal(0.1, 0.2, n)
    y = level[:, None] + trend[:, None] * np.arange(3) + rng.normal(0, 0.3, (n, 3))
    y[:140, 2] = np.nan  # waves 1-2 only
    y[140:280, 0] = np.nan  # waves 2-3 only; 20 persons have all three
    res = quiet_fit(pd.DataFrame(y, columns=THREE["outcomes"]), **THREE)
    assert "LOW_COVERAGE" in codes(res)
    message = next(w.message for w in res.warnings if w.code == "LOW_COVERAGE")
    assert "y1-y3 (6.6%)" in message  # 20 / 300 = 6.67 %, rounded down
    assert res.status.min_pairwise_coverage == pytest.approx(20 / 300)


def test_rows_dropped_are_in_the_status():
    data = load_data("ilb_sim_a.csv").copy()
    data.loc[:4, "age40"] = np.nan
    res = quiet_fit(data, outcomes=["y1", "y3", "y4"], time_scores=[0, 2, 3], covariates=["age40"])
    assert res.status.rows_dropped == {"missing_covariate": 5}
    assert "ROWS_DROPPED" in res.status.warnings


def test_cli_json_has_the_status(tmp_path):
    out = tmp_path / "fit.json"
    result = subprocess.run(
        [sys.executable, "-m", "ilb_eval", "fit", "--data", str(FIXTURES / "heywood.csv"),
         "--outcomes", "y1", "y3", "y4", "--time-scores", "0", "2", "3",
         "--estimator", "MLR", "--json", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    payload = json.loads(out.read_text())
    assert payload["status"]["negative_lv_variances"] == {"": ["s"]}
    assert payload["status"]["warnings"] == ["NEG_LV_VARIANCE"]
    assert payload["fit"]["chisq_scaling_factor"] > 0
    assert "Robust (sandwich)" in result.stdout and "Scaled test statistic" in result.stdout
