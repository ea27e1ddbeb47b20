"""Person-level variables: time-constant values, binary covariates and the iLB group.

All functions work on a *long* frame of the analysed rows with the columns
``person`` (opaque number), ``wave`` (name), ``wave_pos`` (position in the
study's wave order), ``row`` (spreadsheet row) and the recoded fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilb_eval.exceptions import Problem
from ilb_eval.study import Covariate, Study

__all__ = [
    "PersonValues",
    "code_covariate",
    "first_per_person",
    "ilb_group",
    "person_values",
]


def code_covariate(
    values: pd.Series, covariate: Covariate, labels: Mapping[float | str, str] | None = None
) -> tuple[pd.Series, pd.Series]:
    """Code a source variable as the binary covariate the study defines.

    ``threshold`` coding: 1 where the value is at least ``at_least``, else 0.
    ``map`` coding: each listed category is mapped to 0 or 1; other categories
    (e.g. gender "divers") become NaN.

    Parameters
    ----------
    values
        The source values (missing codes already NaN).
    covariate
        The covariate of the study definition.
    labels
        Category labels of the source field (value -> label) used to name the
        reason of a category that is not coded.

    Returns
    -------
    coded, reason
        ``coded`` (float: 0, 1 or NaN) and ``reason`` (text, NA where coded:
        ``"missing"`` or ``"not coded: <label>"``).

    Examples
    --------
    >>> import pandas as pd
    >>> from ilb_eval.study import load_study
    >>> female = load_study("EAP").covariates[1]
    >>> coded, reason = code_covariate(pd.Series([1.0, 2.0, 3.0, None]), female, {3.0: "divers"})
    >>> coded.tolist(), reason.tolist()
    ([0.0, 1.0, nan, nan], [<NA>, <NA>, 'not coded: divers', 'missing'])
    """
    labels = dict(labels or {})
    coding = covariate.coding
    if coding["kind"] == "threshold":
        numbers = pd.to_numeric(values, errors="coerce").astype(float)
        coded = pd.Series(np.where(numbers >= float(coding["at_least"]), 1.0, 0.0), index=values.index)
        coded = coded.mask(numbers.isna())
        uncoded = pd.Series(False, index=values.index)
    else:
        numeric = pd.api.types.is_numeric_dtype(values)
        mapping = {(float(k) if numeric else str(k)): float(v) for k, v in coding["map"].items()}
        coded = values.map(mapping).astype(float)
        uncoded = values.notna() & coded.isna()
    reason = pd.Series(pd.NA, index=values.index, dtype=pd.StringDtype(na_value=pd.NA))
    reason[values.isna().to_numpy()] = "missing"
    for value in pd.unique(values[uncoded]):
        label = labels.get(value, f"{value:g}" if isinstance(value, float) else str(value))
        reason[(uncoded & (values == value)).to_numpy()] = f"not coded: {label}"
    return coded, reason


def first_per_person(long: pd.DataFrame, column: str, *, check_conflicts: bool) -> tuple[pd.Series, pd.DataFrame]:
    """The first non-missing value per person in wave order; conflicting persons get NaN.

    Parameters
    ----------
    long
        Columns ``person``, ``wave_pos``, ``row`` and ``column``.
    column
        The variable.
    check_conflicts
        If true, a person with two or more different non-missing values over
        the waves gets NaN and their rows are returned as conflicts. Age, which
        changes, is taken from the first wave without this check.

    Returns
    -------
    value, conflicts
        ``value`` indexed by person (all persons of ``long``); ``conflicts``
        with columns ``person``, ``wave_pos``, ``row`` (rows with a value, of
        the conflicting persons).

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"person": [1, 1, 2, 2], "wave_pos": [0, 1, 0, 2],
    ...                      "row": [2, 2, 3, 4], "gender": [None, 2.0, 1.0, 2.0]})
    >>> value, conflicts = first_per_person(long, "gender", check_conflicts=True)
    >>> value.tolist(), conflicts["row"].tolist()
    ([2.0, nan], [3, 4])
    """
    persons = pd.Index(pd.unique(long["person"]), name="person").sort_values()
    given = long.loc[long[column].notna(), ["person", "wave_pos", "row", column]].sort_values(["person", "wave_pos"])
    value = given.groupby("person")[column].first().reindex(persons)
    conflicts = given.iloc[0:0][["person", "wave_pos", "row"]]
    if check_conflicts and len(given):
        distinct = given.groupby("person")[column].nunique()
        bad = distinct.index[distinct > 1]
        if len(bad):
            value[bad] = np.nan
            conflicts = given.loc[given["person"].isin(bad), ["person", "wave_pos", "row"]]
    return value, conflicts.reset_index(drop=True)


@dataclass(frozen=True)
class PersonValues:
    """Time-constant person values: coded covariates, demographics, counts, problems.

    Attributes
    ----------
    covariates
        Indexed by person, one column per covariate (0/1/NaN).
    demographics
        Indexed by person, one column per ``study.demographics`` key that names
        a field (``age``, ``gender``, ``education``, ``citizenship``): the raw
        category value, age in years at the first wave it was answered.
    counts
        Tidy: ``covariate``, ``reason`` (``"coded"``, ``"missing"``,
        ``"conflicting waves"``, ``"not coded: <label>"``), ``persons``.
    problems
        One warning-level problem per source field and wave with conflicting
        values (waves and row numbers, never identifiers).
    """

    covariates: pd.DataFrame
    demographics: pd.DataFrame
    counts: pd.DataFrame
    problems: tuple[Problem, ...]


def _labels(study: Study, field: str) -> dict[float | str, str]:
    for wave in study.waves:
        if wave.table_schema.has_field(field):
            return dict(wave.table_schema.field(field).categories)
    return {}


def person_values(long: pd.DataFrame, study: Study) -> PersonValues:
    """Time-constant values per person from all waves, and the study's binary covariates.

    Every source field is taken as its first non-missing value in wave order.
    Except for age (``study.demographics["age"]``), a person whose values
    differ between waves (gender 1 at t1, 2 at t3) gets NaN for that field and
    every covariate coded from it; each such case is reported.

    Examples
    --------
    >>> import pandas as pd
    >>> from ilb_eval.study import load_study
    >>> eap = load_study("EAP")
    >>> long = pd.DataFrame({"person": [1, 1, 2], "wave": ["t1", "t3", "t1"], "wave_pos": [0, 1, 0],
    ...                      "row": [2, 2, 3], "age": [39.0, 41.0, None], "gender": [2.0, 2.0, 3.0],
    ...                      "abschluss": [1.0, 1.0, 2.0], "programm": [1.0, 1.0, 2.0],
    ...                      "staatsangehoerigkeit": [1.0, 1.0, 1.0]})
    >>> pv = person_values(long, eap)
    >>> pv.covariates  # doctest: +NORMALIZE_WHITESPACE
            age40  female  program  degree
    person
    1         0.0     1.0      0.0     0.0
    2         NaN     NaN      1.0     1.0
    """
    age_field = study.demographics.get("age")
    demographic_fields = {k: v for k, v in study.demographics.items() if isinstance(v, str)}
    sources = list(dict.fromkeys([c.source for c in study.covariates] + list(demographic_fields.values())))
    persons = pd.Index(pd.unique(long["person"]), name="person").sort_values()
    by_source: dict[str, pd.Series] = {}
    problems: list[Problem] = []
    conflicted: dict[str, set[int]] = {}
    for source in sources:
        if source not in long.columns:
            continue
        value, conflicts = first_per_person(long, source, check_conflicts=source != age_field)
        by_source[source] = value
        conflicted[source] = set(conflicts["person"].tolist())
        if conflicts.empty:
            continue
        uses = [c.name for c in study.covariates if c.source == source]
        waves_involved = [study.wave_names[p] for p in sorted(conflicts["wave_pos"].unique())]
        for pos in sorted(conflicts["wave_pos"].unique()):
            rows = conflicts.loc[conflicts["wave_pos"] == pos, "row"]
            problems.append(
                Problem(
                    code="CONFLICTING_VALUES",
                    message=(
                        f"{len(conflicted[source])} persons have different values of '{source}' across the waves "
                        f"{', '.join(waves_involved)}; it is set to missing for them"
                        + (f" (covariates {', '.join(uses)})" if uses else "")
                    ),
                    file=study.waves[int(pos)].file,
                    column=source,
                    rows=tuple(int(r) for r in rows),
                    expected="the same value at every wave",
                    found=f"values differing from another wave in wave {study.wave_names[int(pos)]}",
                    fix="check the linkage of these rows and correct the export",
                    severity="warning",
                )
            )
    covariates = pd.DataFrame(index=persons)
    counts = []
    for cov in study.covariates:
        source_values = by_source[cov.source]
        coded, reason = code_covariate(source_values, cov, _labels(study, cov.source))
        reason[source_values.index.isin(list(conflicted[cov.source]))] = "conflicting waves"
        covariates[cov.name] = coded
        tally = reason.fillna("coded").value_counts()
        for label in ["coded", "missing", "conflicting waves", *sorted(set(tally.index) - {"coded", "missing", "conflicting waves"})]:
            counts.append({"covariate": cov.name, "reason": label, "persons": int(tally.get(label, 0))})
    demographics = pd.DataFrame({key: by_source[field] for key, field in demographic_fields.items() if field in by_source},
                                index=persons)
    return PersonValues(
        covariates=covariates,
        demographics=demographics,
        counts=pd.DataFrame(counts, columns=["covariate", "reason", "persons"]),
        problems=tuple(problems),
    )


def ilb_group(long: pd.DataFrame, study: Study) -> tuple[pd.DataFrame, tuple[Problem, ...]]:
    """The iLB group (1) or control group (0) per person, with the wave of first use.

    ``study.ilb_use.kind == "reported"``: a person is in the iLB group if the
    field takes one of ``used_values`` at any of the person's waves up to
    ``up_to_wave``; ``ilb_first_wave`` is the earliest such wave. Everyone
    else is in the control group (0), including persons who never answered
    the question (counted in a note). ``"everyone"``: all persons are 1 and
    the first wave is the person's first wave. A study without ``ilb_use``
    (``None``: no iLB-use fields) says nothing about iLB use: ``ilb`` and
    ``ilb_first_wave`` are missing (``<NA>``) for everyone.

    Returns
    -------
    group, problems
        ``group`` indexed by person with ``ilb`` (int 0/1) and
        ``ilb_first_wave`` (wave name or NA).

    Examples
    --------
    >>> import pandas as pd
    >>> from ilb_eval.study import load_study
    >>> long = pd.DataFrame({"person": [1, 1, 2, 3], "wave": ["t1", "t3", "t1", "t4"],
    ...                      "wave_pos": [0, 1, 0, 2], "row": [2, 2, 3, 2],
    ...                      "ilb_genutzt": [0.0, 1.0, 0.0, None]})
    >>> group, problems = ilb_group(long, load_study("EAP"))
    >>> group  # doctest: +NORMALIZE_WHITESPACE
            ilb ilb_first_wave
    person
    1         1             t3
    2         0           <NA>
    3         0           <NA>
    >>> problems[0].code, problems[0].count
    ('ILB_USE_UNKNOWN', 1)
    """
    use = study.ilb_use
    persons = pd.Index(pd.unique(long["person"]), name="person").sort_values()
    text = pd.StringDtype(na_value=pd.NA)
    if use is None:
        unknown = pd.DataFrame({"ilb": pd.array([pd.NA] * len(persons), dtype="Int64"),
                                "ilb_first_wave": pd.array([pd.NA] * len(persons), dtype=text)}, index=persons)
        return unknown, ()
    if use.kind == "everyone":
        first = long.sort_values(["person", "wave_pos"]).groupby("person")["wave"].first().reindex(persons)
        group = pd.DataFrame({"ilb": np.ones(len(persons), dtype=np.int64), "ilb_first_wave": first.astype(text)},
                             index=persons)
        return group, ()
    field = str(use.field)
    limit = study.wave_names.index(str(use.up_to_wave))
    window = long.loc[long["wave_pos"] <= limit]
    used = window.loc[window[field].isin([float(v) for v in use.used_values])]
    first = used.sort_values(["person", "wave_pos"]).groupby("person")["wave"].first().reindex(persons)
    group = pd.DataFrame({"ilb": first.notna().astype(np.int64).to_numpy(), "ilb_first_wave": first.astype(text)},
                         index=persons)
    answered = window.loc[window[field].notna(), "person"].unique()
    unknown = long.loc[~long["person"].isin(answered)]
    n = unknown["person"].nunique()
    problems = tuple(
        Problem(
            code="ILB_USE_UNKNOWN",
            message=(
                f"{n} persons never answered '{field}' up to wave {use.up_to_wave}; "
                "they are counted in the control group"
            ),
            file=study.waves[int(pos)].file,
            column=field,
            rows=tuple(int(r) for r in sorted(rows["row"])),
            severity="note",
        )
        for pos, rows in unknown.groupby("wave_pos")
    )
    return group, problems
