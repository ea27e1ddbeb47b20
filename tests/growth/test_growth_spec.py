"""GrowthSpec checks itself and prints lavaan syntax."""

from __future__ import annotations

import dataclasses

import pytest

from ilb_eval.exceptions import SpecError
from ilb_eval.growth import GrowthSpec

BASE = {"outcomes": ("y1", "y3", "y4"), "time_scores": (0, 2, 3)}


def test_valid_spec_is_frozen_and_normalised():
    spec = GrowthSpec(outcomes=["y1", "y3", "y4"], time_scores=[0, 2, 3], covariates=["a"])
    assert spec.outcomes == ("y1", "y3", "y4")
    assert spec.time_scores == (0.0, 2.0, 3.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.group = "g"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"outcomes": ("y1",), "time_scores": (0,)}, "at least 2 waves"),
        (
            {"outcomes": ("y1", "y3"), "time_scores": (0, 2)},
            "NOT_IDENTIFIED.*7 free.*5 means.*df = -2",
        ),
        (
            {"outcomes": ("y1", "y3"), "time_scores": (0, 2), "residual_variances": "equal"},
            "NOT_IDENTIFIED.*df = -1.*slope_variance='zero'",
        ),
        ({"slope_variance": "random"}, "slope_variance must be one of"),
        ({"time_scores": (0, 2)}, "time_scores has 2 value"),
        ({"time_scores": (0, "a", 3)}, "time_scores must be numbers"),
        ({"time_scores": (0, float("nan"), 3)}, "finite"),
        ({"outcomes": "y1"}, "single string"),
        ({"outcomes": ("y1", "y1", "y4")}, "more than once"),
        ({"covariates": ("y1",)}, "both an outcome and a covariate"),
        ({"covariates": ("i",)}, "clash with the growth factors"),
        ({"equal_slope_means": True}, "no group column"),
        ({"group": "y1"}, "also an outcome"),
        ({"residual_variances": "diagonal"}, "residual_variances must be one of"),
        ({"estimator": "WLS"}, "estimator must be one of"),
    ],
)
def test_invalid_spec_says_what_and_how_to_fix(change, message):
    with pytest.raises(SpecError, match=message):
        GrowthSpec(**{**BASE, **change})


def test_to_lavaan_writes_model_and_call():
    spec = GrowthSpec(
        outcomes=("y1", "y3", "y4"),
        time_scores=(0, 2, 3.5),
        covariates=("a", "b"),
        group="g",
        equal_intercept_means=True,
        equal_slope_means=True,
        residual_variances="equal",
    )
    text = spec.to_lavaan(data_name="d", group_labels=("0", "1", "2"))
    assert "i =~ 1*y1 + 1*y3 + 1*y4" in text
    assert "s =~ 0*y1 + 2*y3 + 3.5*y4" in text
    assert "i ~ a + b" in text and "s ~ a + b" in text
    assert "i ~ c(mi, mi, mi)*1" in text and "s ~ c(ms, ms, ms)*1" in text
    assert "y3 ~~ c(th1, th2, th3)*y3" in text
    assert 'growth(model, data = d, missing = "fiml", group = "g")' in text


def test_two_waves_are_identified_with_a_fixed_slope():
    spec = GrowthSpec(outcomes=("y1", "y3"), time_scores=(0, 2), slope_variance="zero")
    assert spec.n_free_per_group == spec.n_moments_per_group == 5
    assert "s ~~ 0*s" in spec.to_lavaan() and "i ~~ 0*s" in spec.to_lavaan()
