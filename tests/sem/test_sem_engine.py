"""The engine's building blocks checked independently of lavaan.

Gradient against central differences of the log-likelihood, the observed
Hessian against differences of the gradient, casewise scores against the
gradient and against differences of each person's log-likelihood, pattern
statistics against a loop over persons, the optimiser from other starts, and
the perturbed starts.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ilb_eval.exceptions import ConvergenceWarning
from ilb_eval.growth import GrowthModel, GrowthSpec
from ilb_eval.sem import cfa, sem
from ilb_eval.sem.blocks import pattern_blocks
from ilb_eval.sem.estimate import Evaluation, Optimum, maximize
from ilb_eval.sem.fiml import casewise_scores, moment_information, moment_logl
from ilb_eval.sem.h1 import fit_saturated
from ilb_eval.sem.multistart import best_of_starts
from ilb_eval.sem.patterns import pattern_stats


def _data(seed: int = 11, n: int = 400) -> pd.DataFrame:
    """Two correlated factors, three indicators each, a covariate, 25% MCAR, a group."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    f1 = 0.5 * x + rng.normal(size=n)
    f2 = 0.4 * f1 + rng.normal(size=n)
    load = [1.0, 0.8, 1.2]
    cols = {f"a{j}": 2.0 + load[j] * f1 + rng.normal(0, 0.7, n) for j in range(3)}
    cols |= {f"b{j}": 1.0 + load[j] * f2 + rng.normal(0, 0.6, n) for j in range(3)}
    frame = pd.DataFrame(cols)
    frame = frame.mask(rng.random(frame.shape) < 0.25)
    frame["x"] = x
    frame["w"] = rng.uniform(0.5, 2.0, n)
    frame["g"] = np.where(rng.random(n) < 0.5, "one", "two")
    return frame


MODELS = {
    "cfa": ("cfa", "f1 =~ a0 + a1 + a2\nf2 =~ b0 + b1 + b2", {}),
    "sem_x": ("sem", "f1 =~ a0 + a1 + a2\nf2 =~ b0 + b1 + b2\nf2 ~ f1\nf1 ~ x", {}),
    "mg_eq": ("cfa", "f1 =~ a0 + a1 + a2\nf2 =~ b0 + b1 + b2", {"group": "g",
                                                              "group_equal": ["loadings"]}),
    "weighted": ("sem", "f1 =~ a0 + a1 + a2\nf2 =~ b0 + b1 + b2\nf2 ~ f1",
                 {"sampling_weights": "w"}),
    "constrained": ("sem", "f1 =~ a0 + l*a1 + l*a2\nf2 =~ b0 + b1 + b2\nf2 ~ f1\nf1 ~ x", {}),
}  # fmt: skip


def _fit(name: str):
    function, model, options = MODELS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return (cfa if function == "cfa" else sem)(model, _data(), **options)


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("shift", [0.0, 0.05])
def test_analytic_gradient_matches_central_differences(name, shift):
    res = _fit(name)
    model = res.model
    rng = np.random.default_rng(3)
    point = res.theta * (1.0 + shift * rng.standard_normal(res.theta.size))
    grad = model.gradient(point)
    steps = 1e-6 * np.maximum(np.abs(point), 1e-2)
    central = np.array([
        (model.evaluate(point + h * e).logl - model.evaluate(point - h * e).logl) / (2 * h)
        for e, h in zip(np.eye(point.size), steps, strict=True)
    ])  # fmt: skip
    scale = np.max(np.abs(central)) + model.data.ntotal
    assert np.max(np.abs(grad - central)) <= 1e-6 * scale
    if shift == 0.0:  # converged: the Newton decrement g'(-H)^-1 g is ~0
        assert grad @ np.linalg.solve(-res.hessian, grad) < 1e-10


@pytest.mark.parametrize("name", list(MODELS))
def test_observed_hessian_matches_differenced_gradient(name):
    res = _fit(name)
    model = res.model
    point = res.theta * 1.02
    steps = 1e-6 * np.maximum(np.abs(point), 1e-2)
    numeric = np.column_stack([
        (model.gradient(point + h * e) - model.gradient(point - h * e)) / (2 * h)
        for e, h in zip(np.eye(point.size), steps, strict=True)
    ])  # fmt: skip
    hess = model.hessian(point)
    np.testing.assert_allclose(hess, numeric, rtol=1e-5, atol=1e-5 * np.max(np.abs(hess)))


@pytest.mark.parametrize("name", ["cfa", "sem_x", "weighted", "mg_eq"])
def test_casewise_scores_sum_to_the_gradient(name):
    res = _fit(name)
    point = res.theta * 1.03
    scores = res.model.scores(point)
    assert scores.shape == (res.model.data.ntotal, res.theta.size)
    np.testing.assert_allclose(scores.sum(axis=0), res.model.gradient(point), rtol=1e-8,
                               atol=1e-8 * np.abs(scores).sum())  # fmt: skip


def test_logl_equals_person_by_person_computation():
    """Sigma and mu rebuilt from the printed estimates, densities from scipy."""
    res = _fit("sem_x")
    data = _data()
    est = {(r.lhs, r.op, r.rhs): r.est for r in res.params.itertuples()}
    lam = np.zeros((6, 2))
    for j, v in enumerate(["a0", "a1", "a2"]):
        lam[j, 0] = est[("f1", "=~", v)]
    for j, v in enumerate(["b0", "b1", "b2"]):
        lam[3 + j, 1] = est[("f2", "=~", v)]
    names = ["a0", "a1", "a2", "b0", "b1", "b2"]
    theta = np.diag([est[(v, "~~", v)] for v in names])
    beta = est[("f2", "~", "f1")]
    gamma = est[("f1", "~", "x")]
    psi1, psi2 = est[("f1", "~~", "f1")], est[("f2", "~~", "f2")]
    psi = np.array([[psi1, beta * psi1], [beta * psi1, beta**2 * psi1 + psi2]])
    sigma = lam @ psi @ lam.T + theta
    nu = np.array([est[(v, "~1", "")] for v in names])
    slope = lam @ np.array([gamma, beta * gamma])
    total = 0.0
    for row, xi in zip(data[names].to_numpy(), data["x"].to_numpy(), strict=True):
        obs = ~np.isnan(row)
        if obs.any():
            mu = nu + slope * xi
            total += stats.multivariate_normal(mu[obs], sigma[np.ix_(obs, obs)]).logpdf(row[obs])
    assert res.fit["logl"] == pytest.approx(total, rel=1e-9)


def test_pattern_statistics_equal_a_weighted_loop_over_persons():
    rng = np.random.default_rng(5)
    y = rng.normal(size=(200, 4))
    y[rng.random(y.shape) < 0.4] = np.nan
    x = rng.normal(size=(200, 2))
    w = rng.uniform(0.2, 3.0, 200)
    patterns = pattern_stats(y, x, w)
    observed_any = ~np.isnan(y).all(axis=1)
    assert sum(p.n for p in patterns) == pytest.approx(w[observed_any].sum())
    for pat in patterns:
        rows = [i for i in range(len(y))
                if np.array_equal(np.flatnonzero(~np.isnan(y[i])), pat.observed)]  # fmt: skip
        assert pat.rows.tolist() == rows
        z = np.column_stack([np.ones(len(rows)), x[rows]])
        yo = y[np.ix_(rows, pat.observed)]
        wr = w[rows]
        assert pat.n == pytest.approx(wr.sum())
        np.testing.assert_allclose(pat.szz, (z * wr[:, None]).T @ z)
        mean_y = wr @ yo / wr.sum()
        np.testing.assert_allclose(pat.mean_y, mean_y)
        np.testing.assert_allclose(pat.cyy, ((yo - mean_y) * wr[:, None]).T @ (yo - mean_y),
                                   atol=1e-10)  # fmt: skip


def _saturated_case():
    rng = np.random.default_rng(3)
    y = rng.normal(size=(60, 3)) + np.arange(3)
    y[rng.random((60, 3)) < 0.2] = np.nan
    y[np.isnan(y).all(axis=1), 0] = 0.5
    x = rng.normal(size=(60, 1))
    return y, x, pattern_blocks(pattern_stats(y, x), 3)


def test_saturated_fit_is_a_maximum_and_its_scores_vanish_there():
    y, x, blocks = _saturated_case()
    sat = fit_saturated(blocks, 3, 2)
    assert sat.converged
    jac = np.eye(6 + 6)  # the saturated model's parameters are the moment coordinates
    scores = casewise_scores(sat.sigma, sat.b, y, x, blocks, jac)
    # converged to a Newton decrement below 1e-12: the gradient is ~1e-6 at most
    assert np.abs(scores.sum(axis=0)).max() < 1e-5
    assert np.abs(scores).max() > 0.1
    info = jac @ moment_information(sat.sigma, sat.b, blocks, observed=True) @ jac.T
    assert np.linalg.eigvalsh(info)[0] > 0


def test_casewise_scores_match_differences_of_each_persons_loglik():
    y, x, _ = _saturated_case()
    rng = np.random.default_rng(4)
    sigma = np.array([[1.0, 0.2, 0.1], [0.2, 1.5, 0.3], [0.1, 0.3, 2.0]])
    b = rng.normal(size=(3, 2)) * 0.1
    jac = np.eye(6 + 6)
    upper = np.triu_indices(3)
    theta = np.concatenate([sigma[upper], b.ravel()])

    def unpack(vector):
        cov = np.zeros((3, 3))
        cov[upper] = vector[:6]
        return cov + np.triu(cov, 1).T, vector[6:].reshape(3, 2)

    scores = casewise_scores(sigma, b, y[:5], x[:5], pattern_blocks(pattern_stats(y[:5], x[:5]), 3),
                             jac)  # fmt: skip
    for person in range(5):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # mean of an all-missing column
            blocks = pattern_blocks(pattern_stats(y[[person]], x[[person]]), 3)
        numeric = np.empty(len(theta))
        for j in range(len(theta)):
            step = np.zeros(len(theta))
            step[j] = 1e-6
            up = moment_logl(*unpack(theta + step), blocks).logl
            down = moment_logl(*unpack(theta - step), blocks).logl
            numeric[j] = (up - down) / 2e-6
        assert np.allclose(scores[person], numeric, atol=1e-6)


@pytest.mark.parametrize("name", list(MODELS))
def test_the_optimiser_from_a_perturbed_start_reaches_the_same_maximum(name):
    res = _fit(name)
    model = res.model
    rng = np.random.default_rng(9)
    start = res.theta * (1.0 + 0.1 * rng.standard_normal(res.theta.size))
    optimum = maximize(model.evaluate, start, model.data.ntotal, hessian=model.hessian)
    assert optimum.converged
    np.testing.assert_allclose(optimum.x, res.theta, rtol=1e-6, atol=1e-7)


def test_a_better_maximum_from_a_perturbed_start_is_reported():
    """Default run stuck after one iteration from a bad start: the starts find the maximum."""
    res = _fit("cfa")
    model = res.model
    start = res.theta * 1.5
    stuck = maximize(model.evaluate, start, model.data.ntotal, max_iter=1, hessian=model.hessian)
    kinds = np.full(res.theta.size, "loc")
    best, report = best_of_starts(model.evaluate, start, kinds, stuck, model.data.ntotal,
                                  n_starts=3, seed=1, hessian=model.hessian)  # fmt: skip
    assert report.disagree and report.best_logl > report.default_logl + 1e-6
    assert best.converged
    assert best.evaluation.logl == pytest.approx(res.fit["logl"], abs=1e-6)


def test_starts_are_seeded():
    def objective(x: np.ndarray, order: int) -> Evaluation:
        value = -float(np.sum((x - 1.0) ** 2))
        return Evaluation(value, -2.0 * (x - 1.0), -2.0 * np.eye(2), 2.0 * np.eye(2))

    start = np.array([3.0, 0.5])
    default = maximize(objective, start, 1, max_iter=0)
    kinds = np.array(["var", "loc"])
    one = best_of_starts(objective, start, kinds, default, 1, seed=7, n_steps=0)[1]
    two = best_of_starts(objective, start, kinds, default, 1, seed=7, n_steps=0)[1]
    other = best_of_starts(objective, start, kinds, default, 1, seed=8, n_steps=0)[1]
    assert one.logls == two.logls != other.logls


def test_perturbed_starts_take_no_more_iterations_than_max_iter(monkeypatch):
    """max_iter bounds every run: a start cannot quietly finish what the default run could not."""
    import ilb_eval.sem.multistart as starts_module

    limits = []
    original = starts_module.maximize

    def recording(objective, start, n_total, max_iter=200, **kwargs) -> Optimum:
        limits.append(max_iter)
        return original(objective, start, n_total, max_iter=max_iter, **kwargs)

    monkeypatch.setattr(starts_module, "maximize", recording)
    model = GrowthModel(GrowthSpec(("y1", "y3", "y4"), (0, 2, 3)), max_iter=1, n_starts=4)
    data = pd.read_csv(Path(__file__).resolve().parents[1] / "fixtures" / "lavaan" / "ilb_sim_a.csv")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = model.fit(data)
    assert any(issubclass(w.category, ConvergenceWarning) for w in caught)
    assert len(limits) >= 4 and max(limits) == 1
    assert not res.converged and res.status.n_starts == 4
