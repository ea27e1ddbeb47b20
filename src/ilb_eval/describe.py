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
    ages = wide["age"].astype(float).dropna()
    wave, correlations = _correlations(study, panel, rule)
    persons = int(wide.shape[0])
    ilb_persons = int((wide["ilb"] == 1).sum())
    return {
        "persons": persons if rule.allows(persons) else None,
        "records": records if rule.allows(records) else None,
        "records_per_wave": {w: (n if rule.allows(n) else None) for w, n in per_wave.items()},
        "ilb_persons": ilb_persons if rule.allows(ilb_persons) else None,
        "female_share": _share(rule, wide["gender"].astype(float), float(demo["female_value"])),
        "degree_share": _share(rule, wide["education"].astype(float), float(demo["degree_value"])),
        "german_share": _share(rule, wide["citizenship"].astype(float), float(demo["german_value"])),
        "mean_age": rule.value(float(ages.mean()) if len(ages) else None, int(ages.shape[0])),
        "correlations_wave": wave,
        "correlations": correlations,
        "reuse_share": _reuse_share(study, panel, rule),
        "problems": list(dict.fromkeys(p.one_line() for p in panel.problems if p.severity != "note")),
    }


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
        waves = ", ".join(f"{w} {count(n)}" for w, n in s["records_per_wave"].items())
        lines.append(name)
        lines.append(f"  {labels[0]}: {count(s['persons'])}; {labels[1]}: {count(s['records'])} ({waves})")
        lines.append(f"  {labels[2]}: {count(s['ilb_persons'])}")
        lines.append(f"  {labels[3]}: {share(s['female_share'])}; {labels[4]}: {share(s['degree_share'])}; "
                     f"{labels[5]}: {share(s['german_share'])}")
        lines.append(f"  {labels[6]}: {hidden if s['mean_age'] is None else format_number(s['mean_age'], 1, lang)}")
        for c in s["correlations"]:
            value = hidden if c["r"] is None else f"{format_r(c['r'], c['p'], lang)} ({format_p(c['p'], lang)}, n = {count(c['n'])})"
            x_label, y_label = item_labels.get(c["x"], c["x"]), item_labels.get(c["y"], c["y"])
            lines.append(f"  {x_label} – {y_label}: {value}")
        lines.append(f"  {labels[7]}: {share(s['reuse_share'])}")
    return "\n".join(lines)
