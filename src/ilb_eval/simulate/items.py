"""Item answers from a longitudinal common-factor model per competence scale (issue 15).

The items of a scale measure its true score ``y_t`` (:mod:`growth_truth`: the
common factor at wave ``t``, on the metric of the scale mean)::

    answer[k, t] = round(clip(offset[k] + shift[k, t] + loading[k, t] * y_t + e[k, t], lo, hi))

with ``e[k, t] ~ N(0, item_noise_sd^2)`` independent across persons, items
and waves; reverse-keyed items are written as ``lo + hi - answer``. The
offsets (``growth.item_offsets``) are the item intercepts and add up to 0,
so the mean of the items follows ``y_t``.

By default every loading is 1 and every shift 0 at every wave: loadings and
intercepts are **invariant** across waves and groups, and the invariance
tests of :mod:`ilb_eval.invariance` hold. The optional setting
``growth.non_invariance`` plants non-invariance at chosen items and waves,
e.g. a response shift (the answers to one item move after iLB without any
change of the construct)::

    "non_invariance": [
      {"scale": "belastbarkeit", "item": 2, "wave": "t4", "intercept": 0.8},
      {"scale": "reflexivitaet", "item": 4, "wave": "t3", "loading": 0.5}
    ]

``item`` is the item's position in the scale (1 = the first item of the
study definition), ``intercept`` is added to the item's intercept at that
wave and ``loading`` replaces its loading (1) there. The true parameter
table (:func:`growth_truth.true_parameters`) keeps describing the
construct: a planted shift moves the scale mean, not the truth.

With the default settings the random draws are exactly those of the
generator before this module (one ``rng.normal`` call per scale and wave), so
the shipped example study is unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["check_non_invariance", "item_answers", "planted"]

_KEYS = {"scale", "item", "wave", "intercept", "loading"}


def planted(growth: Mapping[str, Any], scale: str, wave: str) -> list[dict[str, Any]]:
    """The non-invariance entries of ``growth`` for one scale at one wave.

    >>> growth = {"non_invariance": [{"scale": "a", "item": 2, "wave": "t4", "intercept": 0.5}]}
    >>> planted(growth, "a", "t4"), planted(growth, "a", "t3")
    ([{'scale': 'a', 'item': 2, 'wave': 't4', 'intercept': 0.5}], [])
    """
    return [entry for entry in growth.get("non_invariance", ())
            if entry["scale"] == scale and entry["wave"] == wave]


def item_answers(
    y: np.ndarray,
    scale: str,
    wave: str,
    reverse: Sequence[bool],
    growth: Mapping[str, Any],
    lo: float,
    hi: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Raw item answers (persons x items) of one scale at one wave.

    Parameters
    ----------
    y
        True scores of the scale at the wave (one per person).
    scale, wave
        Names (to find planted non-invariance).
    reverse
        Per item: reverse-keyed.
    growth
        The sample's ``growth`` settings (``item_offsets``, ``item_noise_sd``,
        optional ``non_invariance``).
    lo, hi
        The answer range.
    rng
        Random generator (one normal draw per person and item).

    Returns
    -------
    ndarray
        int8 answers.

    Examples
    --------
    >>> growth = {"item_offsets": [0, 0, 0, 0], "item_noise_sd": 0.0}
    >>> item_answers(np.array([2.2, 4.9]), "a", "t1", (False, False, False, True), growth, 1, 5,
    ...              np.random.default_rng(0))
    array([[2, 2, 2, 4],
           [5, 5, 5, 1]], dtype=int8)
    >>> growth["non_invariance"] = [{"scale": "a", "item": 2, "wave": "t1", "intercept": 1.0}]
    >>> item_answers(np.array([2.2]), "a", "t1", (False,) * 4, growth, 1, 5, np.random.default_rng(0))
    array([[2, 3, 2, 2]], dtype=int8)
    """
    offsets = np.asarray(growth["item_offsets"], dtype=float)
    noise = rng.normal(0.0, growth["item_noise_sd"], (y.shape[0], offsets.shape[0]))
    latent = y[:, None] + offsets[None, :] + noise
    for entry in planted(growth, scale, wave):
        k = int(entry["item"]) - 1
        loading = float(entry.get("loading", 1.0))
        latent[:, k] = offsets[k] + float(entry.get("intercept", 0.0)) + loading * y + noise[:, k]
    answers = np.rint(np.clip(latent, lo, hi))
    flip = np.asarray(reverse, dtype=bool)
    answers[:, flip] = lo + hi - answers[:, flip]
    return answers.astype(np.int8)


def check_non_invariance(growth: Mapping[str, Any], where: str, waves: Sequence[str]) -> list[str]:
    """Problems of the ``non_invariance`` setting (empty when it is absent or valid).

    >>> growth = {"item_offsets": [0.1, -0.1, 0, 0], "scales": {"a": {}},
    ...           "non_invariance": [{"scale": "b", "item": 5, "wave": "t2", "slope": 1}]}
    >>> for line in check_non_invariance(growth, "$.samples.X", ("t1", "t3")):
    ...     print(line)
    $.samples.X.growth.non_invariance[0]: unknown keys ['slope'] (use scale, item, wave, intercept, loading)
    $.samples.X.growth.non_invariance[0]: unknown scale 'b'
    $.samples.X.growth.non_invariance[0]: item must be a position 1..4
    $.samples.X.growth.non_invariance[0]: unknown wave 't2' (waves: t1, t3)
    """
    entries = growth.get("non_invariance", [])
    if not isinstance(entries, list):
        return [f"{where}.growth.non_invariance: give a list of entries"]
    problems = []
    n_items = len(growth.get("item_offsets", ()))
    for i, entry in enumerate(entries):
        at = f"{where}.growth.non_invariance[{i}]"
        if not isinstance(entry, dict):
            problems.append(f"{at}: give an object with scale, item and wave")
            continue
        unknown = sorted(set(entry) - _KEYS)
        if unknown:
            problems.append(f"{at}: unknown keys {unknown} (use scale, item, wave, intercept, loading)")
        if entry.get("scale") not in growth.get("scales", {}):
            problems.append(f"{at}: unknown scale {entry.get('scale')!r}")
        item = entry.get("item")
        if not isinstance(item, int) or isinstance(item, bool) or not 1 <= item <= n_items:
            problems.append(f"{at}: item must be a position 1..{n_items}")
        if entry.get("wave") not in waves:
            problems.append(f"{at}: unknown wave {entry.get('wave')!r} (waves: {', '.join(waves)})")
        for key in ("intercept", "loading"):
            if key in entry and not isinstance(entry[key], int | float):
                problems.append(f"{at}: {key} must be a number")
    return problems
