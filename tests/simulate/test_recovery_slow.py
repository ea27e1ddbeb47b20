"""Monte Carlo recovery: the growth engine gets the simulator's true parameters back (slow)."""

from __future__ import annotations

import numpy as np
import pytest

from ilb_eval.simulate.recovery import recovery_replications, summarise_recovery

REPLICATIONS = 50
KEY = {("i", "~1", ""), ("s", "~1", ""), ("i", "~", "ilb"), ("s", "~", "ilb")}


@pytest.mark.slow
def test_intercept_and_slope_parameters_are_recovered_with_nominal_coverage():
    table = recovery_replications(REPLICATIONS, size=0.5)
    assert table["converged"].mean() >= 0.98
    summary = summarise_recovery(table)
    key = summary.loc[[(r.lhs, r.op, r.rhs) in KEY for r in summary.itertuples()]]
    assert len(key) == 12
    # no notable bias: within 3 Monte Carlo standard errors plus .01 for the item coarsening
    limit = 3 * key["sd_est"] / np.sqrt(key["n"]) + 0.01
    assert (key["bias"].abs() <= limit).all(), key
    # 95 % intervals: pooled coverage near .95, no parameter far below
    pooled = float((key["coverage"] * key["n"]).sum() / key["n"].sum())
    assert 0.91 <= pooled <= 0.985
    assert (key["coverage"] >= 0.84).all()
