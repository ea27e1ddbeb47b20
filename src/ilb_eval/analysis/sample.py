"""Sample and response: persons per wave and group, attrition flow, demographics.

All functions take a study and its :class:`~ilb_eval.prep.Panel` and return
tidy DataFrames of raw numbers (no formatting). Counts are persons after
linkage; the minimum cell size rule is applied where the numbers are shown
(figures, tables), except for shares, which are computed through
:meth:`ilb_eval.privacy.CellRule.share` here (``NaN`` = suppressed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ilb_eval.prep import Panel
from ilb_eval.privacy import CellRule
from ilb_eval.study import Study

__all__ = ["GROUPS", "attrition", "demographics", "group_of", "response"]

#: Group codes used in every table and figure.
GROUPS: tuple[str, ...] = ("ilb", "control")


def group_of(study: Study, wide: pd.DataFrame) -> pd.Series:
    """``"ilb"`` or ``"control"`` per person (everyone is ``"ilb"`` without a control group)."""
    if not study.has_control_group:
        return pd.Series("ilb", index=wide.index)
    return wide["ilb"].astype(float).map({1.0: "ilb"}).fillna("control")


def response(study: Study, panel: Panel) -> pd.DataFrame:
    """Persons per wave and group.

    Returns
    -------
    DataFrame
        Columns ``sample``, ``wave``, ``group``, ``n`` (persons answering
        that wave), ``records`` (rows of the wave file analysed, all groups).
    """
    wide = panel.wide
    groups = group_of(study, wide)
    records = {row.wave: int(row.n_analysed) for row in panel.accounting.itertuples()}
    rows = []
    for wave in study.wave_names:
        present = wide[f"present_{wave}"].astype(bool) if f"present_{wave}" in wide else pd.Series(False, index=wide.index)
        for group in GROUPS:
            if group == "control" and not study.has_control_group:
                continue
            rows.append({"sample": study.name, "wave": wave, "group": group,
                         "n": int((present & (groups == group)).sum()),
                         "records": records.get(wave, 0)})
    return pd.DataFrame(rows, columns=["sample", "wave", "group", "n", "records"])


def attrition(study: Study, panel: Panel) -> pd.DataFrame:
    """Attrition between consecutive waves: retained, dropped out, newly joined.

    Returns
    -------
    DataFrame
        Columns ``sample``, ``group``, ``from_wave``, ``to_wave``, ``status``
        (``retained``, ``dropped``, ``joined``), ``n`` (persons).
    """
    wide = panel.wide
    groups = group_of(study, wide)
    waves = list(study.wave_names)
    rows = []
    for group in GROUPS:
        if group == "control" and not study.has_control_group:
            continue
        part = wide[groups == group]
        for a, b in zip(waves[:-1], waves[1:], strict=True):
            in_a = part[f"present_{a}"].astype(bool)
            in_b = part[f"present_{b}"].astype(bool)
            for status, mask in (("retained", in_a & in_b), ("dropped", in_a & ~in_b),
                                 ("joined", ~in_a & in_b)):
                rows.append({"sample": study.name, "group": group, "from_wave": a, "to_wave": b,
                             "status": status, "n": int(mask.sum())})
    return pd.DataFrame(rows, columns=["sample", "group", "from_wave", "to_wave", "status", "n"])


def _share(rule: CellRule, values: pd.Series, target: float) -> tuple[float, int]:
    known = values.astype(float).dropna()
    share = rule.share(int((known == target).sum()), int(known.shape[0]))
    return (np.nan if share is None else share), int(known.shape[0])


def demographics(study: Study, panel: Panel, rule: CellRule) -> pd.DataFrame:
    """The sample table: persons, shares and mean age per group and in total.

    Returns
    -------
    DataFrame
        Columns ``sample``, ``group`` (``ilb``, ``control``, ``total``),
        ``characteristic`` (``persons``, ``female``, ``degree``, ``german``,
        ``age40``, ``program``, ``mean_age``), ``value`` (count, share 0..1 or
        years; NaN = suppressed or not available) and ``n`` (the base).
    """
    wide = panel.wide
    demo = study.demographics
    groups = group_of(study, wide)
    parts = [(g, wide[groups == g]) for g in GROUPS if (g == "ilb" or study.has_control_group)]
    if study.has_control_group:
        parts.append(("total", wide))
    rows = []
    for group, part in parts:
        n = int(part.shape[0])
        rows.append({"characteristic": "persons", "group": group, "value": float(n), "n": n})
        for name, column, target in (("female", "gender", demo["female_value"]),
                                     ("degree", "education", demo["degree_value"]),
                                     ("german", "citizenship", demo["german_value"]),
                                     ("age40", "age40", 1), ("program", "program", 1)):
            if column not in part:
                continue
            value, base = _share(rule, part[column], float(target))
            rows.append({"characteristic": name, "group": group, "value": value, "n": base})
        ages = part["age"].astype(float).dropna() if "age" in part else pd.Series(dtype=float)
        mean = float(ages.mean()) if rule.allows(len(ages)) else np.nan
        rows.append({"characteristic": "mean_age", "group": group, "value": mean, "n": int(len(ages))})
    frame = pd.DataFrame(rows)
    frame.insert(0, "sample", study.name)
    return frame[["sample", "group", "characteristic", "value", "n"]]
