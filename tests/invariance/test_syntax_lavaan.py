"""Our syntax convention, fitted by lavaan (invariance_ladder.R): the models are ours character for character.

Each ``il_*`` reference's model in the manifest must equal what
:mod:`ilb_eval.invariance.syntax` writes for the same measurement model, and
the ladder built from that syntax must reproduce lavaan's fit measures and
scaled LR tests (tolerance 1e-3 + 1e-3 |ref|, counts exact). The references
cover what invariance_longitudinal.R lacks: strict invariance on a partial
scalar model, a scale of two items, an item missing at one wave, and
second-order growth with its defined parameters on the scale-mean metric.
"""

from __future__ import annotations

import pytest
from inv_refs import close, long_sim, reference, spec

from ilb_eval.invariance.ladder import longitudinal_invariance
from ilb_eval.invariance.second_order import second_order_growth
from ilb_eval.invariance.syntax import LEVELS, longitudinal_syntax, second_order_syntax

TIMES = {"t1": 0.0, "t2": 2.0, "t3": 3.0}
SHIFT_FREE = (("c2", "t3"),)
TWO = spec(items=("c1", "c2"))
MISSING = spec(drop=(("c3", "t2"),))


def _fit_rows(result):
    return {row.level: row for row in result.rows if row.status == "ok"}


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("name,measurement", [("il_two_items", TWO), ("il_missing_item", MISSING)])
def test_ladder_syntax_is_the_references(name, measurement, level) -> None:
    assert longitudinal_syntax(measurement, level) == reference(f"{name}_{level}")["model"]


def test_partial_and_second_order_syntax_is_the_references() -> None:
    shifted = spec(shift=True)
    assert longitudinal_syntax(shifted, "scalar", SHIFT_FREE) == reference("il_shift_partial")["model"]
    assert longitudinal_syntax(shifted, "strict", SHIFT_FREE) == reference("il_shift_strict")["model"]
    times = list(TIMES.values())
    assert second_order_syntax(spec(), times) == reference("il_so_mean")["model"]
    assert second_order_syntax(spec(), times, ["treat"], effect_of="treat") == reference("il_so_effect")["model"]
    assert (second_order_syntax(shifted, times, ["treat"], SHIFT_FREE, "treat")
            == reference("il_so_partial_effect")["model"])


def test_item_missing_at_one_wave_ladder_equals_lavaan() -> None:
    result = longitudinal_invariance(long_sim(), MISSING)
    rows = _fit_rows(result)
    assert result.held == "strict"
    assert MISSING.items_at("t2") == ("c1", "c2", "c4")
    for level in LEVELS:
        ref = reference(f"il_missing_item_{level}")
        row = rows[level]
        assert row.df == ref["fit"]["df"] and row.n == ref["ntotal"]
        assert close(row.chisq_scaled, ref["fit"]["chisq.scaled"])
        assert close(row.cfi, ref["fit"]["cfi.robust"]) and close(row.rmsea, ref["fit"]["rmsea.robust"])
        if level != "configural":
            lrt = ref["lrt"]["default"]
            assert row.comparison.df_diff == lrt["df_diff"]
            assert close(row.comparison.chisq_diff, lrt["chisq_diff"])


def test_two_items_configural_fits_poorly_and_the_ladder_says_so() -> None:
    """Two items without correlated residuals: lavaan's robust RMSEA .129 > .08, so configural does not hold."""
    ref = reference("il_two_items_configural")
    result = longitudinal_invariance(long_sim(), TWO)
    first = result.rows[0]
    assert close(first.chisq_scaled, ref["fit"]["chisq.scaled"]) and first.df == ref["fit"]["df"]
    assert close(first.rmsea, ref["fit"]["rmsea.robust"]) and close(first.cfi, ref["fit"]["cfi.robust"])
    assert first.decision == "not held" and result.held == "none"
    assert [row.status for row in result.rows[1:]] == ["not_tested"] * 3
    assert any("two items" in note for note in result.notes)
    assert any("fits poorly" in note for note in result.notes)


@pytest.mark.parametrize("level", LEVELS[1:])
def test_two_items_lr_tests_equal_lavaan(level) -> None:
    """The two-item levels fitted directly (the ladder stops before them): scaled LR tests as lavaan."""
    from ilb_eval.invariance.decision import compare_levels
    from ilb_eval.sem import cfa

    columns = list(TWO.columns.values())
    fit = cfa(longitudinal_syntax(TWO, level), long_sim()[columns], estimator="MLR")
    before = cfa(longitudinal_syntax(TWO, LEVELS[LEVELS.index(level) - 1]), long_sim()[columns], estimator="MLR")
    ref = reference(f"il_two_items_{level}")
    comparison = compare_levels(fit, before)
    assert comparison.df_diff == ref["lrt"]["default"]["df_diff"]
    assert close(comparison.chisq_diff, ref["lrt"]["default"]["chisq_diff"])


def test_strict_on_partial_scalar_equals_lavaan() -> None:
    from inv_refs import ladder

    result = ladder(True)
    strict = next(row for row in result.rows if row.level == "strict" and row.status == "ok")
    ref = reference("il_shift_strict")
    assert strict.partial and strict.freed == SHIFT_FREE and strict.syntax == ref["model"]
    assert strict.df == ref["fit"]["df"] and close(strict.chisq_scaled, ref["fit"]["chisq.scaled"])
    assert close(strict.comparison.chisq_diff, ref["lrt"]["default"]["chisq_diff"])
    assert strict.comparison.df_diff == ref["lrt"]["default"]["df_diff"]


DEFINED = {"il_so_mean": ("I_MEAN", "S_MEAN"), "il_so_effect": ("I_EFFECT", "S_EFFECT"),
           "il_so_partial_effect": ("I_EFFECT", "S_EFFECT")}


@pytest.mark.parametrize("name", list(DEFINED))
def test_second_order_growth_on_the_scale_mean_metric_equals_lavaan(name) -> None:
    """Level and change (or the treat effects) times the mean loading: estimates 1e-4 + 1e-3 |ref|, SEs 1e-4 + 2e-3 |ref|."""
    shifted = name == "il_so_partial_effect"
    kwargs = {"covariates": ["treat"], "effect_of": "treat"} if name != "il_so_mean" else {}
    growth = second_order_growth(long_sim(), spec(shift=shifted), TIMES,
                                 freed=SHIFT_FREE if shifted else (), **kwargs)
    ref = reference(name)
    assert growth.status == "ok" and growth.syntax == ref["model"]
    defined = {row["lhs"]: row for row in ref["params"] if row["op"] == ":="}
    for factor, label in zip(("i", "s"), DEFINED[name], strict=True):
        row = growth.rows.set_index("factor").loc[factor]
        assert close(row["estimate"], defined[label]["est"], 1e-4, 1e-3), (label, row["estimate"])
        assert close(row["se"], defined[label]["se"], 1e-4, 2e-3), (label, row["se"])
        assert close(row["pvalue"], defined[label]["pvalue"], 1e-4, 1e-3)
    assert close(growth.fit["chisq_scaled"], ref["fit"]["chisq.scaled"])
    assert close(growth.fit["cfi_robust"], ref["fit"]["cfi.robust"])
    assert growth.rows["n"].iloc[0] == ref["ntotal"]
