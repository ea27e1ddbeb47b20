"""The invariance ladder against lavaan 0.6-14: fit measures, scaled LR tests, score tests, partial model.

References: ``inv_long_{configural,metric,scalar,strict}``, ``inv_long_shift_*``
(item 2 shifted by +0.5 at wave 3), ``inv_long_shift_partial`` and
``inv_mg_*`` (invariance_longitudinal.R). Our syntax differs from the
references' in names only (factors ``F_<wave>``, labels ``L<j>``/``N<j>``/``E<j>``,
the marker loading written ``1*``), so the fits must be the same models:
equal log-likelihood, npar, df and fit measures. Tolerance of fit measures
and test statistics (issue 13): 1e-3 + 1e-3 |ref|; counts exact.
"""

from __future__ import annotations

import math
import warnings

import pytest
from inv_refs import close, group_ladder, ladder, long_sim, reference, spec

from ilb_eval.invariance.decision import DELTA_CFI, DELTA_RMSEA
from ilb_eval.invariance.ladder import group_invariance
from ilb_eval.invariance.syntax import LEVELS

#: Our row attribute -> lavaan fit measure.
MEASURES = {"chisq_scaled": "chisq.scaled", "df": "df", "pvalue_scaled": "pvalue.scaled",
            "cfi": "cfi.robust", "rmsea": "rmsea.robust"}


def _rows(result, partial=False):
    return {row.level: row for row in result.rows if row.partial == partial and row.status != "not_tested"}


@pytest.mark.parametrize("shift", [False, True], ids=["invariant", "shifted"])
@pytest.mark.parametrize("level", LEVELS[:3])
def test_full_levels_equal_lavaan(shift: bool, level: str) -> None:
    ref = reference(f"inv_long_{'shift_' if shift else ''}{level}")
    row = _rows(ladder(shift))[level]
    result = ladder(shift).fits.get(level) if row.decision != "not held" else None  # superseded: not kept
    assert row.status == "ok" and row.index == "robust"
    assert row.n == ref["ntotal"]
    for ours, theirs in MEASURES.items():
        assert close(getattr(row, ours), ref["fit"][theirs]), (ours, getattr(row, ours), ref["fit"][theirs])
    if result is not None:
        assert result.fit["npar"] == ref["fit"]["npar"]
        assert close(result.fit["logl"], ref["fit"]["logl"], 1e-3, 1e-6)


@pytest.mark.parametrize("shift", [False, True], ids=["invariant", "shifted"])
@pytest.mark.parametrize("level", LEVELS[1:3])
def test_scaled_lr_tests_and_fit_changes_equal_lavaan(shift: bool, level: str) -> None:
    prefix = f"inv_long_{'shift_' if shift else ''}"
    ref = reference(prefix + level)
    general = reference(prefix + LEVELS[LEVELS.index(level) - 1])
    lrt = ref["lrt"]["default"]
    assert "satorra.bentler.2001" in lrt["heading"]
    comparison = _rows(ladder(shift))[level].comparison
    assert comparison is not None
    assert comparison.df_diff == lrt["df_diff"]
    assert close(comparison.chisq_diff, lrt["chisq_diff"])
    assert close(comparison.pvalue, lrt["pvalue"], 1e-4, 1e-3)
    assert close(comparison.delta_cfi, ref["fit"]["cfi.robust"] - general["fit"]["cfi.robust"], 1e-4, 0)
    assert close(comparison.delta_rmsea, ref["fit"]["rmsea.robust"] - general["fit"]["rmsea.robust"], 1e-4, 0)


def test_invariant_data_hold_every_level() -> None:
    result = ladder(False)
    assert result.held == "strict" and result.freed == ()
    assert [row.decision for row in result.rows] == ["reference", "held", "held", "held"]
    strict = reference("inv_long_strict")
    row = _rows(result)["strict"]
    for ours, theirs in MEASURES.items():
        assert close(getattr(row, ours), strict["fit"][theirs])
    assert close(row.comparison.chisq_diff, strict["lrt"]["default"]["chisq_diff"])


def test_shifted_item_breaks_scalar_and_the_search_frees_it() -> None:
    """lavaan: ΔCFI −.034, ΔRMSEA +.078 from metric to scalar; freeing c2's wave-3 intercept restores the fit."""
    result = ladder(True)
    scalar = _rows(result)["scalar"]
    assert scalar.decision == "not held"
    assert scalar.comparison.delta_cfi <= -DELTA_CFI and scalar.comparison.delta_rmsea >= DELTA_RMSEA
    assert result.freed == (("c2", "t3"),)
    assert result.freed_items == ("c2",)
    assert result.held == "strict"
    partial = _rows(result, partial=True)["scalar"]
    ref = reference("inv_long_shift_partial")
    assert partial.decision == "held"
    for ours, theirs in MEASURES.items():
        assert close(getattr(partial, ours), ref["fit"][theirs])
    lrt = ref["lrt"]["default"]  # against inv_long_shift_metric
    assert partial.comparison.df_diff == lrt["df_diff"]
    assert close(partial.comparison.chisq_diff, lrt["chisq_diff"])


def test_the_freed_intercept_is_lavaans_largest_univariate_score_statistic() -> None:
    ref = reference("inv_long_shift_scalar")
    plabels = {row["plabel"]: row for row in ref["partable"]}
    largest = max(ref["score"]["uni"], key=lambda row: row["X2"])
    right = plabels[largest["rhs"]]
    assert (right["lhs"], right["op"]) == ("c2_t3s", "~1")
    partial = _rows(ladder(True), partial=True)["scalar"]
    assert "\nc2_t3s ~ 1\n" in partial.syntax            # freed: no label, no equality
    assert "\nc2_t3 ~ N2*1\n" not in partial.syntax


def test_score_statistics_of_the_full_scalar_model_equal_lavaan() -> None:
    """The ranking the search uses: our univariate X2 of each intercept equality against lavaan's."""
    from inv_refs import long_sim, spec

    from ilb_eval.invariance.ladder import longitudinal_syntax
    from ilb_eval.sem import cfa

    ref = reference("inv_long_shift_scalar")
    plabels = {row["plabel"]: row for row in ref["partable"]}
    expected = {}
    for row in ref["score"]["uni"]:
        left, right = plabels[row["lhs"]], plabels[row["rhs"]]
        if left["op"] == "~1":
            expected[(left["lhs"], right["lhs"])] = row["X2"]
    fit = cfa(longitudinal_syntax(spec(True), "scalar"), long_sim(), estimator="MLR")
    table = fit.score_test().univariate
    ours = {(r.left_lhs, r.right_lhs): r.X2 for r in table.itertuples() if r.left_op == "~1"}
    assert set(ours) == set(expected)
    for key, value in expected.items():
        assert close(ours[key], value, 1e-3, 1e-3), key


@pytest.mark.parametrize("level", LEVELS)
def test_group_ladder_equals_lavaan(level: str) -> None:
    ref = reference(f"inv_mg_{level}")
    result = group_ladder()
    row = _rows(result)[level]
    assert row.n == ref["ntotal"]
    for ours, theirs in MEASURES.items():
        assert close(getattr(row, ours), ref["fit"][theirs]), (ours, getattr(row, ours), ref["fit"][theirs])
    if level != "configural":
        lrt = ref["lrt"]["default"]
        assert row.comparison.df_diff == lrt["df_diff"]
        assert close(row.comparison.chisq_diff, lrt["chisq_diff"])
        assert close(row.comparison.pvalue, lrt["pvalue"], 1e-4, 1e-3)


def test_group_ladder_decision() -> None:
    """Scalar: ΔCFI −.001 (lavaan) with ΔRMSEA +.019: only one bound crossed, so the level holds."""
    result = group_ladder()
    scalar = _rows(result)["scalar"].comparison
    assert scalar.delta_cfi > -DELTA_CFI and scalar.delta_rmsea > DELTA_RMSEA
    assert result.held == "strict" and result.freed == ()
    assert not math.isnan(scalar.pvalue)


def test_an_intercept_shifted_in_one_group_breaks_scalar_and_the_search_frees_it() -> None:
    """Group non-invariance planted by hand: item c3 at t1 answered 0.5 higher by the treated (the construct
    unchanged). Full scalar must fail by the decision rule and the partial search must free exactly c3."""
    data = long_sim().assign(treat=long_sim()["treat"].astype(str))
    data["c3_t1"] = data["c3_t1"] + 0.5 * (data["treat"] == "1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = group_invariance(data, spec(), "treat", group_label=("0", "1"))
    full = next(row for row in result.rows if row.level == "scalar" and not row.partial)
    assert full.decision == "not held"
    assert full.comparison.delta_cfi <= -DELTA_CFI and full.comparison.delta_rmsea >= DELTA_RMSEA
    assert result.freed == (("c3", "groups"),) and result.scalar
