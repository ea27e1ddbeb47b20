"""Scale scores against hand arithmetic: reverse keying, mean of valid items, min-valid rule."""

import math

import pandas as pd
import pytest

from ilb_eval.exceptions import InputError
from ilb_eval.prep import recode_missing, scale_items, score_scales


@pytest.fixture
def wave(eap, io_wave):
    # fachkompetenz: items fk_1..fk_4, fk_4 reverse-keyed, range 1..5, min_valid 3
    raw = io_wave(
        eap, "t1", ["a", "b", "c", "d", "e"],
        fk_1=[4, 1, 3, -9, 5],
        fk_2=[5, 2, -1, -9, 5],
        fk_3=[3, -9, -9, -1, 5],
        fk_4=[2, 5, 1, -9, 5],
    )
    return recode_missing(raw, eap.wave("t1").table_schema)[0]


def test_reverse_keying(eap, wave):
    items = scale_items(wave, eap.scale("fachkompetenz"))
    # fk_4 -> 1 + 5 - fk_4: 2->4, 5->1, 1->5, missing, 5->1
    assert items["fk_4"].tolist()[:3] == [4.0, 1.0, 5.0] and math.isnan(items["fk_4"].iloc[3])
    assert items["fk_4"].iloc[4] == 1.0
    assert items["fk_1"].tolist()[:3] == [4.0, 1.0, 3.0]  # not reversed


def test_scale_scores_by_hand(eap, wave):
    scores = score_scales(wave, eap, "t1")
    fk = scores["fachkompetenz"]
    # row 2: (4 + 5 + 3 + 4) / 4 = 16 / 4 = 4.0
    assert fk.loc[2] == pytest.approx(4.0)
    # row 3: fk_3 missing; (1 + 2 + 1) / 3 = 4 / 3
    assert fk.loc[3] == pytest.approx(4 / 3)
    # row 4: two valid items (3 and reversed 1 -> 5) < min_valid 3 -> NaN
    assert math.isnan(fk.loc[4])
    # row 5: no valid item -> NaN
    assert math.isnan(fk.loc[5])
    # row 6: (5 + 5 + 5 + 1) / 4 = 4.0
    assert fk.loc[6] == pytest.approx(4.0)
    assert scores.index.equals(wave.index) and list(scores) == [s.name for s in eap.scales]
    counts = pd.DataFrame(scores.attrs["scale_counts"]).set_index("scale").loc["fachkompetenz"]
    assert (counts["n_rows"], counts["n_scored"], counts["n_below_min_valid"], counts["n_no_items"]) == (5, 3, 2, 1)
    # the other scales got the default (first category, 1) everywhere: (1 + 1 + 1 + (6 - 1)) / 4 = 2
    assert (scores["belastbarkeit"] == 2.0).all()


def test_values_outside_the_range_are_an_error_naming_rows(eap, io_wave):
    raw = io_wave(eap, "t1", ["a", "b", "c"], fk_2=[3, 7, -99])  # 7 and an undeclared code
    values = recode_missing(raw, eap.wave("t1").table_schema)[0]
    with pytest.raises(InputError) as info:
        score_scales(values, eap, "t1")
    (problem,) = info.value.problems
    assert (problem.code, problem.column, problem.rows) == ("OUT_OF_RANGE", "fk_2", (3, 4))
