"""Entropy balancing against its definition: exact moments, KKT conditions, the primal optimum.

References: the moment conditions themselves; the first-order (KKT) conditions
of the primal, under which log(w_j / q_j) is affine in the constraint row c_j;
and a brute-force solution of the primal by scipy's SLSQP, which must agree
with the dual solution and cannot reach a higher entropy.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize

from ilb_eval.weighting.entropy import EntropyBalancingError, entropy_balance, target_inside_hull


def _problem(seed: int = 3, n: int = 40):
    rng = np.random.default_rng(seed)
    c = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n), rng.gamma(2.0, 1.0, n)])
    target = np.array([0.4, 0.6, 2.5])
    return c, target


def test_moment_conditions_hold_exactly_and_weights_are_positive():
    c, target = _problem()
    solution = entropy_balance(c, target)
    w = solution.weights
    assert np.all(w > 0)
    assert w.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(w @ c, target, rtol=0, atol=1e-9)
    assert solution.max_imbalance < 1e-8


def test_kkt_log_weights_are_affine_in_the_constraints():
    # Stationarity of sum w log(w/q) + a (sum w - 1) + lam'(sum w c - m): log(w/q) = const + lam'c.
    c, target = _problem()
    q = np.random.default_rng(9).uniform(0.5, 2.0, c.shape[0])
    w = entropy_balance(c, target, base_weights=q).weights
    design = np.column_stack([np.ones(c.shape[0]), c])
    coef, *_ = np.linalg.lstsq(design, np.log(w / q), rcond=None)
    residual = np.log(w / q) - design @ coef
    assert np.max(np.abs(residual)) < 1e-8


def test_agrees_with_a_brute_force_primal_solution():
    c, target = _problem(seed=5, n=25)
    n = c.shape[0]
    constraints = [
        {"type": "eq", "fun": lambda w: np.array([w.sum() - 1.0])},
        {"type": "eq", "fun": lambda w: w @ c - target},
    ]
    primal = optimize.minimize(
        lambda w: float(np.sum(w * np.log(w))), np.full(n, 1.0 / n),
        jac=lambda w: np.log(w) + 1.0, constraints=constraints, bounds=[(1e-12, 1.0)] * n,
        method="SLSQP", options={"ftol": 1e-14, "maxiter": 1000},
    )
    assert primal.success, primal.message
    dual = entropy_balance(c, target).weights
    np.testing.assert_allclose(dual, primal.x, rtol=0, atol=2e-6)
    # the dual solution's entropy is at least the brute-force one's (it is the optimum)
    assert -np.sum(dual * np.log(dual)) >= -np.sum(primal.x * np.log(primal.x)) - 1e-10


def test_any_other_balancing_weights_have_lower_entropy():
    c, target = _problem(seed=11)
    w = entropy_balance(c, target).weights
    # move within the null space of the constraints [1; c']: balance stays, entropy drops
    constraints = np.vstack([np.ones(c.shape[0]), c.T])
    null = np.linalg.svd(constraints)[2][constraints.shape[0]:]
    rng = np.random.default_rng(0)
    for _ in range(20):
        step = null.T @ rng.normal(size=null.shape[0])
        other = w + 0.5 * w.min() * step / np.max(np.abs(step))
        np.testing.assert_allclose(other @ c, target, atol=1e-12)
        assert -np.sum(other * np.log(other)) < -np.sum(w * np.log(w))


def test_a_target_that_is_already_met_gives_equal_weights():
    c, _ = _problem()
    w = entropy_balance(c, c.mean(axis=0)).weights
    np.testing.assert_allclose(w, np.full(c.shape[0], 1.0 / c.shape[0]), atol=1e-12)


def test_linearly_dependent_columns_are_balanced_too():
    c, target = _problem()
    doubled = np.column_stack([c, 2.0 * c[:, 0] + c[:, 2]])
    w = entropy_balance(doubled, np.append(target, 2.0 * target[0] + target[2])).weights
    np.testing.assert_allclose(w @ doubled[:, -1], 2.0 * target[0] + target[2], atol=1e-9)


def test_an_unreachable_target_is_refused():
    c, target = _problem()
    with pytest.raises(EntropyBalancingError, match="outside"):
        entropy_balance(c, np.array([target[0], 1.0, target[2]]))  # binary column mean 1: only zero weights reach it
    with pytest.raises(EntropyBalancingError):
        entropy_balance(c, np.array([c[:, 0].max() + 1.0, 0.5, 2.0]))


def test_target_inside_hull_against_closed_cases():
    square = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    assert target_inside_hull(square, np.array([0.5, 0.5]))
    assert target_inside_hull(square, np.array([0.01, 0.99]))
    assert not target_inside_hull(square, np.array([0.0, 0.5]))  # on an edge: needs zero weights
    assert not target_inside_hull(square, np.array([1.0, 1.0]))  # a corner
    assert not target_inside_hull(square, np.array([1.5, 0.5]))  # outside
    # a large sample is checked quickly (k variables, not n)
    rng = np.random.default_rng(1)
    cloud = rng.normal(size=(20000, 10))
    assert target_inside_hull(cloud, np.full(10, 0.3))
    assert not target_inside_hull(cloud, np.r_[cloud[:, 0].max() + 0.1, np.zeros(9)])
