"""Scales the ladder cannot fully test get a clear note, never an exception.

A model that does not converge or fails ends the ladder at the level before
it; a partial search that may not free enough items stops at metric; an item
nobody answered at a wave is left out there; a scale at one wave, without a
marker, or with too few persons per group is not tested, and says why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from inv_refs import long_sim, spec

import ilb_eval.invariance.ladder as ladder_module
from ilb_eval.exceptions import EstimationError
from ilb_eval.invariance.ladder import group_invariance, longitudinal_invariance, max_freed_items
from ilb_eval.invariance.spec import measurement_spec
from ilb_eval.sem import cfa
from ilb_eval.study import Scale


def _patched(monkeypatch, marker: str, *, fail: bool) -> None:
    """cfa() that does not converge (max_iter=1) or raises for models whose syntax contains ``marker``."""
    def fake(model, data, **kwargs):
        if marker in model:
            if fail:
                raise EstimationError("simulated failure of the engine")
            kwargs["max_iter"] = 1
        return cfa(model, data, **kwargs)
    monkeypatch.setattr(ladder_module, "cfa", fake)


def test_a_model_that_does_not_converge_ends_the_ladder_with_a_note(monkeypatch) -> None:
    _patched(monkeypatch, "L2*", fail=False)        # metric and later levels (labelled loadings)
    result = longitudinal_invariance(long_sim(), spec())
    assert result.held == "configural"
    metric = result.rows[1]
    assert (metric.level, metric.status, metric.decision) == ("metric", "not_converged", "not held")
    assert [row.status for row in result.rows[2:]] == ["not_tested", "not_tested"]
    assert any("did not converge" in note and "stops at configural" in note for note in result.notes)


def test_a_model_that_fails_ends_the_ladder_with_a_note(monkeypatch) -> None:
    _patched(monkeypatch, "N2*", fail=True)         # scalar and strict (labelled intercepts)
    result = longitudinal_invariance(long_sim(), spec())
    assert result.held == "metric"
    scalar = result.rows[2]
    assert (scalar.status, scalar.decision) == ("failed", "not held")
    assert "simulated failure" in scalar.note
    assert any("stops at metric" in note for note in result.notes)


def test_configural_that_does_not_converge_means_none(monkeypatch) -> None:
    _patched(monkeypatch, "F_t1 =~", fail=False)
    result = longitudinal_invariance(long_sim(), spec())
    assert result.held == "none" and result.rows[0].status == "not_converged"
    assert any("could not be assessed" in note for note in result.notes)


def test_partial_search_limited_to_no_item_stays_at_metric() -> None:
    result = longitudinal_invariance(long_sim(), spec(shift=True), max_items=0)
    assert result.held == "metric" and result.freed == ()
    assert result.rows[2].decision == "not held" and result.rows[3].status == "not_tested"
    assert any("two items" in note for note in result.notes)


def test_max_freed_items_keeps_two_items_invariant() -> None:
    assert max_freed_items(4) == 2 and max_freed_items(2) == 0


SCALE = Scale(name="x", label={"de": "x", "en": "x"}, kind="competence", items=("a", "b", "c"), reverse=(),
              range=(1.0, 5.0), min_valid=2, waves=("t1", "t2", "t3"))


def _data(missing: tuple[str, ...] = ()) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({f"{i}_{w}": rng.normal(size=50) for w in SCALE.waves for i in SCALE.items})
    for column in missing:
        frame[column] = np.nan
    return frame


def test_an_item_without_answers_at_a_wave_is_left_out_there() -> None:
    measurement = measurement_spec(SCALE, _data(("a_t2",)))
    assert measurement.items_at("t2") == ("b", "c") and measurement.waves == ("t1", "t2", "t3")
    assert measurement.marker == "b"                 # a is not observed at every wave
    assert measurement.notes == ("item a has no answers at wave t2 and is left out at that wave.",)


def test_a_wave_with_one_item_is_left_out_and_one_wave_is_not_tested() -> None:
    data = _data(("a_t2", "b_t2", "a_t3", "c_t3"))
    measurement = measurement_spec(SCALE, data)
    assert measurement.waves == ("t1",)
    assert any("wave t2 has fewer than 2 items" in note for note in measurement.notes)
    result = longitudinal_invariance(data, measurement)
    assert result.held == "none" and all(row.status == "not_tested" for row in result.rows)
    assert result.notes[-1].startswith("No invariance test across waves: fewer than two waves")


def test_no_marker_is_not_tested() -> None:
    data = _data(("a_t2", "b_t3", "c_t1"))
    measurement = measurement_spec(SCALE, data)
    assert measurement.marker is None
    result = longitudinal_invariance(data, measurement)
    assert result.held == "none"
    assert "no marker" in result.notes[-1]


def test_two_items_at_the_wave_are_not_tested_across_groups() -> None:
    two = spec(items=("c1", "c2"))
    data = long_sim().assign(treat=long_sim()["treat"].astype(str))
    result = group_invariance(data, two, "treat")
    assert result.held == "none" and "two items is not identified" in result.notes[-1]


def test_the_results_entry_is_json_ready() -> None:
    import json

    from inv_refs import ladder

    from ilb_eval.sem.results import json_safe

    entry = json_safe(ladder(True).to_dict())
    json.dumps(entry, allow_nan=False)
    assert entry["scale"] == "c" and entry["across"] == "waves"
    assert entry["held"] == "strict" and entry["freed"] == ["c2"]
    assert entry["freed_parameters"] == [{"item": "c2", "at": "t3", "parameter": "intercept"}]
    assert [level["level"] for level in entry["levels"]] == ["configural", "metric", "scalar", "scalar", "strict"]
    assert entry["levels"][0]["delta_cfi"] is None
