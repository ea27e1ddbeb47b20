"""Selection into iLB on observed first-wave characteristics (selection on observables).

iLB was taken up voluntarily. In the synthetic study the persons who take it
up are chosen by a latent-index logit model on what the first wave measured
(:func:`~ilb_eval.simulate.population.assign_groups`), with the index::

    eta = sum_s scores[s] * z_s + sum_g score_means[g] * z_g + sum_x covariates[x] * x

where ``z_s`` is the person's standardised *observed* first-wave score of
competence scale ``s`` (mean of the valid items, reverse-keyed items
reversed; 0 when no item is valid), ``z_g`` the standardised mean of the
observed first-wave scores of the scales in group ``g`` (over the valid
ones) and ``x`` the covariates of the study definition. All persons have first-wave answers in the generator, also late
joiners whose first-wave record is not exported. Because selection depends
only on observed first-wave data, weighting the controls on those data (the
model covariates plus the first-wave scale scores) removes the bias of the
unweighted comparison: the weighted iLB slope effect estimates the truth.
The settings live in ``samples.<name>.selection``.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from ilb_eval.simulate.growth_truth import covariate_matrix, observed_mean_score
from ilb_eval.simulate.population import Persons
from ilb_eval.study import Study

__all__ = ["first_wave_scores", "selection_index", "without_selection"]


def first_wave_scores(study: Study, items: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Observed score per competence scale from the first-wave item answers (NaN: no valid item).

    Examples
    --------
    >>> from ilb_eval.study import load_study
    >>> eap = load_study("EAP")
    >>> scale = eap.scale("belastbarkeit")
    >>> answers = {item: np.array([4, -9]) for item in scale.items}   # be_4 is reverse-keyed: 6 - 4
    >>> first_wave_scores(eap, answers)["belastbarkeit"].tolist()
    [3.5, nan]
    """
    first = study.wave_names[0]
    result = {}
    for scale in study.competence_scales:
        if first not in scale.waves or any(item not in items for item in scale.items):
            continue
        answers = np.stack([items[item] for item in scale.items], axis=1)
        lo, hi = scale.range
        result[scale.name] = observed_mean_score([answers], [tuple(i in scale.reverse for i in scale.items)], lo, hi)
    return result


def _standardised(values: np.ndarray) -> np.ndarray:
    """z-scores over the valid values; 0 for missing values."""
    valid = np.isfinite(values)
    z = np.zeros(values.shape[0])
    if valid.sum() > 1 and np.std(values[valid]) > 0:
        z[valid] = (values[valid] - values[valid].mean()) / values[valid].std()
    return z


def selection_index(
    persons: Persons, study: Study, selection: dict[str, Any] | None, scores: dict[str, np.ndarray]
) -> np.ndarray:
    """The selection index ``eta`` of every person (zeros without selection settings).

    Examples
    --------
    >>> from ilb_eval.simulate.population import draw_persons
    >>> from ilb_eval.simulate.settings import load_settings
    >>> from ilb_eval.study import load_study
    >>> eap, cfg = load_study("EAP"), load_settings()["samples"]["EAP"]
    >>> persons = draw_persons(cfg, eap, 1.0, np.random.default_rng(0))
    >>> scores = {"belastbarkeit": np.random.default_rng(1).normal(3.5, 0.6, persons.n)}
    >>> eta = selection_index(persons, eap, {"scores": {"belastbarkeit": -0.5}, "covariates": {}}, scores)
    >>> round(float(np.corrcoef(eta, scores["belastbarkeit"])[0, 1]), 6)
    -1.0
    """
    eta = np.zeros(persons.n)
    if not selection:
        return eta
    for name, weight in selection.get("scores", {}).items():
        eta += float(weight) * _standardised(scores[name])
    for group in selection.get("score_means", []):
        stacked = np.column_stack([scores[name] for name in group["scales"]])
        valid = np.isfinite(stacked).any(axis=1)
        mean = np.full(persons.n, np.nan)
        mean[valid] = np.nanmean(stacked[valid], axis=1)
        eta += float(group["weight"]) * _standardised(mean)
    covariates = covariate_matrix(persons, study)
    for name, weight in selection.get("covariates", {}).items():
        eta += float(weight) * np.nan_to_num(covariates[name])
    return eta


def without_selection(settings: dict[str, Any]) -> dict[str, Any]:
    """A copy of the settings in which iLB is taken up at random (every selection weight 0).

    Without selection the conditional growth model (iLB and the covariates
    predicting intercept and slope) is correctly specified, so its estimates
    can be compared with the true parameters directly.

    Examples
    --------
    >>> from ilb_eval.simulate.settings import load_settings
    >>> plain = without_selection(load_settings())["samples"]["EAP"]["selection"]
    >>> set(plain["scores"].values()), {g["weight"] for g in plain["score_means"]}
    ({0.0}, {0.0})
    """
    result = copy.deepcopy(settings)
    for sample in result["samples"].values():
        selection = sample.get("selection")
        if not selection:
            continue
        for key in ("scores", "covariates"):
            selection[key] = {name: 0.0 for name in selection.get(key, {})}
        for group in selection.get("score_means", []):
            group["weight"] = 0.0
    return result
