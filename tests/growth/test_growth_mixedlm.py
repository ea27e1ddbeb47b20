"""Cross-check: equal residual variances, no covariates == statsmodels MixedLM by ML.

A linear growth model with one residual variance is a random-intercept,
random-slope mixed model. MixedLM (reml=False) is optimised less tightly than
our Newton method, so estimates are compared to 2e-3 (absolute) and the
log-likelihoods to 1e-3; ours is never below MixedLM's by more than 1e-6.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from growth_refs import load_data

from ilb_eval.growth import fit_growth

WAVES = ["t1", "t2", "t3", "t4"]


def long_format(data: pd.DataFrame) -> pd.DataFrame:
    wide = data[WAVES].assign(person=np.arange(len(data)))
    long = wide.melt(id_vars="person", var_name="wave", value_name="y").dropna()
    long["time"] = long["wave"].map({w: float(k) for k, w in enumerate(WAVES)})
    return long.sort_values(["person", "time"])


@pytest.mark.parametrize("csv", ["demo_growth.csv", "demo_growth_mar.csv"])
def test_equal_to_mixedlm(csv):
    data = load_data(csv)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = fit_growth(
            data, outcomes=WAVES, time_scores=[0, 1, 2, 3], residual_variances="equal"
        )
        mixed = smf.mixedlm("y ~ time", long_format(data), groups="person", re_formula="~time")
        ml = mixed.fit(reml=False, method=["lbfgs"], maxiter=2000)
    est = ours.params.set_index(["lhs", "op", "rhs"])["est"]
    assert est[("i", "~1", "")] == pytest.approx(ml.fe_params["Intercept"], abs=2e-3)
    assert est[("s", "~1", "")] == pytest.approx(ml.fe_params["time"], abs=2e-3)
    cov_re = ml.cov_re.to_numpy()
    assert est[("i", "~~", "i")] == pytest.approx(cov_re[0, 0], abs=2e-3)
    assert est[("s", "~~", "s")] == pytest.approx(cov_re[1, 1], abs=2e-3)
    assert est[("i", "~~", "s")] == pytest.approx(cov_re[0, 1], abs=2e-3)
    assert est[("t1", "~~", "t1")] == pytest.approx(ml.scale, abs=2e-3)
    assert ours.fit["logl"] == pytest.approx(ml.llf, abs=1e-3)
    assert ours.fit["logl"] >= ml.llf - 1e-6
