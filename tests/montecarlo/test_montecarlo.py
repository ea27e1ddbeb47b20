"""The Monte Carlo module: generator truth, seeding, status counting, power reference.

Power reference: Raudenbush, S. W., & Liu, X.-F. (2001). Effects of study
duration, frequency of observation, and sample size on power in studies of
group differences in polynomial change. Psychological Methods, 6(4), 387-401.
For complete balanced data with equal residual variances the slope-difference
estimate has SE = sqrt(2 (sigma_e^2 / sum (t - tbar)^2 + tau_s) / n).
"""

from __future__ import annotations

import dataclasses
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import ilb_eval.montecarlo.run as mc_run
from ilb_eval.exceptions import EstimationError
from ilb_eval.growth import fit_growth
from ilb_eval.montecarlo import (
    Attrition,
    BinaryCovariate,
    GrowthDGM,
    analytic_slope_power,
    power_curve,
    run_monte_carlo,
    study_design,
)

KEY = ["lhs", "op", "rhs", "group"]


def test_large_sample_fit_recovers_the_truth():
    dgm = GrowthDGM(
        n_per_group=4000,
        slope_mean=0.05,
        intercept_slope_covariance=-0.01,
        residual_variances=(0.12, 0.08, 0.10),
        group_effect_intercept=-0.3,
        group_effect_slope=0.1,
        covariates=(BinaryCovariate("female", 0.7, on_intercept=0.1, on_slope=-0.03),),
        attrition=Attrition(late_join=0.2, dropout=(0.3, 0.3), mar=-0.8),
    )
    sim = dgm.simulate(11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_growth(sim.data, **dgm.fit_options())
    assert res.converged and not res.warnings
    merged = sim.truth.merge(res.params[KEY + ["est", "se"]], on=KEY, suffixes=("_true", ""))
    assert len(merged) == len(sim.truth) == 12
    z = (merged["est"] - merged["est_true"]) / merged["se"]
    assert np.all(np.abs(z) < 4), merged.assign(z=z)


def test_attrition_pattern_and_rates():
    dgm = GrowthDGM(n_per_group=20000, attrition=Attrition(late_join=0.25, dropout=(0.4, 0.5)))
    seen = dgm.simulate(3).data[["t1", "t3", "t4"]].notna().to_numpy()
    assert abs(1 - seen[:, 0].mean() - 0.25) < 0.01
    late = ~seen[:, 0]
    assert seen[late, 1].all(), "late joiners answer the second wave"
    assert abs(1 - seen[~late, 1].mean() - 0.4) < 0.01
    assert not (seen[:, 2] & ~seen[:, 1]).any(), "dropout is monotone"
    assert abs(1 - seen[seen[:, 1], 2].mean() - 0.5) < 0.01


def test_mar_dropout_depends_on_previous_score_only():
    dgm = GrowthDGM(n_per_group=20000, attrition=Attrition(dropout=(0.4, 0.0), mar=-1.0))
    data = dgm.simulate(4).data
    stayed = data["t3"].notna()
    assert data.loc[~stayed, "t1"].mean() < data.loc[stayed, "t1"].mean() - 0.2
    assert abs((~stayed).mean() - 0.4) < 0.05


def test_same_seed_same_data_and_independent_streams():
    dgm = GrowthDGM(n_per_group=30)
    pd.testing.assert_frame_equal(dgm.simulate(5).data, dgm.simulate(5).data)
    assert not dgm.simulate(5).data.equals(dgm.simulate(6).data)


def test_parallel_equals_serial():
    dgm = study_design(n_per_group=60, mar=-1.0)
    kw = dict(reps=16, seed=2024, methods=["fiml", "complete_case"], progress=False)
    serial = run_monte_carlo(dgm, n_jobs=1, **kw)
    parallel = run_monte_carlo(dgm, n_jobs=2, **kw)
    pd.testing.assert_frame_equal(serial.summary, parallel.summary)
    pd.testing.assert_frame_equal(serial.estimates, parallel.estimates)
    pd.testing.assert_frame_equal(serial.replications, parallel.replications)
    assert serial.seed_entropy == parallel.seed_entropy == 2024


def test_improper_solutions_are_counted_and_kept():
    # A zero slope variance with few persons gives many negative variance estimates.
    dgm = GrowthDGM(n_per_group=25, slope_variance=0.0)
    res = run_monte_carlo(dgm, reps=30, seed=8, progress=False)
    reps = res.replications
    improper = reps["status"] == "improper"
    assert improper.sum() > 0
    assert reps["codes"][improper].str.contains("NEG_LV_VARIANCE|NONPD_LV_COV").all()
    row = res.summary.query("parameter == 's ~~ s'").iloc[0]
    assert row["n_improper"] == improper.sum()
    assert row["n_used"] == (reps["status"] == "ok").sum()
    assert row["n_used"] + row["n_improper"] == row["reps"] == 30
    assert row["share_improper"] == pytest.approx(improper.mean())
    # Improper estimates stay in the estimates table; the statistics use proper ones only.
    s_var = res.estimates.query("lhs == 's' and op == '~~' and rhs == 's'")
    assert (s_var.query("status == 'improper'")["est"] < 0).any()
    assert row["mean_est"] == pytest.approx(s_var.query("status == 'ok'")["est"].mean())
    both = run_monte_carlo(dgm, reps=30, seed=8, progress=False, include_improper=True)
    row_all = both.summary.query("parameter == 's ~~ s'").iloc[0]
    assert row_all["mean_est"] == pytest.approx(s_var["est"].mean())
    assert row_all["n_improper"] == row["n_improper"]


def test_failed_and_nonconverged_fits_are_counted(monkeypatch):
    def flaky_fit(data, **kwargs):
        flaky_fit.calls += 1
        if flaky_fit.calls % 5 == 0:
            raise EstimationError("not positive definite at the start values")
        res = fit_growth(data, **kwargs)
        if flaky_fit.calls % 5 == 1:
            return SimpleNamespace(
                converged=False, warnings=res.warnings, ntotal=res.ntotal, params=res.params
            )
        return res

    flaky_fit.calls = 0
    monkeypatch.setattr(mc_run, "fit_growth", flaky_fit)
    res = run_monte_carlo(GrowthDGM(n_per_group=40), reps=10, seed=1, progress=False)
    counts = res.status_counts().loc["fiml"]
    assert counts.to_dict() == {"ok": 6, "improper": 0, "not_converged": 2, "failed": 2}
    row = res.summary.iloc[0]
    assert (row["n_used"], row["n_not_converged"], row["n_failed"]) == (6, 2, 2)
    assert row["share_failed"] == 0.2
    failed = res.replications.query("status == 'failed'")
    assert failed["message"].str.startswith("EstimationError").all()
    assert set(res.estimates["status"]) == {"ok", "not_converged"}


def test_power_curve_agrees_with_analytic_reference():
    """Complete data, equal residual variances: Monte Carlo power vs Raudenbush & Liu (2001)."""
    design = GrowthDGM(slope_variance=0.008, residual_variances=0.085)
    effect, sizes, reps = 0.05, [60, 120], 300
    # The closed form covers every sample, so improper solutions (a few negative slope
    # variance estimates at n = 60) are used too; they are still counted.
    curve = power_curve(
        effect, sizes, design=design, reps=reps, seed=77, progress=False, include_improper=True
    )
    analytic = analytic_slope_power(
        effect, sizes, time_scores=design.time_scores, residual_variance=0.085,
        slope_variance=0.008,
    )  # fmt: skip
    assert (curve["n_used"] == reps).all() and curve["n_improper"].sum() > 0
    mc_se = np.sqrt(analytic * (1 - analytic) / curve["n_used"])
    assert np.all(np.abs(curve["power"] - analytic) < 3 * mc_se), (curve, analytic)


def test_analytic_power_reference_point():
    # v = 0.085 / 4.6667 + 0.008 = 0.026214; SE = sqrt(2 v / 100) = 0.022897;
    # power = Phi(0.05 / 0.022897 - 1.95996) + Phi(-0.05 / 0.022897 - 1.95996) = 0.5886
    power = analytic_slope_power(0.05, 100, residual_variance=0.085, slope_variance=0.008)
    assert float(power) == pytest.approx(0.5886, abs=5e-4)
    assert float(analytic_slope_power(0.0, 100, residual_variance=1, slope_variance=0)) == (
        pytest.approx(0.05)
    )


def test_study_design_has_study_attrition_and_is_replaceable():
    dgm = study_design(n_per_group=123, mar=-0.5)
    assert dgm.attrition == Attrition.study(mar=-0.5)
    assert dgm.n_per_group == 123 and dgm.time_scores == (0.0, 2.0, 3.0)
    assert dataclasses.replace(dgm, group_effect_slope=0.2).group_effect_slope == 0.2


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="methods"):
        run_monte_carlo(GrowthDGM(), reps=2, methods=["bayes"], progress=False)
    with pytest.raises(ValueError, match="one per wave"):
        GrowthDGM(attrition=Attrition(dropout=(0.1,))).simulate(1)
    with pytest.raises(ValueError, match="positive semidefinite"):
        GrowthDGM(intercept_variance=0.01, slope_variance=0.01, intercept_slope_covariance=0.5)
