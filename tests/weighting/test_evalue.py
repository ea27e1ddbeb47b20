"""E-values against the worked examples of VanderWeele & Ding (2017, Ann Intern Med 167:268)."""

from __future__ import annotations

import math

import pytest

from ilb_eval.weighting.evalue import evalue_rr, evalue_smd


def test_breastfeeding_example_rr_3_9():
    # Victora et al.: RR 3.9 (1.8, 8.7) -> E-value 7.2 for the estimate, 3.0 for the lower limit
    result = evalue_rr(3.9, 1.8, 8.7)
    assert result.evalue == pytest.approx(3.9 + math.sqrt(3.9 * 2.9))
    assert round(result.evalue, 2) == 7.26
    assert result.evalue_ci == pytest.approx(1.8 + math.sqrt(1.8 * 0.8))
    assert round(result.evalue_ci, 2) == 3.0


def test_protective_estimate_uses_the_reciprocal_and_the_upper_limit():
    # RR 0.80 (0.71, 0.91) -> 1/0.8 = 1.25: 1.25 + sqrt(1.25 * .25) = 1.81; CI via 1/0.91
    result = evalue_rr(0.80, 0.71, 0.91)
    assert round(result.evalue, 2) == 1.81
    assert round(result.evalue_ci, 2) == 1.43
    assert evalue_rr(1 / 0.80).evalue == pytest.approx(result.evalue)


def test_interval_containing_one_gives_one():
    assert evalue_rr(1.3, 0.9, 1.8).evalue_ci == 1.0
    assert evalue_rr(1.0).evalue == 1.0


def test_standardised_difference_conversion():
    # RR = exp(0.91 d), limits exp(0.91 d -+ 1.78 SE)
    result = evalue_smd(0.3, 0.1)
    assert result.rr == pytest.approx(math.exp(0.273))
    assert result.rr_lower == pytest.approx(math.exp(0.273 - 0.178))
    assert result.rr_upper == pytest.approx(math.exp(0.273 + 0.178))
    rr_low = math.exp(0.095)
    assert result.evalue_ci == pytest.approx(rr_low + math.sqrt(rr_low * (rr_low - 1)))
    # a negative difference is symmetric
    assert evalue_smd(-0.3, 0.1).evalue == pytest.approx(result.evalue)
    assert evalue_smd(-0.3, 0.1).evalue_ci == pytest.approx(result.evalue_ci)
    assert evalue_smd(0.05, 0.1).evalue_ci == 1.0


def test_invalid_values_are_refused():
    with pytest.raises(ValueError):
        evalue_rr(-1.0)
    with pytest.raises(ValueError):
        evalue_rr(1.5, 2.0, 1.0)
    with pytest.raises(ValueError):
        evalue_smd(0.2, -0.1)
