"""Holm and Benjamini-Hochberg adjustments against hand arithmetic."""

import math

import numpy as np
import pytest

from ilb_eval.exceptions import SpecError
from ilb_eval.stats import adjust_pvalues


def test_holm_by_hand():
    # sorted p: 0.01, 0.02, 0.03, 0.04 with m = 4
    # Holm: 4*0.01 = 0.04; 3*0.02 = 0.06; 2*0.03 = 0.06; 1*0.04 = 0.04 -> cummax -> 0.04, 0.06, 0.06, 0.06
    p = [0.03, 0.01, 0.04, 0.02]
    np.testing.assert_allclose(adjust_pvalues(p, "holm"), [0.06, 0.04, 0.06, 0.06], rtol=0, atol=1e-15)


def test_bh_by_hand():
    # sorted p: 0.01, 0.02, 0.03, 0.04, m = 4
    # BH: p*m/rank = 0.04, 0.04, 0.04, 0.04 -> cummin from the top -> all 0.04
    np.testing.assert_allclose(adjust_pvalues([0.03, 0.01, 0.04, 0.02], "bh"), [0.04] * 4, atol=1e-15)


def test_missing_pvalues_do_not_count():
    adjusted = adjust_pvalues([0.01, float("nan"), 0.02], "holm")
    # family of two: 2*0.01 = 0.02, 1*0.02 = 0.02
    assert adjusted[0] == pytest.approx(0.02) and adjusted[2] == pytest.approx(0.02)
    assert math.isnan(adjusted[1])


def test_adjusted_pvalues_are_capped_at_one():
    assert adjust_pvalues([0.6, 0.7], "holm").tolist() == [1.0, 1.0]


def test_unknown_method():
    with pytest.raises(SpecError, match="method must be one of"):
        adjust_pvalues([0.1], "bonferroni")
