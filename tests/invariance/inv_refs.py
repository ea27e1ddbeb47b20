"""The lavaan references of the invariance tests (tests/fixtures/lavaan/sem, families 7 and invariance_ladder.R).

``long_sim.csv``: 1,200 persons, items c1..c4 at waves t1..t3 (``c<j>_t<t>``),
``c2_t3s`` = item 2 at wave 3 shifted by +0.5, ``treat`` 0/1.
"""

from __future__ import annotations

import json
import warnings
from functools import cache
from pathlib import Path

import pandas as pd

from ilb_eval.invariance.ladder import InvarianceResult, group_invariance, longitudinal_invariance
from ilb_eval.invariance.spec import MeasurementSpec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lavaan" / "sem"
ITEMS = ("c1", "c2", "c3", "c4")
WAVES = ("t1", "t2", "t3")


@cache
def reference(name: str) -> dict:
    """One lavaan reference JSON."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


@cache
def long_sim() -> pd.DataFrame:
    """The data of the references (callers must not modify it)."""
    return pd.read_csv(FIXTURES / "long_sim.csv")


def spec(shift: bool = False, items: tuple[str, ...] = ITEMS,
         drop: tuple[tuple[str, str], ...] = ()) -> MeasurementSpec:
    """The measurement model of long_sim.csv: ``shift`` uses c2_t3s; ``drop`` leaves (item, wave) pairs out."""
    columns = {}
    for item in items:
        for wave in WAVES:
            if (item, wave) in drop:
                continue
            shifted = shift and item == "c2" and wave == "t3"
            columns[(item, wave)] = "c2_t3s" if shifted else f"{item}_{wave}"
    return MeasurementSpec("c", items, WAVES, columns, items[0])


@cache
def ladder(shift: bool = False) -> InvarianceResult:
    """The longitudinal ladder of long_sim.csv (cached)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return longitudinal_invariance(long_sim(), spec(shift))


@cache
def group_ladder() -> InvarianceResult:
    """The ladder across ``treat`` at wave 1, groups in lavaan's order ("0", "1")."""
    data = long_sim().assign(treat=long_sim()["treat"].astype(str))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return group_invariance(data, spec(), "treat", group_label=("0", "1"))


def close(ours: float, ref: float | None, absolute: float = 1e-3, relative: float = 1e-3) -> bool:
    """Within ``absolute + relative |ref|`` (issue 13's tolerance of fit measures)."""
    assert ref is not None
    return abs(float(ours) - float(ref)) <= absolute + relative * abs(float(ref))
