"""Wald tests against lavaan's lavTestWald (ilb_a_cond_extras reference)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from growth_refs import fit_kwargs, load_data, reference, spec_by_name

from ilb_eval.exceptions import SpecError
from ilb_eval.growth import fit_growth, lr_test
from ilb_eval.growth.wald import restriction_matrix, wald_test


@pytest.fixture(scope="module")
def fit():
    spec = spec_by_name("ilb_a_cond_extras")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_growth(load_data(spec["data"]), **fit_kwargs(spec))


@pytest.mark.parametrize(("ours", "index"), [("s ~ ilb = 0", 0), ("s ~ ilb = 0; i ~ ilb = 0", 1)])
def test_wald_matches_lavtestwald(fit, ours, index):
    lav = reference("ilb_a_cond_extras")["wald"][index]
    test = wald_test(fit, ours)
    assert test.df == lav["df"]
    assert test.stat == pytest.approx(lav["stat"], rel=2e-3)


def test_matrix_form_and_z_squared(fit):
    r_mat, r_val = restriction_matrix(fit, "s ~ ilb = 0")
    assert wald_test(fit, r_mat, r_val).stat == pytest.approx(wald_test(fit, "s ~ ilb = 0").stat)
    row = fit.params.query("lhs == 's' and op == '~' and rhs == 'ilb'").iloc[0]
    assert wald_test(fit, "s ~ ilb = 0").stat == pytest.approx(row["z"] ** 2)
    diff = wald_test(fit, "s ~ age40 - s ~ female = 0")
    assert diff.df == 1 and np.isfinite(diff.stat)


def test_wald_is_close_to_the_likelihood_ratio_test():
    data = load_data("ilb_sim_a.csv")
    kw = {"outcomes": ["y1", "y3", "y4"], "time_scores": [0, 2, 3], "group": "ilb"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        general = fit_growth(data, **kw)
        restricted = fit_growth(data, equal_slope_means=True, **kw)
    n_free = int(general.params["free"].max())
    r_mat = np.zeros((1, n_free))
    means = general.params.query("lhs == 's' and op == '~1'")["free"].to_numpy() - 1
    r_mat[0, means] = [1.0, -1.0]
    wald = wald_test(general, r_mat)
    lrt = lr_test(restricted, general)
    # asymptotically equal; here 79.5 vs 72.9 (finite-sample difference, same conclusion)
    assert wald.stat == pytest.approx(lrt.chisq_diff, rel=0.15)
    assert wald.pvalue < 1e-10 and lrt.pvalue < 1e-10


def test_unknown_parameter_is_refused(fit):
    with pytest.raises(SpecError, match="no free parameter"):
        wald_test(fit, "s ~ nothing = 0")
