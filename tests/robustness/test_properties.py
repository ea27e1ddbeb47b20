"""Metamorphic properties (issue 8, item 2; R-1.5) on the whole path files -> panel -> growth model.

* Row order within each wave file and a relabelling of the person identifiers change neither
  the panel's accounting and linkage nor any growth-model estimate (|d| <= 1e-6).
* Adding a constant to all outcomes shifts only the intercept mean, by the constant; scaling by
  k scales the means (and regression weights) by k and the variances by k^2 (rtol 1e-6), here
  for a multi-group model on panel-derived data.

Already proven elsewhere, not repeated: the single-group shift/scale with a row permutation
(tests/growth/test_growth_properties.py) and the wave-file round trip in every delimiter,
decimal mark, encoding, BOM, quoting and line ending (tests/io/test_roundtrip.py).
"""

from __future__ import annotations

import string
import warnings

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilb_eval.growth import fit_growth
from ilb_eval.io import load_waves
from ilb_eval.prep import build_panel, growth_data
from ilb_eval.resources import example_dir
from ilb_eval.study import load_study

EAP = load_study("EAP")
WAVES = {name: table.frame for name, table in load_waves(EAP, example_dir()).items()}
SCALES = ("belastbarkeit", "fachkompetenz")
COVARIATES = ["age40", "female", "ilb"]
PROPERTY = settings(max_examples=4, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SYMBOLS = string.ascii_uppercase + string.digits


def quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


def estimates(result) -> pd.Series:
    p = result.params
    key = p["lhs"] + p["op"] + p["rhs"] + "|" + p["group"].astype(str)
    return pd.Series(p["est"].to_numpy(), index=key).sort_index()


def fits(panel) -> dict[str, pd.Series]:
    out = {}
    for scale in SCALES:
        data = growth_data(panel, scale)
        result = quiet(fit_growth, data, outcomes=["t1", "t3", "t4"], time_scores=data.attrs["time_scores"],
                       covariates=COVARIATES)
        assert result.converged
        out[scale] = estimates(result)
    return out


BASE_PANEL = quiet(build_panel, EAP, WAVES)
BASE = fits(BASE_PANEL)


def cipher(permutation: list[int]):
    """A character bijection on A-Z0-9 applied to upper and lower case alike (edit distances kept)."""
    table = {}
    for symbol, target in zip(SYMBOLS, (SYMBOLS[i] for i in permutation), strict=True):
        table[symbol] = target
        if symbol.isalpha():
            table[symbol.lower()] = target.lower()
    return lambda code: code if not isinstance(code, str) else "".join(table.get(c, c) for c in code)


@PROPERTY
@given(seeds=st.lists(st.integers(0, 2**32 - 1), min_size=3, max_size=3),
       permutation=st.permutations(range(len(SYMBOLS))))
def test_row_order_and_identifier_relabelling_change_nothing(seeds, permutation):
    relabel = cipher(list(permutation))
    changed = {}
    for seed, (name, frame) in zip(seeds, WAVES.items(), strict=True):
        shuffled = frame.sample(frac=1.0, random_state=seed % 2**32)
        shuffled = shuffled.assign(code=shuffled["code"].map(relabel).astype(frame["code"].dtype))
        changed[name] = shuffled
    assert not changed["t1"]["code"].equals(WAVES["t1"]["code"])
    assert BASE_PANEL.linkage["tolerant"].sum() > 0  # typo links must survive the relabelling
    panel = quiet(build_panel, EAP, changed)
    pd.testing.assert_frame_equal(panel.accounting, BASE_PANEL.accounting)
    pd.testing.assert_frame_equal(panel.linkage, BASE_PANEL.linkage)
    assert len(panel.wide) == len(BASE_PANEL.wide)
    for scale, expected in fits(panel).items():
        np.testing.assert_allclose(expected.to_numpy(), BASE[scale].to_numpy(), rtol=0, atol=1e-6,
                                   err_msg=scale)


MG_DATA = growth_data(BASE_PANEL, "belastbarkeit")
MG_KW = {"outcomes": ["t1", "t3", "t4"], "time_scores": MG_DATA.attrs["time_scores"], "group": "ilb"}
MG_BASE = quiet(fit_growth, MG_DATA, **MG_KW).params


@settings(max_examples=8, deadline=None, derandomize=True)
@given(shift=st.floats(-20, 20, allow_nan=False), k=st.floats(0.1, 10, allow_nan=False),
       seed=st.integers(0, 2**16))
def test_shift_and_scale_of_outcomes_multi_group(shift, k, seed):
    data = MG_DATA.sample(frac=1.0, random_state=seed)
    data = data.assign(person=np.random.default_rng(seed).permutation(len(data)))  # relabelled persons
    outcomes = MG_KW["outcomes"]
    shifted = quiet(fit_growth, data.assign(**{y: data[y] + shift for y in outcomes}), **MG_KW).params
    scaled = quiet(fit_growth, data.assign(**{y: data[y] * k for y in outcomes}), **MG_KW).params
    base = MG_BASE["est"].to_numpy()
    intercept_mean = ((MG_BASE["lhs"] == "i") & (MG_BASE["op"] == "~1")).to_numpy()
    mean_like = ((MG_BASE["op"] == "~1") & MG_BASE["lhs"].isin(["i", "s"])).to_numpy()
    variance_like = (MG_BASE["op"] == "~~").to_numpy()
    expected_shift = base + np.where(intercept_mean, shift, 0.0)
    np.testing.assert_allclose(shifted["est"].to_numpy(), expected_shift, rtol=1e-6, atol=1e-7 * (1 + abs(shift)))
    expected_scale = base * np.where(mean_like, k, 1.0) * np.where(variance_like, k**2, 1.0)
    np.testing.assert_allclose(scaled["est"].to_numpy(), expected_scale, rtol=1e-6, atol=1e-9 * (1 + k**2))
