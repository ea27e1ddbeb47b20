"""Load and check the generator settings (``data/simulation/default.json``).

Every number the simulator uses lives in the settings file; this module reads
it, checks what the generator relies on (shares that add up to one, pattern
names made of the study's waves, a valid latent correlation structure) and
hashes it for the manifest.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from pathlib import Path
from typing import Any

from ilb_eval.exceptions import InputError
from ilb_eval.resources import data_root
from ilb_eval.simulate.items import check_non_invariance

__all__ = ["check_settings", "default_settings_path", "load_settings", "pattern_waves", "settings_hash"]

Settings = dict[str, Any]


def default_settings_path() -> Path:
    """The shipped settings file ``data/simulation/default.json``.

    Examples
    --------
    >>> default_settings_path().name
    'default.json'
    """
    return data_root() / "simulation" / "default.json"


def settings_hash(settings: Settings) -> str:
    """SHA-256 of the settings in canonical JSON (sorted keys, no blanks).

    Examples
    --------
    >>> len(settings_hash({"a": 1}))
    64
    """
    text = json.dumps(settings, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def pattern_waves(pattern: str) -> tuple[str, ...]:
    """The waves of a presence pattern name: ``"t1+t3"`` -> ``("t1", "t3")``.

    Examples
    --------
    >>> pattern_waves("t1+t3+t4")
    ('t1', 't3', 't4')
    """
    return tuple(part.strip() for part in pattern.split("+"))


def _require(problems: list[str], mapping: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    for key in keys:
        if key not in mapping:
            problems.append(f"{where}: missing setting {key!r}")


def _share_sum(problems: list[str], shares: dict[str, float] | list[float], where: str) -> None:
    values = list(shares.values()) if isinstance(shares, dict) else list(shares)
    if any(v < 0 for v in values) or not math.isclose(sum(values), 1.0, abs_tol=1e-9):
        problems.append(f"{where}: shares must be non-negative and add up to 1, got {values}")


def _check_sample(name: str, cfg: dict[str, Any], problems: list[str]) -> None:
    where = f"$.samples.{name}"
    _require(
        problems,
        cfg,
        ("patterns", "attrition", "ilb_use", "demographics", "growth", "item_missing", "not_applicable",
         "codes", "ilb_details", "blocks", "leadership"),
        where,
    )
    if problems:
        return
    waves_ok = {"t1", "t3", "t4"}
    for group in ("ilb", "control"):
        for pattern, count in cfg["patterns"].get(group, {}).items():
            if not set(pattern_waves(pattern)) <= waves_ok:
                problems.append(f"{where}.patterns.{group}: {pattern!r} names a wave outside t1, t3, t4")
            if not isinstance(count, int) or count < 0:
                problems.append(f"{where}.patterns.{group}.{pattern}: count must be a non-negative integer")
    if "ilb" not in cfg["patterns"]:
        problems.append(f"{where}.patterns: the 'ilb' group is required")
    demo = cfg["demographics"]
    _share_sum(problems, demo["gender_shares"], f"{where}.demographics.gender_shares")
    _share_sum(problems, cfg["codes"]["typo_kinds"], f"{where}.codes.typo_kinds")
    _share_sum(problems, cfg["ilb_details"]["mode_shares"], f"{where}.ilb_details.mode_shares")
    _share_sum(problems, cfg["leadership"]["category_shares"], f"{where}.leadership.category_shares")
    _share_sum(problems, cfg["blocks"]["benefit"]["rest_split"], f"{where}.blocks.benefit.rest_split")
    if len(cfg["growth"]["item_offsets"]) != 4 or not math.isclose(sum(cfg["growth"]["item_offsets"]), 0.0, abs_tol=1e-12):
        problems.append(f"{where}.growth.item_offsets: give 4 offsets that add up to 0 (the score mean stays unbiased)")
    if not -1 < cfg["growth"]["intercept_slope_corr"] < 1:
        problems.append(f"{where}.growth.intercept_slope_corr: must lie strictly between -1 and 1")
    _check_selection(cfg, where, problems)
    problems += check_non_invariance(cfg["growth"], where, sorted(waves_ok))
    representation = cfg["not_applicable"]["representation"]
    if representation != "empty" and not str(representation).startswith("code:"):
        problems.append(f"{where}.not_applicable.representation: use 'empty' or 'code:<index>'")


def _check_selection(cfg: dict[str, Any], where: str, problems: list[str]) -> None:
    """Selection into iLB (samples with a control group) and the intercept correlation clusters."""
    growth = cfg["growth"]
    scales = set(growth.get("scales", {}))
    correlation = growth.get("intercept_correlation")
    if correlation is not None:
        for cluster in correlation.get("clusters", []):
            if not set(cluster) <= scales:
                problems.append(f"{where}.growth.intercept_correlation: unknown scales {sorted(set(cluster) - scales)}")
        if not 0 <= correlation.get("within", 0) < 1:
            problems.append(f"{where}.growth.intercept_correlation.within: must lie in [0, 1)")
    if "control" not in cfg["patterns"]:
        return
    selection = cfg.get("selection")
    if not isinstance(selection, dict):
        problems.append(f"{where}: missing setting 'selection' (a sample with a control group needs it)")
        return
    named = set(selection.get("scores", {}))
    for group in selection.get("score_means", []):
        named |= set(group.get("scales", []))
    if not named <= scales:
        problems.append(f"{where}.selection: unknown scales {sorted(named - scales)}")
    unknown = set(selection.get("covariates", {})) - set(growth.get("covariates", {}))
    if unknown:
        problems.append(f"{where}.selection.covariates: unknown covariates {sorted(unknown)}")


def load_settings(path: str | Path | None = None) -> Settings:
    """Read and check a settings file (the shipped default when ``path`` is None).

    Parameters
    ----------
    path:
        A JSON settings file with the structure of ``data/simulation/default.json``.

    Returns
    -------
    dict
        The settings (a fresh copy the caller may modify).

    Raises
    ------
    InputError
        When the file is not valid JSON or a setting is missing or inconsistent;
        all problems are listed.

    Examples
    --------
    >>> settings = load_settings()
    >>> sorted(settings["samples"])
    ['EAP', 'ZP']
    >>> sum(settings["samples"]["EAP"]["patterns"]["ilb"].values())
    377
    """
    file = Path(path) if path is not None else default_settings_path()
    try:
        settings = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InputError(f"{file.name}: cannot read the simulation settings ({error}). Pass a valid JSON file.") from None
    return check_settings(settings, file.name)


def check_settings(settings: Settings, source: str = "settings") -> Settings:
    """Check a settings mapping (see :func:`load_settings`) and return a deep copy.

    Examples
    --------
    >>> check_settings({"seed": 1})
    Traceback (most recent call last):
    ...
    ilb_eval.exceptions.InputError: [INPUT] settings: 3 problem(s) in the simulation settings: ...
    """
    problems: list[str] = []
    _require(problems, settings, ("seed", "samples", "interviews", "sav"), "$")
    for name, cfg in settings.get("samples", {}).items():
        _check_sample(name, cfg, problems)
    if problems:
        raise InputError(f"{source}: {len(problems)} problem(s) in the simulation settings: " + "; ".join(problems))
    return copy.deepcopy(settings)
