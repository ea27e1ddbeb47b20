"""The FIML log-likelihood and its derivatives, checked independently."""

from __future__ import annotations

import numpy as np
import pytest
from growth_refs import fit_kwargs, load_data, our_fit, spec_by_name
from scipy import stats
from scipy.optimize import approx_fprime

from ilb_eval.growth import GrowthModel, GrowthSpec
from ilb_eval.growth.patterns import pattern_stats

CASES = [
    "demo_uncond",
    "demo_mar_cond",
    "ilb_a_uncond",
    "ilb_a_cond",
    "ilb_a_mg",
    "ilb_a_mg_eqslope",
]


def independent_logl(name: str) -> float:
    """logl at our estimates, person by person with scipy's multivariate normal."""
    spec = spec_by_name(name)
    res = our_fit(name)
    data = load_data(spec["data"])
    params = res.params
    outcomes, covariates = spec["outcomes"], spec.get("covariates", [])
    lam = np.column_stack([np.ones(len(outcomes)), spec["time_scores"]])
    total = 0.0
    for g, label in enumerate(res.group_labels, start=1):
        part = params[params["group"] == g]

        def value(lhs, op, rhs="", part=part):
            row = part[(part["lhs"] == lhs) & (part["op"] == op) & (part["rhs"] == rhs)]
            return float(row["est"].iloc[0])

        theta = np.diag([value(y, "~~", y) for y in outcomes])
        psi = np.array(
            [
                [value("i", "~~", "i"), value("i", "~~", "s")],
                [value("i", "~~", "s"), value("s", "~~", "s")],
            ]
        )
        alpha = np.array([value("i", "~1"), value("s", "~1")])
        gamma = np.array([[value(f, "~", x) for x in covariates] for f in ("i", "s")])
        sigma = lam @ psi @ lam.T + theta
        rows = data if not label else data[data[spec["group"]].astype(str) == label]
        y = rows[outcomes].to_numpy(float)
        x = rows[covariates].to_numpy(float) if covariates else np.zeros((len(rows), 0))
        for yi, xi in zip(y, x, strict=True):
            obs = ~np.isnan(yi)
            if not obs.any():
                continue
            mu = lam @ (alpha + gamma.reshape(2, -1) @ xi)
            total += stats.multivariate_normal(mu[obs], sigma[np.ix_(obs, obs)]).logpdf(yi[obs])
    return total


@pytest.mark.parametrize("name", CASES)
def test_logl_equals_person_by_person_computation(name):
    ours = our_fit(name).fit["logl"]
    assert ours == pytest.approx(independent_logl(name), rel=1e-8)


def _problem_and_estimates(name):
    spec = spec_by_name(name)
    kw = fit_kwargs(spec)
    gspec = GrowthSpec(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in kw.items()})
    problem = GrowthModel(gspec).problem(load_data(spec["data"]))
    params = our_fit(name).params
    free = params[params["free"] > 0].drop_duplicates("free").sort_values("free")
    return problem, free["est"].to_numpy()


@pytest.mark.parametrize("name", ["demo_mar_cond", "ilb_a_cond", "ilb_a_mg_eqslope"])
@pytest.mark.parametrize("shift", [0.0, 0.02])
def test_analytic_gradient_matches_numerical(name, shift):
    problem, est = _problem_and_estimates(name)
    rng = np.random.default_rng(3)
    point = est * (1.0 + shift * rng.standard_normal(est.size))
    grad = problem.objective(point, 1).gradient
    numeric = approx_fprime(point, lambda v: problem.objective(v, 0).logl, 1e-7)
    central = np.array(
        [
            (problem.objective(point + h * e, 0).logl - problem.objective(point - h * e, 0).logl)
            / (2 * h)
            for e, h in zip(np.eye(est.size), 1e-6 * np.maximum(np.abs(point), 1e-2), strict=True)
        ]
    )
    scale = np.max(np.abs(central)) + problem.n_total
    assert np.max(np.abs(grad - central)) <= 1e-6 * scale
    assert np.max(np.abs(grad - numeric)) <= 1e-2 * scale
    if shift == 0.0:  # converged: the Newton decrement g'(-H)^-1 g is ~0
        hess = problem.objective(point, 2).hessian
        assert grad @ np.linalg.solve(-hess, grad) < 1e-12


@pytest.mark.parametrize("name", ["demo_mar_cond", "ilb_a_mg_eqslope"])
def test_analytic_hessian_matches_differenced_gradient(name):
    problem, est = _problem_and_estimates(name)
    hess = problem.objective(est, 2).hessian
    steps = 1e-6 * np.maximum(np.abs(est), 1e-2)
    numeric = np.column_stack(
        [
            (
                problem.objective(est + h * e, 1).gradient
                - problem.objective(est - h * e, 1).gradient
            )
            / (2 * h)
            for e, h in zip(np.eye(est.size), steps, strict=True)
        ]
    )
    np.testing.assert_allclose(hess, numeric, rtol=1e-5, atol=1e-5 * np.max(np.abs(hess)))


def test_pattern_statistics_equal_a_loop_over_persons():
    rng = np.random.default_rng(5)
    y = rng.normal(size=(200, 4))
    y[rng.random(y.shape) < 0.4] = np.nan
    y = y[~np.isnan(y).all(axis=1)]
    x = rng.normal(size=(len(y), 2))
    patterns = pattern_stats(y, x)
    assert sum(p.n for p in patterns) == len(y)
    for pat in patterns:
        rows = [
            i
            for i in range(len(y))
            if np.array_equal(np.flatnonzero(~np.isnan(y[i])), pat.observed)
        ]
        z = np.column_stack([np.ones(len(rows)), x[rows]])
        yo = y[np.ix_(rows, pat.observed)]
        assert pat.n == len(rows)
        np.testing.assert_allclose(pat.szz, z.T @ z)
        np.testing.assert_allclose(pat.szy, z.T @ yo)
        np.testing.assert_allclose(pat.syy, yo.T @ yo)


@pytest.mark.parametrize("name", ["demo_mar_cond", "ilb_a_mg_cond_eq", "heywood_uncond"])
def test_newton_from_the_simple_start_reaches_the_same_optimum(name):
    from ilb_eval.growth.model import _start_free
    from ilb_eval.growth.optimize import maximize

    problem, est = _problem_and_estimates(name)
    simple = _start_free(problem.spec, problem.structure, problem.pmap, problem.groups, safe=True)
    optimum = maximize(problem.objective, simple, problem.n_total)
    assert optimum.converged
    np.testing.assert_allclose(optimum.x, est, rtol=1e-6, atol=1e-8)
