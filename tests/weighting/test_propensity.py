"""The propensity model and the weights from it, against closed forms.

The logistic fit is compared with a Newton-Raphson solution written out here;
IPW weights with their formulas applied to those scores; overlap weights with
their exact-balance property at the maximum-likelihood fit.
"""

from __future__ import annotations

import numpy as np
import pytest

from ilb_eval.weighting.propensity import (
    SeparationError,
    fit_propensity,
    ipw_weights,
    overlap_weights,
)


def _data(seed: int = 7, n: int = 300):
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n), rng.normal(3.5, 0.6, n)])
    eta = -0.5 + 0.8 * x[:, 0] - 0.6 * x[:, 1] - 0.7 * (x[:, 2] - 3.5)
    treated = rng.random(n) < 1.0 / (1.0 + np.exp(-eta))
    return x, treated


def _newton_logistic(x: np.ndarray, d: np.ndarray) -> np.ndarray:
    design = np.column_stack([np.ones(x.shape[0]), x])
    beta = np.zeros(design.shape[1])
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-design @ beta))
        gradient = design.T @ (d - p)
        information = (design * (p * (1 - p))[:, None]).T @ design
        beta = beta + np.linalg.solve(information, gradient)
    return beta


def test_propensity_scores_equal_a_hand_written_newton_raphson_fit():
    x, treated = _data()
    model = fit_propensity(x, treated)
    beta = _newton_logistic(x, treated.astype(float))
    np.testing.assert_allclose(model.params, beta, rtol=1e-7, atol=1e-9)
    expected = 1.0 / (1.0 + np.exp(-(beta[0] + x @ beta[1:])))
    np.testing.assert_allclose(model.scores, expected, rtol=1e-7)
    assert model.converged


def test_ipw_weights_are_the_formulas_applied_to_the_scores():
    x, treated = _data()
    e = fit_propensity(x, treated).scores
    att = ipw_weights(e, treated, "ATT")
    np.testing.assert_array_equal(att[treated], 1.0)
    np.testing.assert_allclose(att[~treated], e[~treated] / (1 - e[~treated]), rtol=1e-15)
    ate = ipw_weights(e, treated, "ATE")
    np.testing.assert_allclose(ate[treated], 1 / e[treated], rtol=1e-15)
    np.testing.assert_allclose(ate[~treated], 1 / (1 - e[~treated]), rtol=1e-15)
    with pytest.raises(ValueError):
        ipw_weights(e, treated, "ATO")


def test_overlap_weights_balance_every_model_covariate_exactly():
    # The logistic score equations sum_i (d_i - e_i) x_i = 0 are the balance conditions
    # of the weights (1 - e) for the treated and e for the controls.
    x, treated = _data(seed=21)
    e = fit_propensity(x, treated).scores
    w = overlap_weights(e, treated)
    np.testing.assert_allclose(w, np.where(treated, 1 - e, e))
    mean_treated = w[treated] @ x[treated] / w[treated].sum()
    mean_control = w[~treated] @ x[~treated] / w[~treated].sum()
    np.testing.assert_allclose(mean_treated, mean_control, rtol=0, atol=1e-8)
    assert w[treated].sum() == pytest.approx(w[~treated].sum(), rel=1e-8)


def test_perfect_separation_is_detected():
    x = np.arange(20, dtype=float)[:, None]
    with pytest.raises(SeparationError):
        fit_propensity(x, x[:, 0] >= 10)


def test_quasi_complete_separation_is_detected():
    # treated only where x2 = 1, and everyone with x2 = 1 is treated
    rng = np.random.default_rng(2)
    x = np.column_stack([rng.normal(size=60), np.r_[np.ones(15), np.zeros(45)]])
    with pytest.raises(SeparationError):
        fit_propensity(x, x[:, 1] == 1)
