"""The pipeline's numbers against the engine and scipy, fault isolation and the suppression rule."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ilb_eval.analysis import ilb_feedback, models, sample, sensitivity
from ilb_eval.analysis.correlations import correlation_data
from ilb_eval.analysis.effects import ilb_effects
from ilb_eval.growth import GrowthSpec, fit_growth, fit_variants
from ilb_eval.prep import growth_data
from ilb_eval.privacy import CellRule
from ilb_eval.report.build import build_report

pytestmark = pytest.mark.filterwarnings("ignore::ilb_eval.exceptions.IlbEvalWarning")


# ------------------------------------------------------------------ numbers against the engine and scipy

@pytest.mark.parametrize("dimension", ["belastbarkeit", "selbststaendigkeit"])
def test_ilb_effects_equal_the_engine_rows(results, eap_panel, dimension):
    study, panel = eap_panel
    data = growth_data(panel, dimension)
    fit = fit_growth(data, outcomes=list(study.wave_names), time_scores=data.attrs["time_scores"],
                     covariates=["ilb", *study.covariate_names])
    params = fit.params
    effects = results.studies["EAP"].effects
    for factor in ("i", "s"):
        engine = params[(params["lhs"] == factor) & (params["op"] == "~") & (params["rhs"] == "ilb")].iloc[0]
        ours = effects[(effects["dimension"] == dimension) & (effects["factor"] == factor)].iloc[0]
        for a, b in (("estimate", "est"), ("se", "se"), ("pvalue", "pvalue"), ("ci_lower", "ci_lower"),
                     ("ci_upper", "ci_upper")):
            assert ours[a] == pytest.approx(float(engine[b]), rel=1e-9, abs=1e-12)
        assert ours["n"] == fit.ntotal


def test_holm_adjustment_by_hand(results):
    effects = results.studies["EAP"].effects
    p = effects["pvalue"].to_numpy(float)
    order = np.argsort(p)
    m = len(p)
    expected = np.empty(m)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        expected[index] = running
    np.testing.assert_allclose(effects["p_adjusted"].to_numpy(float), expected, rtol=1e-12)


def test_synthetic_study_reproduces_the_published_pattern(results):
    effects = results.studies["EAP"].effects.set_index(["dimension", "factor"])
    # resilience: lower intercept, stronger slope; autonomy: positive slope (study facts)
    assert effects.loc[("belastbarkeit", "i"), "estimate"] < 0
    assert effects.loc[("belastbarkeit", "i"), "p_adjusted"] <= 0.05
    for dim in ("belastbarkeit", "selbststaendigkeit"):
        assert effects.loc[(dim, "s"), "estimate"] > 0
        assert effects.loc[(dim, "s"), "p_adjusted"] <= 0.05


def test_correlations_equal_scipy_on_pairwise_data(results, eap_panel):
    study, panel = eap_panel
    data, x, ys, wave = correlation_data(study, panel)
    table = results.studies["EAP"].correlations.set_index("y")
    for y in ys:
        pair = data[[x, y]].dropna()
        expected = stats.pearsonr(pair[x], pair[y])
        row = table.loc[y.removesuffix(f"_{wave}")]
        assert row["n"] == len(pair)
        assert row["r"] == pytest.approx(expected.statistic, abs=1e-12)
        assert row["pvalue"] == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)
        low, high = expected.confidence_interval(0.95)
        assert (row["ci_lower"], row["ci_upper"]) == pytest.approx((low, high), abs=1e-9)
    assert set(table["band_de"]) <= {"gering", "mittel", "hoch", "sehr hoch"}


def test_lr_tests_match_the_engine(results, eap_panel):
    study, panel = eap_panel
    data = growth_data(panel, "belastbarkeit")
    kw = dict(outcomes=list(study.wave_names), time_scores=data.attrs["time_scores"], group="ilb")
    free = fit_growth(data, **kw)
    equal = fit_growth(data, equal_slope_means=True, **kw)
    chisq = 2 * (free.fit["logl"] - equal.fit["logl"])
    lr = results.studies["EAP"].lr_tests.set_index(["dimension", "test"])
    assert lr.loc[("belastbarkeit", "slopes"), "chisq"] == pytest.approx(chisq, rel=1e-9)
    assert lr.loc[("belastbarkeit", "slopes"), "df"] == 1
    assert lr.loc[("belastbarkeit", "slopes"), "method"] == "standard"  # ML fits: lavaan's chi-square difference


def test_implied_means_match_the_multigroup_model(results):
    """At t = 0 the implied mean is the intercept mean of the multi-group model, at t = 3 i + 3 s."""
    m = results.studies["EAP"].models["belastbarkeit"]
    params = m.records["multigroup"].results.params
    means = params[(params["lhs"] == "i") & (params["op"] == "~1")].set_index("group_label")["est"]
    slope = params[(params["lhs"] == "s") & (params["op"] == "~1")].set_index("group_label")["est"]
    at0 = m.implied[np.isclose(m.implied["time"], 0)].set_index("group")["estimate"]
    at3 = m.implied[np.isclose(m.implied["time"], 3)].set_index("group")["estimate"]
    for group, label in (("ilb", "1"), ("control", "0")):
        assert at0[group] == pytest.approx(means[label], abs=1e-12)
        assert at3[group] == pytest.approx(means[label] + 3 * slope[label], abs=1e-12)


def test_implied_bands_are_a_dense_grid_over_the_time_axis(results):
    m = results.studies["EAP"].models["belastbarkeit"]
    assert list(m.implied.columns) == list(models.IMPLIED_COLUMNS)
    sizes = m.records["multigroup"].group_n
    for group, part in m.implied.groupby("group"):
        np.testing.assert_allclose(part["time"].to_numpy(float), np.linspace(0, 3, models.IMPLIED_POINTS),
                                   rtol=0, atol=1e-12)
        assert (part["n"] == sizes[group]).all()
        assert (part["ci_lower"] < part["estimate"]).all() and (part["estimate"] < part["ci_upper"]).all()


@pytest.fixture(scope="module")
def zp_panel(canary_data):
    from ilb_eval.io import load_waves
    from ilb_eval.prep import build_panel
    from ilb_eval.study import load_study

    study = load_study("ZP")
    return study, build_panel(study, load_waves(study, canary_data))


@pytest.mark.parametrize(("sample", "dimension"), [("EAP", "belastbarkeit"), ("EAP", "fachkompetenz"),
                                                   ("ZP", "selbststaendigkeit")])
def test_implied_bands_equal_refits_with_shifted_time_origin(results, eap_panel, zp_panel, sample, dimension):
    """At each wave time t the band equals the intercept of a refit with time scores shifted by -t.

    With time scores ``s - t`` the intercept factor is the level at ``t``, so
    its mean, SE and Wald interval are the implied mean at ``t`` and its
    exact interval (an independent computation: a fresh fit, no delta
    method). Tolerance 1e-6 (the two fits' optimiser tolerances; observed
    differences are below 1e-10).
    """
    study, panel = eap_panel if sample == "EAP" else zp_panel
    m = results.studies[sample].models[dimension]
    data = growth_data(panel, dimension)
    times = list(data.attrs["time_scores"])
    group = "ilb" if study.has_control_group else None
    names = {"1": "ilb", "0": "control"} if group else {"": "ilb"}
    se_from_band = (m.implied["ci_upper"] - m.implied["ci_lower"]) / (2 * stats.norm.ppf(0.975))
    checked = 0
    for t in times:
        refit = fit_growth(data, outcomes=list(study.wave_names), time_scores=[s - t for s in times], group=group)
        level = refit.params.query("lhs == 'i' and op == '~1'")
        for row in level.itertuples():
            hit = m.implied[(m.implied["group"] == names[str(row.group_label)]) & np.isclose(m.implied["time"], t)]
            assert len(hit) == 1
            k = hit.index[0]
            assert hit.loc[k, "estimate"] == pytest.approx(row.est, abs=1e-6)
            assert se_from_band[k] == pytest.approx(row.se, abs=1e-6)
            assert hit.loc[k, "ci_lower"] == pytest.approx(row.ci_lower, abs=1e-6)
            assert hit.loc[k, "ci_upper"] == pytest.approx(row.ci_upper, abs=1e-6)
            checked += 1
    assert checked == len(times) * (2 if group else 1)


# ------------------------------------------------------------------ sensitivity analyses against direct engine calls

def _conditional_kwargs(study, data):
    return dict(outcomes=list(study.wave_names), time_scores=list(data.attrs["time_scores"]),
                covariates=["ilb", *study.covariate_names])


@pytest.mark.parametrize("dimension", ["belastbarkeit", "lernfaehigkeit", "reflexivitaet"])
def test_variant_table_equals_fit_variants_called_directly(results, eap_panel, dimension):
    """Every cell of the study's variant rows equals fit_variants on the same data (floats: rtol 1e-10)."""
    study, panel = eap_panel
    data = growth_data(panel, dimension)
    direct = fit_variants(data, GrowthSpec(**_conditional_kwargs(study, data)))
    table = results.studies["EAP"].sensitivity_variants
    ours = table[table["dimension"] == dimension].reset_index(drop=True)
    assert len(ours) == len(direct) and (ours["status"] == "ok").all()
    assert (ours["n"] == results.studies["EAP"].models[dimension].records["conditional"].n).all()
    for column in direct.columns:
        expected, got = direct[column], ours[column]
        if pd.api.types.is_float_dtype(expected):
            np.testing.assert_allclose(got.to_numpy(float), expected.to_numpy(float), rtol=1e-10, atol=0,
                                       equal_nan=True, err_msg=column)
        else:
            assert got.tolist() == expected.tolist(), column


def test_estimator_table_equals_ml_and_mlr_fits_called_directly(results, eap_panel):
    """For every dimension: b, SE and p of iLB on s under ML and MLR, and the scaled fit (rtol 1e-10)."""
    study, panel = eap_panel
    table = results.studies["EAP"].sensitivity_estimators.set_index("dimension")
    assert list(table.index) == [s.name for s in study.competence_scales]
    for dimension in table.index:
        data = growth_data(panel, dimension)
        row = table.loc[dimension]
        for estimator, suffix in (("ML", "ml"), ("MLR", "mlr")):
            fit = fit_growth(data, estimator=estimator, **_conditional_kwargs(study, data))
            p = fit.params
            effect = p[(p["lhs"] == "s") & (p["op"] == "~") & (p["rhs"] == "ilb")].iloc[0]
            for ours, theirs in (("estimate", "est"), ("se", "se"), ("pvalue", "pvalue")):
                assert row[f"{ours}_{suffix}"] == pytest.approx(float(effect[theirs]), rel=1e-10, abs=1e-14), \
                    (dimension, ours, estimator)
            assert row["n"] == fit.ntotal
        for key in sensitivity.SCALED_FIT_KEYS:
            assert row[key] == pytest.approx(float(fit.fit[key]), rel=1e-10, abs=1e-14), (dimension, key)
        assert row["se_ml"] != pytest.approx(row["se_mlr"], rel=1e-6)  # really two different SEs
    assert (table["status"] == "ok").all() and table["converged_mlr"].all()


def test_sensitivity_only_for_studies_with_a_control_group(results):
    assert results.studies["ZP"].sensitivity_variants.empty
    assert results.studies["ZP"].sensitivity_estimators.empty


def test_failing_sensitivity_fits_become_rows_and_the_run_goes_on(results, eap_panel, monkeypatch):
    study, panel = eap_panel

    def boom(*args, **kwargs):
        raise RuntimeError("variants exploded")

    monkeypatch.setattr(sensitivity, "fit_variants", boom)
    fitted = results.studies["EAP"].models
    skipped = dict(fitted)
    first = next(iter(skipped))
    skipped[first] = dataclasses.replace(skipped[first], records={
        "conditional": models.ModelRecord("EAP", first, "conditional", "skipped", "a group has fewer than 30 persons")})
    variants, estimators = sensitivity.study_sensitivity(study, panel, skipped)
    assert variants.groupby("dimension").size().max() == 1
    by_dim = variants.set_index("dimension")
    assert by_dim.loc[first, "status"] == "skipped"
    assert set(by_dim.drop(index=first)["status"]) == {"failed"}
    assert set(by_dim.drop(index=first)["reason"]) == {"RuntimeError: variants exploded"}
    est = estimators.set_index("dimension")
    assert est.loc[first, "status"] == "skipped" and math.isnan(est.loc[first, "se_mlr"])
    assert (est.drop(index=first)["status"] == "ok").all()


def test_every_model_has_a_status_record(results):
    records = results.records
    eap = results.studies["EAP"]
    assert len(records) == 10 * 4 + 10 + 10 + 10  # EAP 4 kinds, EAP conditions, ZP unconditional, ZP conditions
    assert all(r.status in ("ok", "failed", "not_converged", "skipped") for r in records)
    assert all(r.ok for r in eap.records if r.kind == "conditional")


def test_feedback_numbers(results, eap_panel):
    study, panel = eap_panel
    users = panel.wide[panel.wide["ilb"] == 1]
    sat = results.studies["EAP"].satisfaction.set_index("aspect")
    last = users[["zuf_freistellung_t3", "zuf_freistellung_t4"]].astype(float).ffill(axis=1).iloc[:, -1].dropna()
    assert sat.loc["zuf_freistellung", "mean"] == pytest.approx(last.mean())
    assert sat.loc["zuf_freistellung", "n"] == len(last)
    assert 1 <= sat["ci_lower"].min() and sat["ci_upper"].max() <= 5
    reuse = results.studies["EAP"].reuse
    assert 0.8 < reuse["share"] < 0.95  # the chapter: 88 %
    ben = results.studies["EAP"].benefit
    row = ben[(ben["aspect"] == "nutzen_beruf") & (ben["wave"] == "t3")].iloc[0]
    values = users["nutzen_beruf_t3"].dropna()
    assert row["share"] == pytest.approx((values >= 4).mean())


# ------------------------------------------------------------------ fault isolation

def test_a_failing_model_becomes_a_record_and_the_run_goes_on(results, eap_panel, monkeypatch):
    study, panel = eap_panel

    def boom(*args, **kwargs):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(models, "fit_growth", boom)
    fitted = models.fit_study_models(study, panel, results.rule)
    assert set(fitted) == {s.name for s in study.competence_scales}
    for m in fitted.values():
        assert m.records["conditional"].status == "failed"
        assert m.records["conditional"].reason == "RuntimeError: engine exploded"
        assert m.implied.empty
    effects = ilb_effects(fitted)
    assert effects["estimate"].isna().all() and set(effects["status"]) == {"failed"}
    eap = dataclasses.replace(results.studies["EAP"], models=fitted, effects=effects)
    broken = dataclasses.replace(results, studies={**results.studies, "EAP": eap})
    content = build_report(broken)
    text = " ".join(str(v) for _, t in content.tables.values() for v in t.frame.to_numpy().ravel())
    assert "Modell fehlgeschlagen" in text
    assert len(broken.failed) >= 10


# ------------------------------------------------------------------ suppression on constructed small groups

@pytest.fixture(scope="module")
def small_panel(eap_panel):
    """The EAP panel with only 7 iLB users left."""
    study, panel = eap_panel
    wide = panel.wide
    keep = wide[wide["ilb"] == 0].index.union(wide[wide["ilb"] == 1].index[:7])
    return study, dataclasses.replace(panel, wide=wide.loc[keep].reset_index(drop=True))


def test_small_group_is_suppressed_with_a_note(results, small_panel):
    """7 iLB users: nothing about them is published, and nothing about the control group either
    (each of its numbers is the total minus the users'); response is shown for everyone."""
    study, panel = small_panel
    rule = CellRule(10)
    tables = sample.sample_tables(study, panel, rule)
    demo = tables.demographics
    for group in ("ilb", "control"):
        assert demo.loc[demo["group"] == group, ["value", "n"]].isna().all().all(), group
    total = demo[demo["group"] == "total"].set_index("characteristic")
    assert total.loc["persons", "value"] == len(panel.wide)
    assert not tables.split and set(tables.response["group"]) == {"total"}
    assert set(tables.attrition["group"]) == {"total"}
    sat = ilb_feedback.satisfaction(study, panel, rule)
    assert sat["mean"].isna().all() and sat["share_improve"].isna().all() and sat["n"].isna().all()
    assert math.isnan(ilb_feedback.reuse(study, panel, rule)["share"])
    eap = dataclasses.replace(results.studies["EAP"], demographics=demo, satisfaction=sat,
                              response=tables.response, attrition=tables.attrition, split=tables.split)
    content = build_report(dataclasses.replace(results, studies={**results.studies, "EAP": eap}))
    _, table = content.tables["eap_sample"]
    assert set(table.frame["iLB"]) == {"•"} and set(table.frame["Kontrollgruppe"]) == {"•"}
    assert "•" not in set(table.frame["Gesamt"])
    assert "unterdrückt" in table.note and "10 Personen" in table.note
    _, sat_table = content.tables["eap_satisfaction"]
    assert set(sat_table.frame["M"]) == {"•"}
    fig = content.figures["eap_response"]
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["Alle Befragten"]


def test_small_group_models_are_not_fitted(small_panel):
    study, panel = small_panel
    dim = models._dimension(study, panel, "belastbarkeit", CellRule(10))
    for kind in ("conditional", "multigroup", "equal_intercepts", "equal_slopes"):
        assert dim.records[kind].status == "skipped"
        assert "fewer than 30" in dim.records[kind].reason
    assert models.group_floor(CellRule(40)) == 40


def test_share_with_small_complement_is_suppressed():
    rule = CellRule(10)
    values = pd.Series([1.0] * 95 + [0.0] * 5)
    assert math.isnan(ilb_feedback._share(rule, values, values == 1))
