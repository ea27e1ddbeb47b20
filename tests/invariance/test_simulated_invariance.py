"""The synthetic study measures invariantly; a planted response shift is caught, freed and corrected.

The generator (:mod:`ilb_eval.simulate.items`) answers every item from the
scale's true score with loading 1 and the same intercept at every wave, so
every scale of the shipped example must reach scalar invariance (across the
waves, and across iLB and control at the first wave). With a shift of +0.6
in item 2 of *Belastbarkeit* at t4 (answers move, the construct does not),
the full scalar model must fail by the decision rule, the partial search
must free exactly that intercept, the scale-mean slope must be biased
upwards and second-order growth on the partial model must recover the true
slope of the generator's parameter table.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from ilb_eval.exceptions import InputError
from ilb_eval.growth import fit_growth
from ilb_eval.invariance import (
    item_data,
    longitudinal_invariance,
    measurement_spec,
    second_order_growth,
)
from ilb_eval.invariance.decision import DELTA_CFI, DELTA_RMSEA
from ilb_eval.io import load_waves
from ilb_eval.prep import build_panel, growth_data
from ilb_eval.simulate import simulate_study
from ilb_eval.simulate.settings import check_settings, load_settings
from ilb_eval.study import load_study

SHIFT = {"scale": "belastbarkeit", "item": 2, "wave": "t4", "intercept": 0.6}


@pytest.mark.parametrize("sample", ["EAP", "ZP"])
def test_every_scale_of_the_synthetic_study_is_scalar_invariant(run, sample) -> None:
    inv = run.results.studies[sample].invariance
    ladders = {(x.scale, x.across): x for x in inv.ladders}
    study = run.results.studies[sample].study
    across = ("waves", "groups") if study.has_control_group else ("waves",)
    assert set(ladders) == {(s.name, a) for s in study.scales for a in across}
    for key, ladder in ladders.items():
        assert ladder.held in ("scalar", "strict") and ladder.freed == (), (key, ladder.held, ladder.notes)
        full = [row for row in ladder.rows if row.level == "scalar" and not row.partial]
        assert full[0].decision == "held", key
    assert all(g.ok for g in inv.growth.values())


@pytest.fixture(scope="module")
def shifted(tmp_path_factory):
    """The ZP sample simulated with the planted shift, read through the real loaders."""
    cfg = load_settings()
    cfg["samples"] = {"ZP": cfg["samples"]["ZP"]}
    cfg["samples"]["ZP"]["growth"]["non_invariance"] = [SHIFT]
    out = tmp_path_factory.mktemp("shifted")
    simulate_study(out, settings=cfg)
    study = load_study("ZP")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        panel = build_panel(study, {name: table.frame for name, table in load_waves(study, out).items()})
    truth = pd.read_csv(out / "true_parameters.csv")
    return study, panel, truth


def test_a_planted_response_shift_is_caught_and_its_item_freed(shifted) -> None:
    study, panel, _ = shifted
    data = item_data(panel, study, "belastbarkeit")
    ladder = longitudinal_invariance(data, measurement_spec(study.scale("belastbarkeit"), data))
    full = next(row for row in ladder.rows if row.level == "scalar" and not row.partial)
    assert full.decision == "not held"
    assert full.comparison.delta_cfi <= -DELTA_CFI and full.comparison.delta_rmsea >= DELTA_RMSEA
    assert ladder.freed == (("be_2", "t4"),) and ladder.freed_items == ("be_2",)
    assert ladder.scalar


def test_second_order_growth_recovers_the_true_change_the_scale_mean_misses(shifted) -> None:
    study, panel, truth = shifted
    true_slope = float(truth.query("scale == 'belastbarkeit' and lhs == 's' and op == '~1'")["est"].iloc[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mean_model = fit_growth(growth_data(panel, "belastbarkeit"), outcomes=["t1", "t3", "t4"],
                                time_scores=list(study.time_scores))
    p = mean_model.params
    scale_mean = p[(p["lhs"] == "s") & (p["op"] == "~1")].iloc[0]
    assert scale_mean["est"] - true_slope > 3 * scale_mean["se"]        # the shift reads as growth
    data = item_data(panel, study, "belastbarkeit")
    spec = measurement_spec(study.scale("belastbarkeit"), data)
    times = dict(zip(study.wave_names, study.time_scores, strict=True))
    growth = second_order_growth(data, spec, times, freed=(("be_2", "t4"),))
    construct = growth.rows.set_index("factor").loc["s"]
    assert growth.ok and abs(construct["estimate"] - true_slope) < 2 * construct["se"]


def test_non_invariance_settings_are_checked_all_at_once() -> None:
    cfg = load_settings()
    cfg["samples"]["ZP"]["growth"]["non_invariance"] = [
        {"scale": "belastbarkeit", "item": 7, "wave": "t2", "intercept": "high"}, {"scale": "nope", "item": 1,
                                                                                   "wave": "t1", "slope": 1}]
    with pytest.raises(InputError) as raised:
        check_settings(cfg)
    text = str(raised.value)
    for expected in ("non_invariance[0]: item must be a position 1..4", "non_invariance[0]: unknown wave 't2'",
                     "non_invariance[0]: intercept must be a number", "non_invariance[1]: unknown scale 'nope'",
                     "non_invariance[1]: unknown keys ['slope']"):
        assert expected in text
