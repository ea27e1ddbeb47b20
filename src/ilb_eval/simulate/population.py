"""Persons of a synthetic sample: group, demographics, wave presence (MAR attrition), iLB use.

Everything is drawn for all persons at once with numpy (no per-person Python
loops), so a sample of a million persons takes seconds. Counts come from the
settings and are multiplied by the scale factor and rounded per cell; at scale
1 every count the settings fix (persons, records, iLB users, women, degrees,
German citizens, pattern counts) is met exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ilb_eval.simulate.settings import pattern_waves
from ilb_eval.study import Study

__all__ = [
    "Persons",
    "assign_groups",
    "assign_presence",
    "draw_persons",
    "exact_assignment",
    "first_use_waves",
    "gumbel_top_k",
    "scaled",
]


def scaled(count: float, scale: float) -> int:
    """A settings count at the given scale, rounded half away from zero.

    Examples
    --------
    >>> scaled(377, 1.0), scaled(377, 0.1), scaled(5, 0.5)
    (377, 38, 3)
    """
    return int(np.floor(count * scale + 0.5))


def exact_assignment(rng: np.random.Generator, n: int, shares: dict[Any, float]) -> np.ndarray:
    """Values with exactly the given shares (largest-remainder rounding), in random order.

    Examples
    --------
    >>> values = exact_assignment(np.random.default_rng(1), 100, {1: 0.28, 2: 0.72})
    >>> int((values == 2).sum())
    72
    """
    keys = list(shares)
    raw = np.array([shares[k] for k in keys], dtype=float) * n
    counts = np.floor(raw).astype(int)
    remainder = n - counts.sum()
    if remainder > 0:
        order = np.argsort(-(raw - counts), kind="stable")
        counts[order[:remainder]] += 1
    values = np.repeat(np.array(keys, dtype=object), counts)
    if all(isinstance(k, (int, np.integer)) for k in keys):
        values = values.astype(np.int64)
    return rng.permutation(values)


def gumbel_top_k(rng: np.random.Generator, log_weights: np.ndarray, k: int) -> np.ndarray:
    """Indices of ``k`` items drawn without replacement with probability proportional to weight.

    Uses the Gumbel top-k trick: the ``k`` largest ``log_weight + Gumbel`` keys
    are a successive weighted sample without replacement.

    Examples
    --------
    >>> picked = gumbel_top_k(np.random.default_rng(0), np.zeros(10), 3)
    >>> len(picked), len(set(picked.tolist()))
    (3, 3)
    """
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    keys = log_weights + rng.gumbel(size=log_weights.shape[0])
    if k >= keys.shape[0]:
        return np.arange(keys.shape[0])
    return np.sort(np.argpartition(-keys, k - 1)[:k])


@dataclass
class Persons:
    """Person-level draws of one sample (arrays of length ``n``).

    ``fields`` holds the time-constant answers at the entry wave under the
    wave-file field names (``gender``, ``abschluss``, ``age``, ...); ``age`` is
    the age at the entry wave. ``latent`` holds person-level standard normal
    draws for the iLB time conditions (``release_time``, ``session_minutes``,
    ``duration_months``).
    """

    n: int
    ilb: np.ndarray
    entry: np.ndarray
    fields: dict[str, np.ndarray]
    birthday_phase: np.ndarray
    latent: dict[str, np.ndarray]
    mode: np.ndarray
    present: np.ndarray = field(default_factory=lambda: np.empty((0, 0), dtype=bool))
    first_use: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))


def _group_patterns(cfg: dict[str, Any], study: Study, scale: float) -> list[tuple[bool, tuple[bool, ...], int]]:
    """(is_ilb, presence tuple over the study waves, count) for every pattern cell."""
    waves = study.wave_names
    cells = []
    for group in ("ilb", "control"):
        for pattern, count in cfg["patterns"].get(group, {}).items():
            members = set(pattern_waves(pattern))
            cells.append((group == "ilb", tuple(w in members for w in waves), scaled(count, scale)))
    return cells


def draw_persons(cfg: dict[str, Any], study: Study, scale: float, rng: np.random.Generator) -> Persons:
    """Draw demographics and person-level latent variables for every person of the sample.

    Group (iLB user or control) and entry wave are not drawn here: they
    depend on the persons' first-wave answers (:func:`assign_groups`). Until
    then everyone counts as a control entering at the first wave.

    Parameters
    ----------
    cfg:
        The settings of one sample (``settings["samples"]["EAP"]``).
    study:
        Its study definition (field names of demographics and covariates).
    scale:
        Multiplier of all counts.
    rng:
        The random generator of this step.

    Examples
    --------
    >>> from ilb_eval.simulate.settings import load_settings
    >>> from ilb_eval.study import load_study
    >>> cfg = load_settings()["samples"]["EAP"]
    >>> persons = draw_persons(cfg, load_study("EAP"), 1.0, np.random.default_rng(5))
    >>> persons.n, int((persons.fields["gender"] == 2).sum())
    (1737, 1250)
    """
    n = sum(count for _, _, count in _group_patterns(cfg, study, scale))
    demo_cfg = cfg["demographics"]
    names = study.demographics
    fields: dict[str, np.ndarray] = {}
    fields[names["gender"]] = exact_assignment(rng, n, {int(k): v for k, v in demo_cfg["gender_shares"].items()})
    degree = int(names["degree_value"])
    fields[names["education"]] = exact_assignment(rng, n, {degree: demo_cfg["degree_share"], 3 - degree: 1 - demo_cfg["degree_share"]})
    german = int(names["german_value"])
    fields[names["citizenship"]] = exact_assignment(rng, n, {german: demo_cfg["german_share"], 3 - german: 1 - demo_cfg["german_share"]})
    age = demo_cfg["age"]
    raw_age = np.rint(rng.normal(age["mean"], age["sd"], n))
    fields[names["age"]] = np.clip(raw_age, age["min"], age["max"]).astype(np.int64)
    for covariate in study.covariates:
        if covariate.source not in fields and covariate.coding["kind"] == "map":
            share = demo_cfg[f"{covariate.name}_share"]
            one = int(next(k for k, v in covariate.coding["map"].items() if v == 1))
            zero = int(next(k for k, v in covariate.coding["map"].items() if v == 0))
            fields[covariate.source] = exact_assignment(rng, n, {one: share, zero: 1 - share})

    details = cfg["ilb_details"]
    latent = {name: rng.standard_normal(n) for name in ("release_time", "session_minutes", "duration_months")}
    mode = exact_assignment(rng, n, {int(k): v for k, v in details["mode_shares"].items()})
    return Persons(
        n=n, ilb=np.zeros(n, dtype=bool), entry=np.zeros(n, dtype=np.int64), fields=fields,
        birthday_phase=rng.random(n), latent=latent, mode=mode,
    )


def assign_groups(
    persons: Persons,
    cfg: dict[str, Any],
    study: Study,
    scale: float,
    selection_index: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Who takes up iLB (exact count), and each person's entry wave (exact counts per group).

    The users are the persons with the largest ``selection_index +
    Logistic(0, 1)`` noise: a latent-index logit model whose threshold is set
    by the quota, so that ``P(user | index)`` is logistic in the index (up to
    the sampling of the threshold) while the number of users is exact. In a
    sample without a control group everyone is a user. Entry waves are then
    assigned at random within each group from the pattern counts. Sets
    ``persons.ilb`` and ``persons.entry``.

    Examples
    --------
    >>> from ilb_eval.simulate.settings import load_settings
    >>> from ilb_eval.study import load_study
    >>> eap, cfg = load_study("EAP"), load_settings()["samples"]["EAP"]
    >>> persons = draw_persons(cfg, eap, 1.0, np.random.default_rng(0))
    >>> index = np.where(persons.fields["abschluss"] == 1, 2.0, 0.0)
    >>> assign_groups(persons, cfg, eap, 1.0, index, np.random.default_rng(1))
    >>> int(persons.ilb.sum()), np.bincount(persons.entry).tolist()
    (377, [1290, 280, 167])
    >>> bool(index[persons.ilb].mean() > index[~persons.ilb].mean())     # selection on the index
    True
    """
    cells = _group_patterns(cfg, study, scale)
    n_users = sum(count for is_ilb, _, count in cells if is_ilb)
    ilb = np.full(persons.n, n_users >= persons.n)
    if 0 < n_users < persons.n:
        keys = np.asarray(selection_index, dtype=float) + rng.logistic(size=persons.n)
        ilb[np.argpartition(-keys, n_users - 1)[:n_users]] = True
    entry = np.zeros(persons.n, dtype=np.int64)
    for group in (True, False):
        members = np.flatnonzero(ilb == group)
        waves = np.concatenate(
            [np.full(count, pattern.index(True), dtype=np.int64) for is_ilb, pattern, count in cells if is_ilb == group]
            or [np.empty(0, dtype=np.int64)]
        )
        entry[members] = rng.permutation(waves)
    persons.ilb, persons.entry = ilb, entry


def assign_presence(
    persons: Persons,
    cfg: dict[str, Any],
    study: Study,
    scale: float,
    scores: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Wave presence (persons x waves) with exact pattern counts and MAR attrition.

    Within each group and each presence history so far, the persons present at
    the next wave are drawn without replacement with log-weight
    ``score_weight * z``, where ``z`` is the standardised observed score at the
    last wave the person answered (``scores``: persons x waves, NaN allowed).
    So dropout depends only on earlier answers (missing at random).

    Returns
    -------
    numpy.ndarray
        Boolean matrix; also stored on ``persons.present``.

    Examples
    --------
    >>> from ilb_eval.simulate.settings import load_settings
    >>> from ilb_eval.study import load_study
    >>> eap, cfg = load_study("EAP"), load_settings()["samples"]["EAP"]
    >>> persons = draw_persons(cfg, eap, 1.0, np.random.default_rng(0))
    >>> assign_groups(persons, cfg, eap, 1.0, np.zeros(persons.n), np.random.default_rng(3))
    >>> scores = np.random.default_rng(1).normal(3.5, 0.5, (persons.n, 3))
    >>> present = assign_presence(persons, cfg, eap, 1.0, scores, np.random.default_rng(2))
    >>> present.sum(axis=0).tolist(), int(present.sum())
    ([1290, 690, 487], 2467)
    """
    waves = study.wave_names
    n_waves = len(waves)
    present = np.zeros((persons.n, n_waves), dtype=bool)
    present[np.arange(persons.n), persons.entry] = True
    weight = float(cfg["attrition"]["score_weight"])
    mean = np.nanmean(scores, axis=0)
    sd = np.nanstd(scores, axis=0)
    z = np.nan_to_num((scores - mean) / np.where(sd > 0, sd, 1.0))
    cells = _group_patterns(cfg, study, scale)
    last = persons.entry.copy()
    for j in range(1, n_waves):
        for group in (True, False):
            histories = {p[:j] for g, p, _ in cells if g == group and any(p[:j])}
            for history in sorted(histories):
                target = sum(c for g, p, c in cells if g == group and p[:j] == history and p[j])
                members = np.flatnonzero(
                    (persons.ilb == group) & (persons.entry < j) & np.all(present[:, :j] == np.array(history), axis=1)
                )
                chosen = members[gumbel_top_k(rng, weight * z[members, last[members]], target)]
                present[chosen, j] = True
        last = np.where(present[:, j], j, last)
    persons.present = present
    return present


def first_use_waves(persons: Persons, cfg: dict[str, Any], rng: np.random.Generator) -> np.ndarray:
    """Index of the wave of first iLB use per person (-1 for controls).

    The first wave a user answers with probability ``first_wave_probability``,
    otherwise one of the later waves the user answers (uniformly); a user who
    answers one wave only uses iLB from that wave.

    Examples
    --------
    >>> from ilb_eval.simulate.settings import load_settings
    >>> from ilb_eval.study import load_study
    >>> eap, cfg = load_study("EAP"), load_settings()["samples"]["EAP"]
    >>> persons = draw_persons(cfg, eap, 1.0, np.random.default_rng(0))
    >>> assign_groups(persons, cfg, eap, 1.0, np.zeros(persons.n), np.random.default_rng(3))
    >>> _ = assign_presence(persons, cfg, eap, 1.0, np.zeros((persons.n, 3)), np.random.default_rng(1))
    >>> first = first_use_waves(persons, cfg, np.random.default_rng(2))
    >>> bool(persons.present[persons.ilb, first[persons.ilb]].all()), int((first >= 0).sum())
    (True, 377)
    """
    present = persons.present
    n_waves = present.shape[1]
    first = np.argmax(present, axis=1)
    later = present & (np.arange(n_waves) > first[:, None])
    n_later = later.sum(axis=1)
    move = (rng.random(persons.n) >= cfg["ilb_use"]["first_wave_probability"]) & (n_later > 0)
    pick = np.floor(rng.random(persons.n) * np.maximum(n_later, 1)).astype(np.int64)
    rank = np.cumsum(later, axis=1) - 1
    chosen_later = np.argmax(later & (rank == pick[:, None]), axis=1)
    result = np.where(move, chosen_later, first)
    result = np.where(persons.ilb, result, -1)
    persons.first_use = result
    return result
