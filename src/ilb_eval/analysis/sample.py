"""Sample and response: persons per wave and group, attrition flow, demographics, under disclosure control.

:func:`sample_tables` is what the report publishes: persons per wave and
group, attrition, the sample table and the number of records, with primary
and secondary suppression over all of them at once (they share totals: the
persons of a wave are those retained plus those dropped out, a group's
answers add up to the total's). A group with fewer than ``min_cell_size``
persons is not shown apart: its numbers and those of the other group are
suppressed, and response and attrition are shown for everyone together.

:func:`response`, :func:`attrition` and :func:`demographic_counts` are the
raw counts behind them (never published as they are).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilb_eval.analysis.models import single_group
from ilb_eval.prep import Panel
from ilb_eval.privacy import CellRule, Relation, protect
from ilb_eval.study import Study

__all__ = ["GROUPS", "SampleTables", "attrition", "characteristics", "demographic_counts", "demographics",
           "group_of", "groups", "response", "sample_tables"]

#: Group codes of a study with control group (without one: :func:`groups`).
GROUPS: tuple[str, ...] = ("ilb", "control")


def groups(study: Study) -> tuple[str, ...]:
    """The group codes of a study: ``("ilb", "control")``, or its one group without control group."""
    return GROUPS if study.has_control_group else (single_group(study),)


def group_of(study: Study, wide: pd.DataFrame) -> pd.Series:
    """``"ilb"`` or ``"control"`` per person; without a control group everyone is in
    :func:`~ilb_eval.analysis.models.single_group` (``"ilb"`` when all used iLB, else ``"total"``)."""
    if not study.has_control_group:
        return pd.Series(single_group(study), index=wide.index)
    return wide["ilb"].astype(float).map({1.0: "ilb"}).fillna("control")


def _parts(study: Study, wide: pd.DataFrame, *, split: bool = True) -> list[tuple[str, pd.DataFrame]]:
    """``(group, persons)`` for each group (``split``) or everyone as ``total``."""
    if not split:
        return [("total", wide)]
    membership = group_of(study, wide)
    return [(g, wide[membership == g]) for g in groups(study)]


def response(study: Study, panel: Panel, *, split: bool = True) -> pd.DataFrame:
    """Persons per wave and group (``split=False``: everyone as group ``total``).

    Returns
    -------
    DataFrame
        Columns ``sample``, ``wave``, ``group``, ``n`` (persons answering that wave).
    """
    rows = []
    for wave in study.wave_names:
        for group, part in _parts(study, panel.wide, split=split):
            present = part[f"present_{wave}"].astype(bool) if f"present_{wave}" in part else pd.Series(False, index=part.index)
            rows.append({"sample": study.name, "wave": wave, "group": group, "n": int(present.sum())})
    return pd.DataFrame(rows, columns=["sample", "wave", "group", "n"])


def attrition(study: Study, panel: Panel, *, split: bool = True) -> pd.DataFrame:
    """Attrition between consecutive waves: retained, dropped out, newly joined.

    Returns
    -------
    DataFrame
        Columns ``sample``, ``group``, ``from_wave``, ``to_wave``, ``status``
        (``retained``, ``dropped``, ``joined``), ``n`` (persons).
    """
    waves = list(study.wave_names)
    rows = []
    for group, part in _parts(study, panel.wide, split=split):
        for a, b in zip(waves[:-1], waves[1:], strict=True):
            in_a = part[f"present_{a}"].astype(bool)
            in_b = part[f"present_{b}"].astype(bool)
            for status, mask in (("retained", in_a & in_b), ("dropped", in_a & ~in_b),
                                 ("joined", ~in_a & in_b)):
                rows.append({"sample": study.name, "group": group, "from_wave": a, "to_wave": b,
                             "status": status, "n": int(mask.sum())})
    return pd.DataFrame(rows, columns=["sample", "group", "from_wave", "to_wave", "status", "n"])


def characteristics(study: Study) -> list[tuple[str, str, float, dict[str, str]]]:
    """The shares of the sample table: ``(key, person column, value counted, label)``.

    From the study's demographics (gender, education, citizenship with the
    value that counts: ``female_value``, ``degree_value``, ``german_value``)
    and its binary covariates that are not coded from those fields (share of
    level 1, labelled by the covariate's label).

    >>> from ilb_eval.study import load_study
    >>> [(key, column) for key, column, _, _ in characteristics(load_study("EAP"))]
    [('female', 'gender'), ('degree', 'education'), ('german', 'citizenship'), ('age40', 'age40'), ('program', 'program')]
    """
    demo = study.demographics
    out: list[tuple[str, str, float, dict[str, str]]] = []
    used = set()
    for key, column, value_key, label in (
            ("female", "gender", "female_value", {"de": "Anteil weiblich", "en": "Share female"}),
            ("degree", "education", "degree_value", {"de": "Anteil mit Studium", "en": "Share with a degree"}),
            ("german", "citizenship", "german_value", {"de": "Anteil deutsche Staatsangehörigkeit",
                                                       "en": "Share German citizens"})):
        if isinstance(demo.get(column), str) and value_key in demo:
            out.append((key, column, float(demo[value_key]), label))
            used.add(demo[column])
    for cov in study.covariates:
        if cov.source in used:
            continue
        en = cov.label["en"]
        out.append((cov.name, cov.name, 1.0, {"de": f"Anteil {cov.label['de']}",
                                              "en": f"Share {en[:1].lower() + en[1:]}"}))
    return out


def demographic_counts(study: Study, panel: Panel) -> pd.DataFrame:
    """The raw counts behind the sample table, per group and in total (with a control group).

    Returns
    -------
    DataFrame
        Columns ``group``, ``characteristic`` (``persons``, the keys of
        :func:`characteristics`, ``mean_age``), ``label_de``, ``label_en``,
        ``count`` (persons; for shares those with the value counted; for the
        mean age the sum of ages), ``base`` (persons with a valid answer).
    """
    wide = panel.wide
    parts = _parts(study, wide)
    if study.has_control_group:
        parts.append(("total", wide))
    shares = characteristics(study)
    labels = {"persons": {"de": "Personen", "en": "Persons"},
              "mean_age": {"de": "Durchschnittsalter (Jahre)", "en": "Mean age (years)"},
              **{key: label for key, _, _, label in shares}}
    rows = []
    for group, part in parts:
        rows.append({"group": group, "characteristic": "persons", "count": float(len(part)), "base": len(part)})
        for key, column, target, _ in shares:
            if column in part:
                known = part[column].astype(float).dropna()
                rows.append({"group": group, "characteristic": key, "count": float((known == target).sum()),
                             "base": int(len(known))})
        if "age" in part and isinstance(study.demographics.get("age"), str):
            ages = part["age"].astype(float).dropna()
            rows.append({"group": group, "characteristic": "mean_age", "count": float(ages.sum()),
                         "base": int(len(ages))})
    frame = pd.DataFrame(rows, columns=["group", "characteristic", "count", "base"])
    frame["label_de"] = frame["characteristic"].map(lambda c: labels[c]["de"])
    frame["label_en"] = frame["characteristic"].map(lambda c: labels[c]["en"])
    return frame[["group", "characteristic", "label_de", "label_en", "count", "base"]]


@dataclass(frozen=True)
class SampleTables:
    """What the report publishes about the sample, after disclosure control (NaN = suppressed).

    Attributes
    ----------
    response, attrition:
        As :func:`response` and :func:`attrition`; per group, or for
        everyone (group ``total``) when the groups are not shown apart.
    demographics:
        ``sample``, ``group``, ``characteristic``, ``label_de``,
        ``label_en``, ``value`` (count, share 0..1 or years), ``n`` (base).
    records:
        Records analysed over all waves (persons per wave, summed).
    split:
        Whether the groups are shown apart (every group has at least
        ``min_cell_size`` persons).
    """

    response: pd.DataFrame
    attrition: pd.DataFrame
    demographics: pd.DataFrame
    records: float
    split: bool


def sample_tables(study: Study, panel: Panel, rule: CellRule) -> SampleTables:
    """The sample's published tables: raw counts, then primary and secondary suppression over all of them.

    Examples
    --------
    >>> import warnings; warnings.simplefilter("ignore")
    >>> from ilb_eval.datasets import load_example_panel
    >>> from ilb_eval.study import load_study
    >>> tables = sample_tables(load_study("EAP"), load_example_panel("EAP"), CellRule(10))
    >>> tables.split, tables.records
    (True, 2467.0)
    >>> d = tables.demographics.set_index(["group", "characteristic"])["value"]
    >>> round(float(d["ilb", "german"]), 3), round(float(d["control", "german"]), 3), round(float(d["total", "german"]), 3)
    (0.952, 0.968, 0.965)
    """
    counts = demographic_counts(study, panel)
    persons = counts[counts["characteristic"] == "persons"].set_index("group")["count"]
    split = not study.has_control_group or all(rule.allows(persons.get(g, 0)) for g in GROUPS)
    resp = response(study, panel, split=split)
    att = attrition(study, panel, split=split)
    cells: dict[tuple, float] = {}
    relations: list[Relation] = []
    counted: set[tuple] = set()
    marked: set[tuple] = set()

    def cell(key: tuple, value: float, *, count: bool = True) -> tuple:
        cells[key] = float(value)
        if count:
            counted.add(key)
        return key

    present = {(r.group, r.wave): cell(("present", r.group, r.wave), r.n) for r in resp.itertuples()}
    relations.append(Relation(cell(("records",), sum(resp["n"])), tuple(present.values())))
    for r in att.itertuples():
        cell(("attrition", r.group, r.from_wave, r.to_wave, r.status), r.n)
    for (group, a, b), _ in att.groupby(["group", "from_wave", "to_wave"], sort=False):
        key = ("attrition", group, a, b)
        relations.append(Relation(present[(group, a)], (key + ("retained",), key + ("dropped",))))
        relations.append(Relation(present[(group, b)], (key + ("retained",), key + ("joined",))))
    for r in counts.itertuples():
        if r.characteristic == "persons":
            cell(("persons", r.group), r.count)
        elif r.characteristic == "mean_age":
            cell(("age_sum", r.group), r.count, count=False)
            cell(("age_n", r.group), r.base)
            if not rule.allows(r.base):
                marked.add(("age_sum", r.group))
        else:
            yes = cell(("yes", r.group, r.characteristic), r.count)
            no = cell(("no", r.group, r.characteristic), r.base - r.count)
            relations.append(Relation(cell(("base", r.group, r.characteristic), r.base), (yes, no)))
    if study.has_control_group:
        for key in {k[:1] + k[2:] for k in cells if len(k) >= 2 and k[1] == "total" and k[0] != "present"}:
            relations.append(Relation(key[:1] + ("total",) + key[1:],
                                      tuple(key[:1] + (g,) + key[1:] for g in GROUPS)))
    if not split:  # a group below the rule: neither group is shown apart
        marked |= {k for k in cells if len(k) >= 2 and k[1] in GROUPS}
    hidden = protect(cells, relations, rule, counts=counted, primary=marked)

    def shown(key: tuple) -> float:
        return np.nan if key in hidden else cells[key]

    resp = resp.assign(n=[shown(("present", r.group, r.wave)) for r in resp.itertuples()])
    att = att.assign(n=[shown(("attrition", r.group, r.from_wave, r.to_wave, r.status)) for r in att.itertuples()])
    rows = []
    for r in counts.itertuples():
        g, ch = r.group, r.characteristic
        if ch == "persons":
            value = n = shown(("persons", g))
        elif ch == "mean_age":
            n = shown(("age_n", g))
            value = np.nan if ("age_sum", g) in hidden or not r.base else r.count / r.base
        else:
            keys = [(part, g, ch) for part in ("yes", "no", "base")]
            n = shown(("base", g, ch))
            value = np.nan if any(k in hidden for k in keys) else r.count / r.base
        rows.append({"sample": study.name, "group": g, "characteristic": ch, "label_de": r.label_de,
                     "label_en": r.label_en, "value": value, "n": n})
    demo = pd.DataFrame(rows, columns=["sample", "group", "characteristic", "label_de", "label_en", "value", "n"])
    return SampleTables(resp, att, demo, shown(("records",)), split)


def demographics(study: Study, panel: Panel, rule: CellRule) -> pd.DataFrame:
    """The sample table as the report publishes it (see :func:`sample_tables`).

    Returns
    -------
    DataFrame
        Columns ``sample``, ``group`` (``ilb``, ``control``, ``total``; one
        group without control group), ``characteristic`` (``persons``, the keys
        of :func:`characteristics`, ``mean_age``), ``label_de``, ``label_en``,
        ``value`` (count, share 0..1 or years; NaN = suppressed or not
        available) and ``n`` (the base; NaN = suppressed).
    """
    return sample_tables(study, panel, rule).demographics
