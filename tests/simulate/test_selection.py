"""The planted selection into iLB: logistic in the selection index, on observed t1 data only.

Checked on the generator's complete data (every person's answers at every
wave, before attrition), at five times the shipped sample size so that the
selection bias stands far above the noise:

* uptake follows the latent-index logit model: a logistic regression of iLB
  use on the selection index has slope 1 (statsmodels GLM);
* the raw difference of the person slopes (OLS on the observed scale scores
  at t1, t3, t4) between users and controls misses the true iLB slope effect
  by many standard errors (regression to the mean of the selected t1 scores);
* entropy-balancing weights on the model covariates and the observed t1
  scale scores bring it back to the truth, within two standard errors.

The last step's remaining gap is the coarsening of the 1-5 answers, which
attenuates slopes slightly (see ``ilb_eval.simulate.growth_truth``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from ilb_eval.simulate.growth_truth import covariate_matrix, observed_mean_score
from ilb_eval.simulate.sample import draw_sample
from ilb_eval.simulate.selection import first_wave_scores, selection_index, without_selection
from ilb_eval.simulate.settings import load_settings
from ilb_eval.weighting import estimate_weights

SCALE = 5.0
SEED = 11


@pytest.fixture(scope="module")
def complete(eap):
    cfg = load_settings()["samples"]["EAP"]
    draw = draw_sample("EAP", eap, cfg, seed=SEED, scale=SCALE)
    return cfg, draw


def _person_slopes(study, draw, scale_name: str) -> np.ndarray:
    scale = study.scale(scale_name)
    lo, hi = scale.range
    flips = [tuple(item in scale.reverse for item in scale.items)]
    y = np.column_stack([
        observed_mean_score([np.stack([draw.items[w][item] for item in scale.items], axis=1)], flips, lo, hi)
        for w in study.wave_names
    ])
    times = np.asarray(study.time_scores) - np.mean(study.time_scores)
    return (y - y.mean(axis=1, keepdims=True)) @ times / (times @ times)


def test_uptake_is_logistic_in_the_selection_index(eap, complete):
    cfg, draw = complete
    scores = first_wave_scores(eap, draw.items[eap.wave_names[0]])
    eta = selection_index(draw.persons, eap, cfg["selection"], scores)
    fit = sm.GLM(draw.persons.ilb.astype(float), sm.add_constant(eta), family=sm.families.Binomial()).fit()
    assert fit.params[1] == pytest.approx(1.0, abs=2 * fit.bse[1] + 0.01)
    assert int(draw.persons.ilb.sum()) == round(377 * SCALE)


def test_without_selection_uptake_does_not_depend_on_the_index(eap):
    cfg = without_selection(load_settings())["samples"]["EAP"]
    draw = draw_sample("EAP", eap, cfg, seed=SEED, scale=2.0)
    observed = load_settings()["samples"]["EAP"]["selection"]
    eta = selection_index(draw.persons, eap, observed, first_wave_scores(eap, draw.items[eap.wave_names[0]]))
    fit = sm.GLM(draw.persons.ilb.astype(float), sm.add_constant(eta), family=sm.families.Binomial()).fit()
    assert abs(fit.params[1]) < 2.5 * fit.bse[1]


def test_weighting_on_observed_t1_data_recovers_the_true_slope_effects(eap, complete):
    cfg, draw = complete
    persons = draw.persons
    frame = pd.DataFrame({k: v for k, v in covariate_matrix(persons, eap).items()})
    for name, values in first_wave_scores(eap, draw.items[eap.wave_names[0]]).items():
        frame[f"{name}_t1"] = values
    usable = frame.notna().all(axis=1).to_numpy()
    covariates = [c for c in frame.columns if c != "ilb"]
    weights = estimate_weights(frame.loc[usable], "ilb", covariates).weights.to_numpy()
    treated = frame.loc[usable, "ilb"].to_numpy() == 1
    for name in ("belastbarkeit", "selbststaendigkeit", "reflexivitaet", "fachkompetenz"):
        truth = cfg["growth"]["scales"][name]["ilb_s"]
        slope = _person_slopes(eap, draw, name)[usable]
        ok = np.isfinite(slope)
        y1, y0, w0 = slope[treated & ok], slope[~treated & ok], weights[~treated & ok]
        raw = y1.mean() - y0.mean()
        se_raw = np.sqrt(y1.var() / y1.size + y0.var() / y0.size)
        m0 = w0 @ y0 / w0.sum()
        weighted = y1.mean() - m0
        se_weighted = np.sqrt(y1.var() / y1.size + np.sum(w0**2 * (y0 - m0) ** 2) / w0.sum() ** 2)
        assert abs(weighted - truth) < 2 * se_weighted, (name, weighted, se_weighted)
        if name in ("belastbarkeit", "selbststaendigkeit"):  # selected on their low t1 scores
            assert raw - truth > 3 * se_raw, (name, raw, se_raw)
