"""Diagnostics of ilb_eval.sem against lavaan 0.6-14, element by element.

``modindices()``, ``score_test()`` (lavTestScore), ``predict()`` (lavPredict)
and ``residuals()`` (resid) on every reference fit that carries them
(``checks`` in its JSON; tests/fixtures/lavaan/sem). Tolerances (issue 13):
expected parameter changes, factor scores and residuals as estimates,
1e-4 + 1e-3 |ref|; statistics (modification indices, score-test X2) as fit
measures, 1e-3 max(1, |ref|); p-values 1e-4 + 1e-3 |ref|; row sets, their
order, constraint names and df exact.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sem_refs import load_data, our_fit, reference, reference_names

from ilb_eval.exceptions import InputError, SpecError
from ilb_eval.sem import cfa, modindices, predict, score_test
from ilb_eval.sem.equalities import free_rows
from ilb_eval.sem.rowspace import row_derivatives

NAMES = reference_names()


def _with(check: str) -> list[str]:
    return [n for n in NAMES if check in reference(n)["checks"]]


def _value_ok(ours: float, ref: float | None) -> bool:
    if ref is None:
        return not np.isfinite(ours)
    return bool(abs(ours - ref) <= 1e-4 + 1e-3 * abs(ref))


def _statistic_ok(ours: float, ref: float) -> bool:
    return bool(abs(ours - ref) <= 1e-3 * max(1.0, abs(ref)))


@pytest.mark.parametrize("name", _with("modindices"))
def test_modindices(name: str) -> None:
    ref = reference(name)["modindices"]
    ours = modindices(our_fit(name))
    keys = list(zip(ours["lhs"], ours["op"], ours["rhs"], ours["group"], strict=True))
    assert keys == [(r["lhs"], r["op"], r["rhs"], r["group_label"] or "") for r in ref]
    bad = []
    for mine, theirs in zip(ours.to_dict("records"), ref, strict=True):
        if not _statistic_ok(mine["mi"], theirs["mi"]):
            bad.append((theirs["lhs"], theirs["op"], theirs["rhs"], "mi", mine["mi"], theirs["mi"]))
        for column in ("epc", "sepc.lv", "sepc.all", "sepc.nox"):
            if not _value_ok(mine[column.replace(".", "_")], theirs[column]):
                bad.append((theirs["lhs"], theirs["op"], theirs["rhs"], column,
                            mine[column.replace(".", "_")], theirs[column]))  # fmt: skip
    assert not bad, bad[:10]


def _compare_tests(ours: pd.DataFrame, ref: list[dict]) -> list:
    assert list(zip(ours["lhs"], ours["op"], ours["rhs"], strict=True)) == [
        (r["lhs"], r["op"], r["rhs"]) for r in ref
    ]
    assert ours["df"].tolist() == [r["df"] for r in ref]
    bad = []
    for mine, theirs in zip(ours.to_dict("records"), ref, strict=True):
        if not _statistic_ok(mine["X2"], theirs["X2"]):
            bad.append((theirs["lhs"], theirs["rhs"], "X2", mine["X2"], theirs["X2"]))
        if not _value_ok(mine["p_value"], theirs["p.value"]):
            bad.append((theirs["lhs"], theirs["rhs"], "p", mine["p_value"], theirs["p.value"]))
    return bad


@pytest.mark.parametrize("name", _with("score"))
def test_score_test(name: str) -> None:
    ref = reference(name)["score"]
    ours = score_test(our_fit(name), cumulative="cumulative" in ref, epc="epc" in ref)
    total = ref["test"][0]
    assert ours.total["df"].iat[0] == total["df"]
    assert _statistic_ok(ours.total["X2"].iat[0], total["X2"])
    assert _value_ok(ours.total["p_value"].iat[0], total["p.value"])
    bad = _compare_tests(ours.univariate, ref["uni"])
    if "cumulative" in ref:
        bad += _compare_tests(ours.cumulative, ref["cumulative"])
    if "epc" in ref:
        assert ours.epc is not None
        assert list(zip(ours.epc["lhs"], ours.epc["op"], ours.epc["rhs"], strict=True)) == [
            (r["lhs"], r["op"], r["rhs"]) for r in ref["epc"]
        ]
        for mine, theirs in zip(ours.epc.to_dict("records"), ref["epc"], strict=True):
            for column in ("est", "epc", "epv", "sepc.lv", "sepc.all", "sepc.nox"):
                if not _value_ok(mine[column.replace(".", "_")], theirs[column]):
                    bad.append((theirs["lhs"], theirs["op"], theirs["rhs"], column,
                                mine[column.replace(".", "_")], theirs[column]))  # fmt: skip
    assert not bad, bad[:10]


@pytest.mark.parametrize("name", _with("score_cumulative"))
def test_score_test_cumulative(name: str) -> None:
    ref = reference(name)["score_cumulative"]
    ours = score_test(our_fit(name), cumulative=True)
    bad = _compare_tests(ours.cumulative, ref["cumulative"])
    assert not bad, bad[:10]


@pytest.mark.parametrize("name", _with("predict"))
def test_predict(name: str) -> None:
    ref = reference(name)
    res = our_fit(name)
    ours = predict(res)
    assert len(ours) == len(load_data(ref["data"]))
    used = set()
    bad = []
    for block in ref["predict"]:
        rows = np.array(block["case_idx"]) - 1
        used.update(rows.tolist())
        columns = block["scores"]["colnames"]
        values = np.array(block["scores"]["values"], dtype=float)  # null -> nan
        mine = ours.loc[rows, columns].to_numpy(dtype=float)
        assert np.array_equal(np.isnan(mine), np.isnan(values)), block["group"]
        observed = ~np.isnan(values)
        close = np.abs(mine[observed] - values[observed]) <= 1e-4 + 1e-3 * np.abs(values[observed])
        bad += [(block["group"], int(i)) for i in np.flatnonzero(~close)]
        if "group" in ours:
            observed_rows = observed.any(axis=1)
            assert (ours.loc[rows[observed_rows], "group"] == block["group"]).all()
    assert not bad, bad[:10]
    others = sorted(set(range(len(ours))) - used)
    assert ours.drop(columns="group", errors="ignore").loc[others].isna().all(axis=None)


@pytest.mark.parametrize("name", NAMES)
def test_residuals(name: str) -> None:
    ref = reference(name)
    ours = our_fit(name).residuals()
    for h1, implied in zip(ref["h1"], ref["implied"], strict=True):
        mine = ours[h1["group"]]
        names = h1["cov"]["rownames"]
        target = np.array(h1["cov"]["values"]) - np.array(implied["cov"]["values"])
        scale = np.abs(np.array(h1["cov"]["values"]))
        got = mine["cov"].loc[names, names].to_numpy()
        assert np.all(np.abs(got - target) <= 1e-4 + 1e-3 * scale)
        means = pd.Series(h1["mean"]) - pd.Series(implied["mean"])
        scale = np.abs(pd.Series(h1["mean"]).to_numpy())
        got = mine["mean"].loc[means.index].to_numpy()
        assert np.all(np.abs(got - means.to_numpy()) <= 1e-4 + 1e-3 * scale)


# --- the row space against the fit's own derivatives ------------------------------------


@pytest.mark.parametrize("name", ["mg_scalar_ml", "cfa_hs_syntax_ml"])
def test_row_space_agrees_with_the_fit(name: str) -> None:
    """Summed over tied rows, the row-space gradient and (without covariates) the expected
    information are the fit's own (model.gradient, evaluate(theta, 2))."""
    res = our_fit(name)
    model = res.model
    rows = free_rows(model)
    derivatives = row_derivatives(model, res.theta, rows)
    tie = np.zeros((len(rows), model.n_free))
    tie[np.arange(len(rows)), rows["free"].to_numpy() - 1] = 1.0
    to_theta = tie @ model.reparam.k
    gradient = to_theta.T @ derivatives.gradient
    np.testing.assert_allclose(gradient, model.gradient(res.theta), atol=1e-8)
    information = to_theta.T @ derivatives.information @ to_theta
    expected = model.evaluate(res.theta, 2).information
    np.testing.assert_allclose(information, expected, rtol=1e-8, atol=1e-8)


# --- behaviour ---------------------------------------------------------------------------


def _hs(model: str, **options) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cfa(model, load_data("hs_mar.csv"), **options)


HS = "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6"


def test_score_test_needs_equality_constraints() -> None:
    with pytest.raises(SpecError, match="no equality constraint"):
        score_test(_hs(HS))


def test_score_test_refuses_inequalities() -> None:
    res = _hs(HS + "; x4 ~~ v4*x4; v4 > 0.1; x2 ~~ a*x2; x3 ~~ a*x3")
    with pytest.raises(SpecError, match="inequality"):
        score_test(res)
    with pytest.raises(SpecError, match="inequality"):
        modindices(res)


def test_score_test_of_mlr_fit_says_it_is_not_robust() -> None:
    res = our_fit("mg_scalar_mlr")
    assert "not robust" in score_test(res).notes[0]
    assert score_test(our_fit("mg_scalar_ml")).notes == ()


def test_score_test_names_the_tied_parameters() -> None:
    uni = score_test(our_fit("mg_scalar_ml")).univariate
    row = uni[(uni["lhs"] == ".p27.") & (uni["rhs"] == ".p63.")].iloc[0]
    assert row["label"] == ".p27."
    assert (row["left_lhs"], row["left_op"], row["left_group"]) == ("x3", "~1", "Pasteur")
    assert (row["right_lhs"], row["right_op"], row["right_group"]) == ("x3", "~1", "Grant-White")


def test_score_test_labels_of_user_labels_and_constraints() -> None:
    uni = score_test(our_fit("dg_cov_ml")).univariate
    assert uni[["lhs", "rhs", "label"]].values.tolist() == [
        ["b1", "b2", ""], [".p10.", ".p12.", "a"], [".p15.", ".p16.", "e"]
    ]
    assert uni[["left_lhs", "left_op", "left_rhs"]].values.tolist() == [
        ["visual", "~", "grade"], ["visual", "~", "ageyr"], ["x2", "~~", "x2"]
    ]


def test_modindices_minimum_and_sort() -> None:
    res = our_fit("cfa_hs_ml")
    every = modindices(res)
    top = modindices(res, minimum=10.0, sort=True)
    assert len(top) == int((every["mi"] > 10.0).sum()) > 0
    assert top["mi"].is_monotonic_decreasing


def test_predict_new_data_equals_own_data() -> None:
    res = our_fit("mg_configural_ml")
    data = load_data("hs_mar.csv")
    shuffled = data.sample(frac=1.0, random_state=1)
    scores = predict(res, shuffled)
    assert scores.index.equals(shuffled.index)
    pd.testing.assert_frame_equal(scores.sort_index(), predict(res), check_index_type=False)


def test_predict_new_data_with_an_unknown_group() -> None:
    res = our_fit("mg_configural_ml")
    data = load_data("hs_mar.csv").copy()
    data.loc[3, "school"] = "Elsewhere"
    with pytest.raises(InputError, match="group values the fit does not know"):
        predict(res, data)
