"""ilb_eval.sem against lavaan 0.6-14, element by element, on every reference fit.

Tolerances (issue 13): estimates and standardized values 1e-4 + 1e-3 |ref|,
standard errors 1e-4 + 2e-3 |ref|, fit measures 1e-3 max(1, |ref|), npar,
df and ntotal exact. Rows are matched by (lhs, op, rhs, group label); every
row lavaan's parameterEstimates shows must be in ours and no other.
"""

from __future__ import annotations

import numpy as np
import pytest

from sem_refs import our_fit, params_frame, reference, reference_names

NAMES = reference_names()

def _close(ours: float, ref: float | None, absolute: float, relative: float) -> bool:
    if ref is None:
        return ours is None or not np.isfinite(ours)
    return bool(abs(ours - ref) <= absolute + relative * abs(ref))


@pytest.mark.parametrize("name", NAMES)
def test_counts_are_exact(name: str) -> None:
    ref, res = reference(name), our_fit(name)
    assert res.converged == ref["converged"]
    assert res.fit["npar"] == ref["fit"]["npar"]
    assert res.fit["df"] == ref["fit"]["df"]
    assert res.fit["ntotal"] == ref["fit"]["ntotal"]
    assert res.group_labels == tuple(ref["group_labels"] or [""])


@pytest.mark.parametrize("name", NAMES)
def test_rows_are_lavaans(name: str) -> None:
    ref = params_frame(reference(name)["params"])
    ours = our_fit(name).params
    keys = set(zip(ours["lhs"], ours["op"], ours["rhs"], ours["group"], strict=True))
    assert keys == set(ref.index)


@pytest.mark.parametrize("name", NAMES)
def test_estimates_and_standard_errors(name: str) -> None:
    ref = params_frame(reference(name)["params"])
    ours = our_fit(name).params.set_index(["lhs", "op", "rhs", "group"])
    bad = []
    for key, row in ref.iterrows():
        mine = ours.loc[key]
        checks = [("est", 1e-4, 1e-3), ("se", 1e-4, 2e-3), ("std.all", 1e-4, 1e-3),
                  ("std.lv", 1e-4, 1e-3)]  # fmt: skip
        for column, absolute, relative in checks:
            value = row[column]
            value = None if value is None or (isinstance(value, float) and np.isnan(value)) else value
            got = float(mine[column.replace(".", "_")])
            if not _close(got, value, absolute, relative):
                bad.append((key, column, got, value))
    assert not bad, bad[:10]


@pytest.mark.parametrize("name", NAMES)
def test_fit_measures(name: str) -> None:
    """Every measure of lavaan's fitMeasures, and no other, within 1e-3 max(1, |ref|)."""
    ref, res = reference(name), our_fit(name)
    expected = {measure.replace(".", "_") for measure in ref["fit"]}
    assert set(res.fit) == expected, (sorted(expected - set(res.fit)),
                                      sorted(set(res.fit) - expected))  # fmt: skip
    bad = []
    for measure, value in ref["fit"].items():
        got = float(res.fit[measure.replace(".", "_")])
        if not _close(got, value, 1e-3, 1e-3):
            bad.append((measure, got, value))
    assert not bad, bad
