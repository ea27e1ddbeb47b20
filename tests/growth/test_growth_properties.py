"""Metamorphic properties (hypothesis): shifting and scaling the outcomes."""

from __future__ import annotations

import warnings

import numpy as np
from growth_refs import load_data
from hypothesis import given, settings
from hypothesis import strategies as st

from ilb_eval.growth import fit_growth

KW = {"outcomes": ["y1", "y3", "y4"], "time_scores": [0, 2, 3], "covariates": ["ilb"]}


def _fit(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_growth(data, **KW)


BASE = _fit(load_data("ilb_sim_a.csv"))


def _rows(res, lhs, op, rhs=""):
    p = res.params
    return (p["lhs"] == lhs) & (p["op"] == op) & (p["rhs"] == rhs)


@settings(max_examples=15, deadline=None)
@given(
    shift=st.floats(-50, 50, allow_nan=False),
    scale=st.floats(0.05, 20, allow_nan=False),
    seed=st.integers(0, 2**16),
)
def test_linear_transformation_of_outcomes(shift, scale, seed):
    data = load_data("ilb_sim_a.csv").sample(frac=1.0, random_state=seed)
    outcomes = ["y1", "y3", "y4"]
    res = _fit(data.assign(**{y: data[y] * scale + shift for y in outcomes}))
    base, new = BASE.params["est"].to_numpy(), res.params["est"].to_numpy()
    expected = base.copy()
    p = BASE.params
    variance_like = (p["op"] == "~~") & ~p["lhs"].isin(["ilb"])
    expected[variance_like.to_numpy()] *= scale**2
    for rows in (
        _rows(BASE, "i", "~1"),
        _rows(BASE, "s", "~1"),
        _rows(BASE, "i", "~", "ilb"),
        _rows(BASE, "s", "~", "ilb"),
    ):
        expected[rows.to_numpy()] *= scale
    expected[_rows(BASE, "i", "~1").to_numpy()] += shift
    np.testing.assert_allclose(new, expected, rtol=1e-6, atol=1e-7 * (1 + abs(shift)))
    assert abs(res.fit["chisq"] - BASE.fit["chisq"]) < 1e-6
    same_std = ~_rows(BASE, "i", "~1").to_numpy()  # only the intercept mean moves
    np.testing.assert_allclose(
        res.params["std_all"][same_std], BASE.params["std_all"][same_std], atol=1e-6
    )
