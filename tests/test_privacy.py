"""The minimum cell size rule (DECISIONS 7)."""

import pytest

from ilb_eval.exceptions import SpecError
from ilb_eval.privacy import DEFAULT_MIN_CELL_SIZE, CellRule


def test_default_and_floor():
    assert CellRule().min_cell_size == DEFAULT_MIN_CELL_SIZE == 10
    assert not CellRule().lowered
    assert CellRule(5).lowered
    with pytest.raises(SpecError, match="at least 5"):
        CellRule(4)


def test_values_below_the_rule_are_suppressed():
    rule = CellRule(10)
    assert rule.value(3.2, 10) == 3.2
    assert rule.value(3.2, 9) is None
    assert rule.value(3.2, float("nan")) is None


def test_shares_need_numerator_complement_and_base():
    rule = CellRule(10)
    assert rule.share(40, 50) == pytest.approx(0.8)  # 40 and the complement 10 both pass
    assert rule.share(9, 50) is None  # too few in the class
    assert rule.share(45, 50) is None  # complement of 5 would be disclosed
    assert rule.share(50, 50) is None  # 100 % discloses everyone's class
    assert rule.share(5, 9) is None  # base too small
