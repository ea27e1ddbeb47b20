"""Issue 16: on simulated data with known selection and a known effect, the weighted slope effect
lies within two standard errors of the truth and the unweighted ones do not.

The synthetic EAP study at three times the shipped size (seed 5), read back
through the prep layer like real exports; weights from the study definition
(entropy balancing, ATT, model covariates + t1 scale scores); growth models by
the SEM engine (weighted: lavaan's sampling.weights semantics, MLR).
"""

from __future__ import annotations

import warnings

import pytest

from ilb_eval.prep import build_panel, growth_data
from ilb_eval.simulate.sample import draw_sample
from ilb_eval.simulate.settings import load_settings
from ilb_eval.weighting.effects import ilb_effects_by_adjustment
from ilb_eval.weighting.study import study_weights

SCALE, SEED = 3.0, 5


@pytest.fixture(scope="module")
def weighted(eap):
    cfg = load_settings()["samples"]["EAP"]
    draw = draw_sample("EAP", eap, cfg, seed=SEED, scale=SCALE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        panel = build_panel(eap, dict(draw.frames()))
    return cfg, panel, study_weights(panel, eap)


def _slope_effects(panel, weighting, scale: str):
    data = growth_data(panel, scale).set_index("person").loc[weighting.persons["person"]]
    table = ilb_effects_by_adjustment(
        data, weighting.persons.set_index("person")["weight"], outcomes=["t1", "t3", "t4"],
        time_scores=data.attrs["time_scores"], covariates=list(panel.covariates),
    )
    return table[table["factor"] == "s"].set_index("kind")


def test_balance_is_exact_on_every_propensity_covariate(weighted):
    _, _, weighting = weighted
    assert weighting.result.max_abs_smd < 1e-8
    assert weighting.result.balance["smd_before"].abs().max() > 0.4


def test_weighted_resilience_effect_recovers_the_truth_and_the_unweighted_ones_do_not(weighted):
    cfg, panel, weighting = weighted
    truth = cfg["growth"]["scales"]["belastbarkeit"]["ilb_s"]
    effects = _slope_effects(panel, weighting, "belastbarkeit")
    assert effects["converged"].all()
    weighted_row = effects.loc["weighted"]
    assert abs(weighted_row["estimate"] - truth) < 2 * weighted_row["se"]
    for kind in ("unweighted", "adjusted"):
        row = effects.loc[kind]
        assert row["estimate"] - truth > 2 * row["se"], kind  # regression to the mean of the selected t1 scores


def test_weighted_autonomy_effect_recovers_the_truth(weighted):
    cfg, panel, weighting = weighted
    truth = cfg["growth"]["scales"]["selbststaendigkeit"]["ilb_s"]
    effects = _slope_effects(panel, weighting, "selbststaendigkeit")
    assert abs(effects.loc["weighted", "estimate"] - truth) < 2 * effects.loc["weighted", "se"]
    assert effects.loc["unweighted", "estimate"] > effects.loc["weighted", "estimate"]
