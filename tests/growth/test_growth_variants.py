"""Sensitivity variants against lavaan references."""

from __future__ import annotations

import numpy as np
import pytest
from growth_refs import load_data, reference

from ilb_eval.growth import GrowthSpec
from ilb_eval.growth.variants import fit_variants

COND = ("ilb", "age40", "female", "program", "degree")


def test_variant_table_matches_lavaan():
    spec = GrowthSpec(outcomes=("y1", "y3", "y4"), time_scores=(0, 2, 3), covariates=COND)
    table = fit_variants(load_data("ilb_sim_a.csv"), spec).set_index("variant")
    assert table["converged"].all()
    for name, ref in [("as specified", "ilb_a_cond"), ("fixed slope (no slope variance)",
                                                        "ilb_a_cond_fixedslope")]:  # fmt: skip
        lav = reference(ref)
        row = table.loc[name]
        assert row["npar"] == lav["fit"]["npar"] and row["df"] == lav["fit"]["df"]
        assert row["logl"] == pytest.approx(lav["fit"]["logl"], abs=1e-3)
        s_ilb = next(
            p["est"] for p in lav["params"] if (p["lhs"], p["op"], p["rhs"]) == ("s", "~", "ilb")
        )
        assert row["s~ilb"] == pytest.approx(s_ilb, abs=1e-4)
    assert table.loc["fixed slope (no slope variance)", "slope_variance"] == 0.0
    assert table.loc["equal residual variances", "npar"] == 16


def test_latent_basis_variant_matches_lavaan():
    """The variant equals the latent-basis reference fitted by lavaan to convergence."""
    spec = GrowthSpec(outcomes=("y1", "y3", "y4"), time_scores=(0, 2, 3))
    row = fit_variants(load_data("ilb_sim_a.csv"), spec).set_index("variant").loc[
        "latent basis (estimated time scores)"]  # fmt: skip
    lav = reference("ilb_a_basis_polished")
    est = {(p["lhs"], p["op"], p["rhs"]): p["est"] for p in lav["params"]}
    assert row["converged"] and row["npar"] == lav["fit"]["npar"] and row["df"] == 0
    assert row["logl"] == pytest.approx(lav["fit"]["logl"], abs=1e-6)
    assert row["time_scores"] == f"0, {est[('s', '=~', 'y3')]:.3g}, 3"
    assert row["slope_mean"] == pytest.approx(est[("s", "~1", "")], abs=1e-6)
    assert row["slope_variance"] == pytest.approx(est[("s", "~~", "s")], abs=1e-6)


def test_two_waves_with_a_fixed_slope():
    table = fit_variants(load_data("ilb_sim_a.csv"), {"outcomes": ("y1", "y3"), "time_scores": (0, 2),
                                                       "slope_variance": "zero"})  # fmt: skip
    assert table["converged"].tolist() == [True, True, True, False]
    assert table["df"].tolist()[:3] == [0, 1, 0]
    basis = table.iloc[3]  # a latent basis needs a middle wave: not fitted, with the reason
    assert basis["warnings"] == "NOT_FITTED" and "at least 3 waves" in basis["note"]
    assert np.isnan(basis["logl"]) and np.isnan(basis["slope_mean"])
