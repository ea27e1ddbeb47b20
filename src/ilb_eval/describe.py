"""Describe a study's data: sample sizes, demographics, manager-support correlations, reuse.

The library function behind ``python -m ilb_eval describe``. The waves are
read by the io layer and linked by the prep layer, so persons are counted
after (tolerant) linkage. Every count, share, mean and correlation resting on
fewer persons than the study's ``min_cell_size`` is suppressed (``None``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ilb_eval.analysis.correlations import manager_correlations
from ilb_eval.analysis.ilb_feedback import reuse
from ilb_eval.formatting import (
    Lang,
    format_count,
    format_number,
    format_p,
    format_percent,
    format_r,
)
from ilb_eval.io import load_waves
from ilb_eval.prep import Panel, build_panel
from ilb_eval.privacy import CellRule
from ilb_eval.study import Study, load_study

__all__ = ["describe_panel", "describe_studies", "describe_text"]


def _share(rule: CellRule, values: pd.Series, target: float) -> float | None:
    known = values.dropna()
    return rule.share(int((known == target).sum()), int(known.shape[0]))


def _demographic_share(rule: CellRule, wide: pd.DataFrame, demo: dict[str, Any], column: str, key: str) -> float | None:
    """The share of one demographic value, or ``None`` when the study does not declare it (a generic study)."""
    if column not in wide or key not in demo:
        return None
    return _share(rule, wide[column].astype(float), float(demo[key]))


def _correlations(study: Study, panel: Panel, rule: CellRule) -> tuple[str | None, list[dict[str, Any]]]:
    """Manager support with each learning-culture item, as records ``{x, y, r, p, n}`` (suppressed: ``None``)."""
    block = study.item_blocks.get("manager_support")
    wave = block.waves[0] if block is not None else None
    records = []
    for row in manager_correlations(study, panel, rule).itertuples():
        shown = not row.suppressed and row.r == row.r
        records.append({
            "x": row.x, "y": row.y,
            "r": float(row.r) if shown else None, "p": float(row.pvalue) if shown else None,
            "n": int(row.n) if not row.suppressed else None,
        })
    return wave, records


def _reuse_share(study: Study, panel: Panel, rule: CellRule) -> float | None:
    """Share of iLB users whose last valid answer says they would use iLB again."""
    share = float(reuse(study, panel, rule)["share"])
    return None if share != share else share


def describe_panel(study: Study, panel: Panel) -> dict[str, Any]:
    """The description of one study from its panel (see :func:`describe_studies`).

    Examples
    --------
    >>> from ilb_eval.datasets import load_example_panel
    >>> summary = describe_panel(load_study("ZP"), load_example_panel("ZP"))
    >>> summary["persons"], summary["records_per_wave"]
    (488, {'t1': 444, 't3': 450, 't4': 423})
    """
    rule = CellRule(study.min_cell_size)
    wide = panel.wide
    demo = study.demographics
    per_wave = {row.wave: int(row.n_in) for row in panel.accounting.itertuples()}
    records = sum(per_wave.values())
    ages = wide["age"].astype(float).dropna() if "age" in wide else pd.Series(dtype=float)
    wave, correlations = _correlations(study, panel, rule)
    persons = int(wide.shape[0])
    ilb_persons = int((wide["ilb"] == 1).sum()) if study.ilb_use is not None else 0
    return {
        "persons": persons if rule.allows(persons) else None,
        "records": records if rule.allows(records) else None,
        "records_per_wave": {w: (n if rule.allows(n) else None) for w, n in per_wave.items()},
        "ilb_persons": ilb_persons if study.ilb_use is not None and rule.allows(ilb_persons) else None,
        "female_share": _demographic_share(rule, wide, demo, "gender", "female_value"),
        "degree_share": _demographic_share(rule, wide, demo, "education", "degree_value"),
        "german_share": _demographic_share(rule, wide, demo, "citizenship", "german_value"),
        "mean_age": rule.value(float(ages.mean()) if len(ages) else None, int(ages.shape[0])),
        "correlations_wave": wave,
        "correlations": correlations,
        "reuse_share": _reuse_share(study, panel, rule),
        "problems": list(dict.fromkeys(p.one_line() for p in panel.problems if p.severity != "note")),
        "not_declared": _not_declared(study, wide),
    }


def _not_declared(study: Study, wide: pd.DataFrame) -> list[str]:
    """The entries a generic study cannot have: its definition declares no iLB use, demographic or reuse block."""
    demo = study.demographics
    absent = [] if study.ilb_use is not None else ["ilb_persons"]
    for key, column, value in (("female_share", "gender", "female_value"), ("degree_share", "education", "degree_value"),
                               ("german_share", "citizenship", "german_value")):
        if column not in wide or value not in demo:
            absent.append(key)
    if "age" not in wide:
        absent.append("mean_age")
    if "reuse" not in study.item_blocks:
        absent.append("reuse_share")
    return absent


def describe_studies(studies: Sequence[str | Path | Study], data_dir: str | Path) -> dict[str, Any]:
    """Describe one or more studies whose wave files lie in ``data_dir``.

    Parameters
    ----------
    studies:
        Study names (``"EAP"``, ``"ZP"``), paths of ``.study.json`` files or loaded studies.
    data_dir:
        Folder with the wave export files.

    Returns
    -------
    dict
        One entry per study name (persons, records, records_per_wave,
        ilb_persons, female_share, degree_share, german_share, mean_age,
        correlations, reuse_share, problems: the panel's warnings as one line
        each, without identifier values) and, at the top level,
        ``correlations_t3`` (list of ``{x, y, r, p, n}``: manager support with
        each learning-culture item among iLB users, Pearson, two-sided,
        pairwise n; the key names the block's wave) and ``reuse_share``, both
        taken from the first study with a control group (EAP), else from the first study.

    Examples
    --------
    >>> from ilb_eval.resources import example_dir
    >>> summary = describe_studies(["EAP"], example_dir())
    >>> summary["EAP"]["persons"], summary["EAP"]["ilb_persons"]
    (1737, 377)
    """
    loaded = [s if isinstance(s, Study) else load_study(s) for s in studies]
    result: dict[str, Any] = {}
    for study in loaded:
        result[study.name] = describe_panel(study, build_panel(study, load_waves(study, data_dir)))
    if loaded:
        main = next((s for s in loaded if s.has_control_group), loaded[0])
        summary = result[main.name]
        result[f"correlations_{summary['correlations_wave'] or 't3'}"] = summary["correlations"]
        result["reuse_share"] = summary["reuse_share"]
    return result


def describe_text(summary: dict[str, Any], lang: Lang = "de", studies: Sequence[Study] = ()) -> str:
    """A short plain-text rendering of :func:`describe_studies` (German number style by default).

    Items are named by their labels in the ``studies``' definitions (the
    field names are shown for items no given study labels).

    Examples
    --------
    >>> print(describe_text({"EAP": {"persons": 12, "records": 20, "records_per_wave": {"t1": 12},
    ...     "ilb_persons": None, "female_share": None, "degree_share": 0.5, "german_share": None,
    ...     "mean_age": 38.25, "correlations": [], "reuse_share": None}}, lang="en"))
    EAP
      persons: 12; records: 20 (t1 12)
      iLB users: suppressed (n < min. cell size)
      female: suppressed (n < min. cell size); degree: 50%; German citizens: suppressed (n < min. cell size)
      mean age: 38.2
      would use iLB again: suppressed (n < min. cell size)
    """
    hidden = "unterdrückt (n < Mindestzellgröße)" if lang == "de" else "suppressed (n < min. cell size)"

    def count(value: int | None) -> str:
        return hidden if value is None else format_count(value, lang)

    def share(value: float | None) -> str:
        return hidden if value is None else format_percent(value, 0, lang)

    labels = {
        "de": ("Personen", "Datensätze", "iLB-Nutzende", "weiblich", "Studium", "deutsche Staatsangehörigkeit",
               "Durchschnittsalter", "würden die iLB erneut nutzen"),
        "en": ("persons", "records", "iLB users", "female", "degree", "German citizens",
               "mean age", "would use iLB again"),
    }[lang]
    item_labels = {item.field: item.label[lang] for study in studies
                   for block in study.item_blocks.values() for item in block.items}
    lines = []
    for name, s in summary.items():
        if not isinstance(s, dict):
            continue
        absent = set(s.get("not_declared", ()))  # parts the study definition does not declare are left out
        waves = ", ".join(f"{w} {count(n)}" for w, n in s["records_per_wave"].items())
        lines.append(name)
        lines.append(f"  {labels[0]}: {count(s['persons'])}; {labels[1]}: {count(s['records'])} ({waves})")
        if "ilb_persons" not in absent:
            lines.append(f"  {labels[2]}: {count(s['ilb_persons'])}")
        shares = [f"{label}: {share(s[key])}" for label, key in zip(labels[3:6], ("female_share", "degree_share",
                                                                                 "german_share"), strict=True)
                  if key not in absent]
        if shares:
            lines.append("  " + "; ".join(shares))
        if "mean_age" not in absent:
            lines.append(f"  {labels[6]}: {hidden if s['mean_age'] is None else format_number(s['mean_age'], 1, lang)}")
        for c in s["correlations"]:
            value = hidden if c["r"] is None else f"{format_r(c['r'], c['p'], lang)} ({format_p(c['p'], lang)}, n = {count(c['n'])})"
            x_label, y_label = item_labels.get(c["x"], c["x"]), item_labels.get(c["y"], c["y"])
            lines.append(f"  {x_label} – {y_label}: {value}")
        if "reuse_share" not in absent:
            lines.append(f"  {labels[7]}: {share(s['reuse_share'])}")
    return "\n".join(lines)
