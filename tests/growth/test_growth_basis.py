"""Latent-basis growth models (estimated time scores) against lavaan 0.6-14 and by hand.

The plain parity (estimates, SEs, std.all, fit measures) of the latent-basis
references runs with every other reference in test_growth_lavaan_parity.py
(BASIS_NAMES) and, for MLR, in test_growth_mlr.py. Here: what is special to
an estimated time score.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from growth_refs import fit_kwargs, load_data, reference, spec_by_name

from ilb_eval.exceptions import SpecError
from ilb_eval.growth import GrowthSpec, fit_growth, lr_test, wald_test
from ilb_eval.growth.trajectories import mean_trajectories

EXTRAS = "demo_mar_basis_extras"


def _fit(**kwargs) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_growth(**kwargs)


@pytest.fixture(scope="module")
def extras_fit():
    spec = spec_by_name(EXTRAS)
    return _fit(data=load_data(spec["data"]), **fit_kwargs(spec))


def test_lavaan_from_its_default_start_stops_below_our_maximum():
    """ilb_a_basis: lavaan's default run ends 1.6e-5 below the maximum.

    Started at our estimates (ilb_a_basis_polished), lavaan converges in one
    iteration to our log-likelihood (checked to 1e-3 there); from its own start
    it stops early, so here our estimates agree to 1 % of a standard error and
    our log-likelihood is not lower.
    """
    ref = reference("ilb_a_basis")
    ours = _fit(data=load_data("ilb_sim_a.csv"), **fit_kwargs(spec_by_name("ilb_a_basis")))
    assert ours.fit["logl"] >= ref["fit"]["logl"]
    assert ours.fit["logl"] - ref["fit"]["logl"] < 1e-4
    lav = pd.DataFrame(ref["params"])
    both = lav.merge(ours.params, on=["lhs", "op", "rhs"], suffixes=("_lav", ""))
    both = both[both["free"] > 0]
    assert len(both) == 9
    assert (np.abs(both["est"] - both["est_lav"]) <= 0.01 * both["se_lav"]).all()
    # df = 0: the just-identified model reproduces the saturated model
    assert ours.fit["df"] == 0
    assert ours.fit["logl"] == pytest.approx(ours.fit["unrestricted_logl"], abs=1e-8)


def test_defined_means_at_the_waves_match_lavaan(extras_fit):
    """m2 := im + l2*sm and m3 := im + l3*sm are the implied means at waves t2, t3 (x1 = 0)."""
    lav = reference(EXTRAS)["defined"]
    bands = mean_trajectories(extras_fit, {"x1": 0.0}).set_index("time")
    assert bands.index.tolist() == [0.0, 1.0, 2.0, 3.0]  # the waves, at their given times
    for name, time in (("m2", 1.0), ("m3", 2.0)):
        assert bands.loc[time, "estimate"] == pytest.approx(lav[name]["est"], abs=1e-4)
        assert bands.loc[time, "se"] == pytest.approx(
            lav[name]["se"], abs=1e-4 + 2e-3 * lav[name]["se"]
        )


def test_trajectory_gradient_includes_the_time_score(extras_fit):
    """Delta-method SE at wave t3 against a finite-difference gradient of im + l3*sm."""
    table = extras_fit.params
    free = table[table["free"] > 0].drop_duplicates("free").sort_values("free")
    keys = list(zip(free["lhs"], free["op"], free["rhs"], strict=True))

    def mean_t3(theta: np.ndarray) -> float:
        est = dict(zip(keys, theta, strict=True))
        return est[("i", "~1", "")] + est[("s", "=~", "t3")] * est[("s", "~1", "")]

    theta = free["est"].to_numpy()
    grad = np.array(
        [(mean_t3(theta + h) - mean_t3(theta - h)) / 2e-6 for h in np.eye(len(theta)) * 1e-6]
    )
    bands = mean_trajectories(extras_fit, {"x1": 0.0}).set_index("time")
    assert bands.loc[2.0, "se"] == pytest.approx(
        float(np.sqrt(grad @ extras_fit.vcov @ grad)), rel=1e-6
    )


@pytest.mark.parametrize(
    ("hypothesis", "index"), [("s =~ t2 = 1; s =~ t3 = 2", 0), ("s =~ t2 = 1", 1)]
)
def test_wald_test_of_linear_growth_matches_lavtestwald(extras_fit, hypothesis, index):
    lav = reference(EXTRAS)["wald"][index]
    test = wald_test(extras_fit, hypothesis)
    assert test.df == lav["df"]
    assert test.stat == pytest.approx(lav["stat"], rel=2e-3)
    assert test.pvalue == pytest.approx(lav["p"], abs=1e-3)


def _exact_moment_data(
    spec: GrowthSpec,
    lam: np.ndarray,
    psi: np.ndarray,
    theta: np.ndarray,
    coef: np.ndarray,
    n: int = 300,
) -> pd.DataFrame:
    """Complete data whose residuals given z = [1, x] are orthogonal to z with covariance Sigma (N)."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=(n, 1))
    z = np.column_stack([np.ones(n), x])
    e = rng.normal(size=(n, spec.n_waves))
    e -= z @ np.linalg.lstsq(z, e, rcond=None)[0]
    sigma = lam @ psi @ lam.T + theta
    whiten = np.linalg.cholesky(e.T @ e / n)
    e = e @ np.linalg.inv(whiten).T @ np.linalg.cholesky(sigma).T
    y = z @ (lam @ coef).T + e
    return pd.DataFrame(y, columns=list(spec.outcomes)).assign(x=x[:, 0])


def test_labels_and_lavaan_syntax_of_a_multi_group_latent_basis():
    spec = GrowthSpec(("y1", "y3", "y4"), (0, 2, 3), group="ilb", time_basis="latent")
    assert "s =~ 0*y1 + NA*y3 + c(ts_y3, ts_y3)*y3 + start(2)*y3 + 3*y4" in spec.to_lavaan()
    res = _fit(data=load_data("ilb_sim_a.csv"), outcomes=["y1", "y3", "y4"], time_scores=[0, 2, 3],
               group="ilb", time_basis="latent")  # fmt: skip
    loading = res.params.query("lhs == 's' and op == '=~' and rhs == 'y3'")
    assert loading["label"].tolist() == ["ts_y3", "ts_y3"]
    assert loading["free"].nunique() == 1 and loading["est"].nunique() == 1


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"outcomes": ("y1", "y3"), "time_scores": (0, 2)}, "at least 3 waves"),
        ({"outcomes": ("y1", "y3", "y4"), "time_scores": (0, 2, 0)}, "must differ"),
    ],
)
def test_latent_basis_that_cannot_be_fitted_is_refused(kwargs, fragment):
    with pytest.raises(SpecError, match=fragment):
        GrowthSpec(**kwargs, time_basis="latent", slope_variance="zero")


def test_unknown_time_basis_is_refused():
    with pytest.raises(SpecError, match="time_basis must be one of fixed, latent"):
        GrowthSpec(("y1", "y3", "y4"), (0, 2, 3), time_basis="free")  # type: ignore[arg-type]


def test_without_growth_the_time_score_is_undetermined_and_the_status_shows_it():
    """No slope at all: the time score (a ratio of mean changes) is barely identified.

    Its standard error spans a third of the time range and the smallest
    eigenvalue of the information in the status record falls by three orders of
    magnitude against the linear model on the same data.
    """
    rng = np.random.default_rng(5)
    level = rng.normal(3.0, 0.5, 600)
    data = pd.DataFrame({f"y{t}": level + rng.normal(0, 0.3, 600) for t in (1, 3, 4)})
    kwargs = {"data": data, "outcomes": ["y1", "y3", "y4"], "time_scores": [0, 2, 3]}
    linear, basis = _fit(**kwargs), _fit(**kwargs, time_basis="latent")
    score = basis.params.query("lhs == 's' and op == '=~' and rhs == 'y3'").iloc[0]
    assert score["se"] > 1.0
    assert basis.status.min_information_eigenvalue < 1e-3 * linear.status.min_information_eigenvalue


def test_likelihood_ratio_test_of_linear_growth_equals_lavaan_logl_difference():
    """Linear growth is the latent basis with the t3 score fixed at 2: LR = 2 (logl_basis - logl_linear)."""
    linear = reference("ilb_a_uncond")["fit"]["logl"]
    basis = reference("ilb_a_basis_polished")["fit"]["logl"]
    kwargs = {
        "data": load_data("ilb_sim_a.csv"),
        "outcomes": ["y1", "y3", "y4"],
        "time_scores": [0, 2, 3],
    }
    test = lr_test(_fit(**kwargs), _fit(**kwargs, time_basis="latent"))
    assert test.df_diff == 1
    assert test.chisq_diff == pytest.approx(2.0 * (basis - linear), abs=1e-4)
