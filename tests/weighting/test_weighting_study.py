"""Weighting a study sample from its definition: the example EAP sample, and the report's data."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ilb_eval.datasets import load_example_panel
from ilb_eval.exceptions import InputError
from ilb_eval.weighting.evalue import evalue_smd
from ilb_eval.weighting.study import (
    covariate_labels,
    default_propensity_covariates,
    love_plot_data,
    outcome_sd,
    overlap_data,
    slope_effect_evalue,
    study_weights,
)


@pytest.fixture(scope="module")
def panel():
    return load_example_panel("EAP")


@pytest.fixture(scope="module")
def weighting(panel, eap):
    return study_weights(panel, eap)


def test_default_covariates_are_the_model_covariates_and_the_t1_scores(eap):
    names = default_propensity_covariates(eap)
    assert names[:4] == eap.covariate_names
    assert names[4:] == tuple(f"{s.name}_t1" for s in eap.competence_scales)


def test_persons_with_a_t1_record_and_every_covariate_are_weighted(panel, eap, weighting):
    wide = panel.wide
    names = list(default_propensity_covariates(eap))
    at_t1 = wide["present_t1"].astype(bool)
    complete = wide[names].notna().all(axis=1)
    used = wide.loc[at_t1 & complete]
    assert weighting.result.n == {"treated": int(used["ilb"].sum()), "control": int((used["ilb"] == 0).sum())}
    assert weighting.excluded["no_first_wave"] == {
        "treated": int((~at_t1 & (wide["ilb"] == 1)).sum()), "control": int((~at_t1 & (wide["ilb"] == 0)).sum())}
    assert sum(weighting.excluded["missing_covariates"].values()) == int((at_t1 & ~complete).sum())
    assert weighting.persons["person"].tolist() == used["person"].tolist()
    # ATT: exact balance of every propensity covariate, controls weighted to the users' number
    assert weighting.result.max_abs_smd < 1e-8
    controls = weighting.persons["ilb"] == 0
    assert weighting.persons.loc[controls, "weight"].sum() == pytest.approx(used["ilb"].sum())
    # the planted selection shows before weighting: users lower on resilience at t1
    before = weighting.result.balance.set_index("covariate")["smd_before"]
    assert before["belastbarkeit_t1"] < -0.3 and before["fachkompetenz_t1"] > 0.1


def test_a_study_without_control_group_is_refused(zp):
    with pytest.raises(InputError, match="NO_CONTROL_GROUP"):
        study_weights(load_example_panel("ZP"), zp)


def test_love_plot_data(weighting, eap):
    labels = covariate_labels(eap, weighting.covariates, "en")
    data = love_plot_data(weighting.result, labels)
    assert len(data) == 14 and (data["threshold"] == 0.1).all()
    assert data["abs_smd_before"].is_monotonic_decreasing
    assert (data["abs_smd_after"] < 1e-8).all()
    assert dict(zip(data["covariate"], data["label"], strict=True))["belastbarkeit_t1"] == "Resilience (t1)"


def test_overlap_densities(weighting):
    data = overlap_data(weighting.result, points=201)
    for group, rows in data.groupby("group"):
        mass = np.trapezoid(rows["density"], rows["propensity"])
        assert 0.9 < mass <= 1.0 + 1e-9, group
    treated = data.loc[data["group"] == "treated"]
    np.testing.assert_allclose(treated["density"], treated["density_weighted"])  # users keep weight 1
    controls = data.loc[data["group"] == "control"]
    mean = np.trapezoid(controls["propensity"] * controls["density"], controls["propensity"])
    mean_weighted = np.trapezoid(controls["propensity"] * controls["density_weighted"], controls["propensity"])
    assert mean_weighted > mean  # weighting moves the controls towards the users' propensities


def test_outcome_sd_and_slope_effect_evalue_by_hand(panel):
    wide = panel.wide
    users = wide.loc[wide["ilb"] == 1, "belastbarkeit_t4"].dropna()
    controls = wide.loc[wide["ilb"] == 0, "belastbarkeit_t4"].dropna()
    sd = math.sqrt((users.var(ddof=1) + controls.var(ddof=1)) / 2)
    assert outcome_sd(panel, "belastbarkeit", "t4") == pytest.approx(sd)
    result = slope_effect_evalue(0.05, 0.015, 3.0, sd)
    expected = evalue_smd(0.15 / sd, 0.045 / sd)
    for field in ("rr", "rr_lower", "rr_upper", "evalue", "evalue_ci"):
        assert getattr(result, field) == pytest.approx(getattr(expected, field), rel=1e-12)


def _declared(tmp_path, names):
    """A copy of the shipped EAP definition (and its table schemas) declaring ``propensity_covariates``."""
    import json
    import shutil

    from ilb_eval.resources import schemas_dir
    from ilb_eval.study import load_study

    for path in schemas_dir().glob("eap_*.table.json"):
        shutil.copy(path, tmp_path / path.name)
    document = json.loads((schemas_dir() / "eap.study.json").read_text(encoding="utf-8"))
    document["propensity_covariates"] = names
    path = tmp_path / "eap.study.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return load_study(path)


def test_declared_propensity_covariates_are_what_the_weighting_balances(tmp_path, panel):
    from ilb_eval.weighting.study import propensity_covariates
    from ilb_eval.weighting.summary import summarise_weighting

    study = _declared(tmp_path, ["female", "degree", "belastbarkeit_t1"])
    assert propensity_covariates(study) == ("female", "degree", "belastbarkeit_t1")
    summary = summarise_weighting(panel, study)
    assert summary.status == "ok" and summary.covariates == ("female", "degree", "belastbarkeit_t1")
    assert list(summary.balance["covariate"]) == ["female", "degree", "belastbarkeit_t1"]
    assert (summary.balance["smd_after"].abs() < 1e-6).all()  # entropy balancing: means equal exactly


def test_an_unknown_propensity_covariate_is_named_with_the_names_allowed(tmp_path):
    from ilb_eval.exceptions import StudyDefinitionError

    with pytest.raises(StudyDefinitionError) as raised:
        _declared(tmp_path, ["female", "belastbarkeit_t3", "income"])
    text = str(raised.value)
    assert "$.propensity_covariates: ['belastbarkeit_t3', 'income'] are neither model covariates" in text
    assert "'belastbarkeit_t1'" in text and "'age40'" in text
