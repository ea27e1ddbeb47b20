"""The minimum cell size rule (DECISIONS 7) and cell suppression against the differencing attack."""

import numpy as np
import pandas as pd
import pytest

from ilb_eval.exceptions import SpecError
from ilb_eval.privacy import (
    DEFAULT_MIN_CELL_SIZE,
    CellRule,
    Relation,
    mask_small,
    protect,
    protect_partition,
    recoverable,
)


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


# ------------------------------------------------------------------ cell suppression (privacy.suppression)

def _two_by_two(a, b, c, d):
    """A 2x2 table with its row, column and grand totals (the classic case of secondary suppression)."""
    cells = {"a": a, "b": b, "c": c, "d": d, "r1": a + b, "r2": c + d, "c1": a + c, "c2": b + d,
             "t": a + b + c + d}
    relations = [Relation("r1", ("a", "b")), Relation("r2", ("c", "d")), Relation("c1", ("a", "c")),
                 Relation("c2", ("b", "d")), Relation("t", ("r1", "r2")), Relation("t", ("c1", "c2"))]
    return cells, relations


def test_the_differencing_attack_by_hand():
    cells = {"total": 100, "ilb": 3, "control": 97}
    rel = [Relation("total", ("ilb", "control"))]
    assert recoverable(cells, rel, {"ilb"}) == {"ilb"}  # 100 - 97 = 3
    assert recoverable(cells, rel, {"ilb", "control"}) == set()
    assert recoverable(cells, rel, {"ilb", "control", "total"}) == set()


def test_non_negativity_can_pin_a_count():
    """total 0 published: both parts must be 0, although the equations alone leave them open."""
    cells = {"total": 0, "a": 0, "b": 0}
    rel = [Relation("total", ("a", "b"))]
    assert recoverable(cells, rel, {"a", "b"}) == {"a", "b"}
    assert recoverable(cells, rel, {"a", "b"}, counts=()) == set()  # as real numbers: not determined
    assert protect(cells, rel, CellRule(10)) == {"total", "a", "b"}


def test_one_small_cell_of_a_two_by_two_table_takes_three_more():
    """a = 4: its row, its column and the opposite corner must go too (four cells), the margins stay."""
    cells, relations = _two_by_two(4, 50, 60, 70)
    hidden = protect(cells, relations, CellRule(10))
    assert hidden == {"a", "b", "c", "d"}
    assert recoverable(cells, relations, hidden) == set()
    assert recoverable(cells, relations, {"a", "b", "c"}) >= {"a"}  # three are not enough: d gives a


def test_protect_leaves_nothing_recoverable_on_random_tables():
    rng = np.random.default_rng(20231122)
    for _ in range(40):
        cells, relations = _two_by_two(*rng.integers(0, 40, size=4))
        hidden = protect(cells, relations, CellRule(10))
        assert recoverable(cells, relations, hidden) == set()
        assert {k for k, v in cells.items() if v < 10} <= hidden


def test_partitions_and_small_counts():
    assert protect_partition({"slower": 4, "same": 118, "faster": 72}, CellRule(10)) == {"slower", "faster"}
    assert protect_partition({"a": 50, "b": 60}, CellRule(10)) == set()
    assert protect_partition({"a": 5, "b": 3}, CellRule(10)) == {"a", "b"}
    frame = pd.DataFrame({"n": [9, 10, 250], "r": [0.5, 0.2, 0.1]})
    masked = mask_small(frame, CellRule(10), "n", ["r"])
    assert masked["n"].isna().tolist() == [True, False, False] and masked["r"].isna().tolist() == [True, False, False]
