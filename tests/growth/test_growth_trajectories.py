"""Mean trajectories (delta method) and factor scores against lavaan (:= and lavPredict)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from growth_refs import fit_kwargs, load_data, reference, spec_by_name

from ilb_eval.growth import fit_growth
from ilb_eval.growth.trajectories import factor_scores, mean_trajectories

NAME = "ilb_a_cond_extras"
ZERO = {c: 0.0 for c in ["ilb", "age40", "female", "program", "degree"]}


@pytest.fixture(scope="module")
def fit():
    spec = spec_by_name(NAME)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_growth(load_data(spec["data"]), **fit_kwargs(spec))


@pytest.mark.parametrize(("defined", "values"), [("m3", ZERO), ("m3ilb", {**ZERO, "ilb": 1.0})])
def test_point_and_se_match_a_lavaan_defined_parameter(fit, defined, values):
    lav = reference(NAME)["defined"][defined]
    bands = mean_trajectories(fit, values, n_points=4)  # times 0, 1, 2, 3
    at3 = bands[bands["time"] == 3.0].iloc[0]
    assert at3["estimate"] == pytest.approx(lav["est"], abs=1e-4)
    assert at3["se"] == pytest.approx(lav["se"], abs=1e-4 + 2e-3 * lav["se"])


def test_delta_method_equals_finite_differences(fit):
    """Numerical gradient of the mean at t = 2.5 (sample means) in the free parameters."""
    table = fit.params
    free = table[table["free"] > 0].drop_duplicates("free").sort_values("free")
    means = {c: float(table.query(f"lhs == '{c}' and op == '~1'")["est"].iloc[0]) for c in ZERO}

    def mean_at(theta: np.ndarray) -> float:
        keys = zip(free["lhs"], free["op"], free["rhs"], strict=True)
        est = dict(zip(keys, theta, strict=True))
        level = est[("i", "~1", "")] + sum(est[("i", "~", c)] * v for c, v in means.items())
        slope = est[("s", "~1", "")] + sum(est[("s", "~", c)] * v for c, v in means.items())
        return level + 2.5 * slope

    theta = free["est"].to_numpy()
    grad = np.array(
        [(mean_at(theta + h) - mean_at(theta - h)) / 2e-6 for h in np.eye(len(theta)) * 1e-6]
    )
    se = float(np.sqrt(grad @ fit.vcov @ grad))
    bands = mean_trajectories(fit, n_points=7)  # 0, .5, ..., 3
    row = bands[np.isclose(bands["time"], 2.5)].iloc[0]
    assert row["se"] == pytest.approx(se, rel=1e-6)
    assert row["estimate"] == pytest.approx(mean_at(theta), rel=1e-10)
    assert (row["ci_upper"] - row["ci_lower"]) == pytest.approx(2 * 1.959964 * se, rel=1e-5)


def test_multi_group_trajectories_have_one_curve_per_group():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_growth(load_data("ilb_sim_a.csv"), outcomes=["y1", "y3", "y4"],
                         time_scores=[0, 2, 3], group="ilb")  # fmt: skip
    bands = mean_trajectories(res, n_points=5)
    assert sorted(bands["group"].unique()) == ["0", "1"] and len(bands) == 10
    assert (bands["se"] > 0).all()


@pytest.mark.parametrize("name", [NAME, "demo_mar_basis_extras"])  # linear and latent basis
def test_factor_scores_match_lavpredict(name):
    spec = spec_by_name(name)
    data = load_data(spec["data"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = fit_growth(data, **fit_kwargs(spec))
    lav = reference(name)["scores"]
    ours = factor_scores(fitted, data)
    assert len(ours) == len(lav["i"])
    assert np.abs(ours["i"] - np.array(lav["i"])).max() < 1e-4
    assert np.abs(ours["s"] - np.array(lav["s"])).max() < 1e-4
