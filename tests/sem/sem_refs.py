"""Helpers of the SEM tests: lavaan 0.6-14 reference fits and our (cached) fits of them.

Every ``<name>.json`` in ``tests/fixtures/lavaan/sem`` holds one lavaan fit
(see the README there): the call (function, model syntax, data file, lavaan
options) and lavaan's parameterEstimates, fitMeasures, implied moments,
vcov and extras. :func:`our_fit` fits the same call with ``ilb_eval.sem``.
"""

from __future__ import annotations

import json
import warnings
from functools import cache
from pathlib import Path

import pandas as pd

from ilb_eval import sem as sem_api
from ilb_eval.sem import SemResults

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lavaan" / "sem"

#: lavaan option names and the keyword arguments of ilb_eval.sem's functions.
OPTION_NAMES = {
    "group": "group",
    "group.equal": "group_equal",
    "group.partial": "group_partial",
    "group.label": "group_label",
    "estimator": "estimator",
    "sampling.weights": "sampling_weights",
    "cluster": "cluster",
    "std.lv": "std_lv",
    "orthogonal": "orthogonal",
    "fixed.x": "fixed_x",
}
#: lavaan options that change nothing here (FIML is the only missing-data method).
IGNORED_OPTIONS = {"missing"}


def reference_names() -> list[str]:
    """Names of all reference fits (files with a lavaan call)."""
    names = []
    for path in sorted(FIXTURES.glob("*.json")):
        if path.name == "manifest.json":
            continue
        head = json.loads(path.read_text())
        if isinstance(head, dict) and "function" in head and "params" in head:
            names.append(path.stem)
    return names


@cache
def reference(name: str) -> dict:
    """The lavaan reference JSON of one fit."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


@cache
def load_data(file: str) -> pd.DataFrame:
    """A fixture CSV (cached; callers must not modify it)."""
    return pd.read_csv(FIXTURES / file)


def call_kwargs(ref: dict) -> dict:
    """Keyword arguments of our function for a reference's lavaan options."""
    kwargs = {}
    for key, value in ref["options"].items():
        if key in IGNORED_OPTIONS:
            continue
        if key not in OPTION_NAMES:
            raise KeyError(f"option {key!r} of {ref['name']} has no ilb_eval equivalent")
        kwargs[OPTION_NAMES[key]] = value
    return kwargs


@cache
def our_fit(name: str) -> SemResults:
    """Our fit of a reference call (warnings are recorded on the result)."""
    ref = reference(name)
    function = getattr(sem_api, ref["function"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(ref["model"], load_data(ref["data"]), **call_kwargs(ref))


def params_frame(rows: list[dict]) -> pd.DataFrame:
    """A reference's parameter rows keyed by (lhs, op, rhs, group label)."""
    frame = pd.DataFrame(rows)
    frame["group_label"] = frame["group_label"].fillna("").astype(str)
    return frame.set_index(["lhs", "op", "rhs", "group_label"])
