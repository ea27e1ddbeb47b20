"""The analysis panel: all waves linked to persons, wide and long, with full accounting."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilb_eval.exceptions import InputError, MissingDataWarning, Problem
from ilb_eval.prep.covariates import ilb_group, person_values
from ilb_eval.prep.linkage import Linkage, link_waves
from ilb_eval.prep.missing import recode_missing
from ilb_eval.prep.scales import scale_items, score_scales
from ilb_eval.study import Study

__all__ = ["EXCLUSION_REASONS", "Panel", "build_panel", "growth_data"]

#: Why an input row is not analysed, in the order they are applied.
EXCLUSION_REASONS: tuple[str, ...] = ("no_answers", "missing_code", "duplicate_code")


@dataclass(frozen=True)
class Panel:
    """All waves of a study, linked to persons (see :func:`build_panel`).

    Attributes
    ----------
    study
        Name of the study ("EAP").
    waves, time_scores
        Wave names in study order and their time scores.
    covariates
        Names of the study's covariates (columns of ``wide`` and ``long``).
    wide
        One row per person: ``person`` (opaque number 1..N), the covariates,
        the demographics (``age``, ``gender``, ``education``, ``citizenship``:
        time-constant raw values, age at the first wave it was answered),
        ``ilb``, ``ilb_first_wave``, per wave ``present_<wave>``,
        ``<scale>_<wave>`` for every scale at the waves it is measured, the
        item-block items ``<field>_<wave>`` at the block's waves and the iLB
        detail fields ``<field>_<wave>``.
    long
        One row per analysed wave row: ``person``, ``wave``, ``time_score``,
        ``row`` (spreadsheet row of that wave's file), one column per scale,
        the covariates, ``ilb``, ``ilb_first_wave``.
    linkage
        Per wave pair: exact, tolerant and unmatched counts
        (:data:`ilb_eval.prep.LINKAGE_COLUMNS`).
    exclusions
        Tidy ``wave``, ``reason`` (:data:`EXCLUSION_REASONS`), ``rows``.
    accounting
        Per wave ``n_in``, ``n_analysed``, ``n_excluded``; ``n_in ==
        n_analysed + n_excluded`` is checked when the panel is built.
    scale_counts
        Per scale and wave: ``n_rows``, ``n_scored``, ``n_below_min_valid``,
        ``n_no_items``.
    covariate_counts
        Per covariate: persons by ``reason`` (coded, missing, conflicting
        waves, not coded: <category>).
    missing
        Per wave and field the number of analysed rows by ``reason``: the
        label of a declared missing code, or ``"empty"`` (blank in the export).
    items
        Per wave the reverse-keyed scale items of the analysed rows (index =
        row numbers) with a ``person`` column: the input of
        :func:`ilb_eval.prep.reliability`.
    problems
        Warning- and note-level problems (duplicate or missing identifiers,
        conflicting demographics, unknown iLB use). No identifier values.
    """

    study: str
    waves: tuple[str, ...]
    time_scores: tuple[float, ...]
    covariates: tuple[str, ...]
    wide: pd.DataFrame
    long: pd.DataFrame
    linkage: pd.DataFrame
    exclusions: pd.DataFrame
    accounting: pd.DataFrame
    scale_counts: pd.DataFrame
    covariate_counts: pd.DataFrame
    missing: pd.DataFrame
    items: dict[str, pd.DataFrame]
    problems: tuple[Problem, ...]


def _check_input(study: Study, waves: Mapping[str, pd.DataFrame]) -> None:
    problems = []
    for name in sorted(set(waves) - set(study.wave_names)):
        problems.append(Problem(code="UNKNOWN_WAVE", message=f"'{name}' is not a wave of study {study.name}",
                                fix=f"pass the waves {list(study.wave_names)}"))
    for wave in study.waves:
        if wave.name not in waves:
            problems.append(Problem(code="MISSING_WAVE", message=f"wave '{wave.name}' was not passed", file=wave.file,
                                    fix="pass every wave of the study (the io layer's load_waves does)"))
            continue
        absent = [f for f in wave.table_schema.field_names if f not in waves[wave.name].columns]
        if absent:
            problems.append(Problem(code="MISSING_COLUMN", message=f"declared columns are missing: {', '.join(absent)}",
                                    file=wave.file, fix="pass the wave as the io layer returns it"))
    if problems:
        raise InputError(problems)


def _missing_counts(wave: str, values: pd.DataFrame, reasons: pd.DataFrame, skip: str) -> list[dict[str, object]]:
    fields = [c for c in values.columns if c != skip]
    coded = reasons[fields].melt(var_name="field", value_name="reason").dropna()
    tally = coded.groupby(["field", "reason"], sort=False).size()
    rows = [{"wave": wave, "field": f, "reason": str(r), "n": int(n)} for (f, r), n in tally.items()]
    empty = (values[fields].isna() & reasons[fields].isna()).sum()
    rows += [{"wave": wave, "field": f, "reason": "empty", "n": int(n)} for f, n in empty.items() if n]
    return sorted(rows, key=lambda r: fields.index(str(r["field"])))


def build_panel(study: Study, waves: Mapping[str, pd.DataFrame]) -> Panel:
    """Recode, score, link and reshape all waves of a study into one panel.

    Steps: declared missing codes -> NaN (:func:`~ilb_eval.prep.recode_missing`);
    rows without any answer are excluded (``no_answers``); the remaining rows
    are linked to persons (:func:`~ilb_eval.prep.link_waves`; rows without or
    with a duplicated identifier are excluded); scale scores per wave
    (:func:`~ilb_eval.prep.score_scales`); time-constant covariates and the
    iLB group per person. Persons seen in one wave only stay in the panel
    (full-information estimation uses them). Every input row is either
    analysed or excluded with a counted reason.

    Parameters
    ----------
    study
        The study definition; everything, including new waves, comes from it.
    waves
        One frame per wave name, as the io layer delivers it (declared
        columns, missing codes still present, index = row numbers); objects
        with a ``frame`` attribute (the io layer's ``WaveTable``) are accepted.

    Returns
    -------
    Panel

    Raises
    ------
    InputError
        When a wave is missing or unknown, or declared columns are absent, or
        a scale item lies outside its range, or a wave links to almost nobody
        (``UNLINKED_WAVE``, see :data:`ilb_eval.prep.linkage.MIN_LINKED_SHARE`).

    Warns
    -----
    MissingDataWarning
        When rows are excluded or values set to missing for data problems
        (the problems are also in :attr:`Panel.problems`).

    Examples
    --------
    >>> import pandas as pd
    >>> from ilb_eval.study import load_study
    >>> zp = load_study("ZP")
    >>> def wave(name, codes):
    ...     schema = zp.wave(name).table_schema
    ...     data = {f.name: [3.0] * len(codes) for f in schema.fields}
    ...     data.update(code=codes, age=[45.0] * len(codes))
    ...     return pd.DataFrame(data, index=pd.Index(range(2, 2 + len(codes)), name="row"))
    >>> panel = build_panel(zp, {"t1": wave("t1", ["A1", "B2"]), "t3": wave("t3", ["a1"]),
    ...                          "t4": wave("t4", ["C3"])})
    >>> panel.wide[["person", "present_t1", "present_t3", "present_t4", "ilb"]]
       person  present_t1  present_t3  present_t4  ilb
    0       1        True        True       False    1
    1       2        True       False       False    1
    2       3       False       False        True    1
    >>> panel.accounting["n_analysed"].tolist()
    [2, 1, 1]
    """
    waves = {name: getattr(frame, "frame", frame) for name, frame in waves.items()}
    _check_input(study, waves)
    recoded = {w.name: recode_missing(waves[w.name], w.table_schema) for w in study.waves}
    answered = {name: values.drop(columns=[study.person_id.field]).notna().any(axis=1)
                for name, (values, _) in recoded.items()}
    linkage = link_waves(study, {name: values.loc[answered[name]] for name, (values, _) in recoded.items()})
    exclusions, accounting = _account(study, waves, answered, linkage)

    long_parts, field_parts, scale_counts, missing_rows, items = [], [], [], [], {}
    data_problems: list[Problem] = []
    for pos, wave in enumerate(study.waves):
        person = linkage.persons[wave.name]
        values, reasons = (frame.loc[person.index] for frame in recoded[wave.name])
        scores = score_scales(values, study, wave.name)
        scale_counts += scores.attrs["scale_counts"]
        data_problems += _empty_scales(study, wave.name, scores.attrs["scale_counts"], person.index)
        missing_rows += _missing_counts(wave.name, values, reasons, study.person_id.field)
        items[wave.name] = pd.concat([person, *(scale_items(values, s) for s in study.scales if wave.name in s.waves)],
                                     axis=1)
        base = pd.DataFrame({"person": person.to_numpy(), "wave": wave.name, "wave_pos": pos,
                             "time_score": wave.time_score, "row": person.index.to_numpy()})
        long_parts.append(pd.concat([base, scores.reset_index(drop=True)], axis=1))
        sources = [f for f in _person_sources(study) if f in values.columns]
        field_parts.append(pd.concat([base, values[sources].reset_index(drop=True)], axis=1))
    long = pd.concat(long_parts, ignore_index=True)
    fields_long = pd.concat(field_parts, ignore_index=True)

    values_per_person = person_values(fields_long, study)
    group, ilb_problems = ilb_group(fields_long, study)
    persons = pd.Index(np.arange(1, linkage.n_persons + 1), name="person")
    person_level = pd.concat([values_per_person.covariates, values_per_person.demographics, group], axis=1)
    person_level = person_level.reindex(persons)
    wide = _wide(study, person_level, long, {name: values for name, (values, _) in recoded.items()}, linkage.persons)
    long = long.merge(person_level[[*study.covariate_names, "ilb", "ilb_first_wave"]],
                      left_on="person", right_index=True, how="left")
    long = long.sort_values(["person", "wave_pos"]).drop(columns="wave_pos").reset_index(drop=True)

    problems = (*linkage.problems, *data_problems, *values_per_person.problems, *ilb_problems)
    serious = [p for p in problems if p.severity != "note"]
    if serious:
        warnings.warn(
            MissingDataWarning(
                f"build_panel: {len(serious)} data problem(s) excluded rows or set values to missing "
                f"(see Panel.problems); first: {serious[0].one_line()}"
            ),
            stacklevel=2,
        )
    return Panel(
        study=study.name,
        waves=study.wave_names,
        time_scores=study.time_scores,
        covariates=study.covariate_names,
        wide=wide,
        long=long,
        linkage=linkage.table,
        exclusions=exclusions,
        accounting=accounting,
        scale_counts=pd.DataFrame(scale_counts),
        covariate_counts=values_per_person.counts,
        missing=pd.DataFrame(missing_rows, columns=["wave", "field", "reason", "n"]),
        items=items,
        problems=problems,
    )


def _empty_scales(study: Study, wave: str, counts: list[dict[str, object]], rows: pd.Index) -> list[Problem]:
    """EMPTY_SCALE: a scale with no valid item in any analysed row of the wave (nothing to score)."""
    problems = []
    for record in counts:
        n_rows = int(record["n_rows"])  # type: ignore[call-overload]
        if n_rows and int(record["n_no_items"]) == n_rows:  # type: ignore[call-overload]
            scale = study.scale(str(record["scale"]))
            problems.append(Problem(
                code="EMPTY_SCALE",
                message=f"every item of scale '{scale.name}' ({', '.join(scale.items)}) is missing in every row; "
                "the scale has no score at this wave",
                file=study.wave(wave).file, column=scale.items[0], rows=tuple(int(r) for r in rows),
                expected=f"at least {scale.min_valid} valid items per row", found="no valid item in any row",
                fix="check that the export contains the answers to these items (not only missing codes or "
                "empty cells), or leave the scale out of this wave in the study definition",
                severity="warning",
            ))
    return problems


def _account(
    study: Study, waves: Mapping[str, pd.DataFrame], answered: Mapping[str, pd.Series], linkage: Linkage
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Exclusions by reason and the per-wave accounting; checks n_in == n_analysed + n_excluded."""
    excluded_by = linkage.excluded.groupby(["wave", "reason"]).size()
    exclusions, accounting = [], []
    for wave in study.wave_names:
        counts = {"no_answers": int((~answered[wave]).sum())}
        counts.update({r: int(excluded_by.get((wave, r), 0)) for r in EXCLUSION_REASONS[1:]})
        n_in, n_analysed = len(waves[wave]), len(linkage.persons[wave])
        if n_in != n_analysed + sum(counts.values()):
            raise AssertionError(f"wave {wave}: {n_in} rows in, {n_analysed} analysed, {counts} excluded")
        exclusions += [{"wave": wave, "reason": r, "rows": counts[r]} for r in EXCLUSION_REASONS]
        accounting.append({"wave": wave, "n_in": n_in, "n_analysed": n_analysed, "n_excluded": sum(counts.values())})
    return (
        pd.DataFrame(exclusions, columns=["wave", "reason", "rows"]),
        pd.DataFrame(accounting, columns=["wave", "n_in", "n_analysed", "n_excluded"]),
    )


def _person_sources(study: Study) -> list[str]:
    """Fields the person-level values come from: covariate sources, demographics, the iLB use field."""
    return list(dict.fromkeys(
        [c.source for c in study.covariates]
        + [v for v in study.demographics.values() if isinstance(v, str)]
        + ([str(study.ilb_use.field)] if study.ilb_use is not None and study.ilb_use.kind == "reported" else [])
    ))


def _wide(
    study: Study,
    person_level: pd.DataFrame,
    long: pd.DataFrame,
    recoded: Mapping[str, pd.DataFrame],
    linked: Mapping[str, pd.Series],
) -> pd.DataFrame:
    """One row per person: person-level values, then per wave presence, scores, block and detail fields."""
    persons = person_level.index
    parts = [person_level]
    for pos, wave in enumerate(study.waves):
        person = linked[wave.name]
        values = recoded[wave.name].loc[person.index].set_index(person.to_numpy())
        columns: dict[str, object] = {f"present_{wave.name}": persons.isin(person.to_numpy())}
        at_wave = long.loc[long["wave_pos"] == pos].set_index("person")
        for scale in study.scales:
            if wave.name in scale.waves:
                columns[f"{scale.name}_{wave.name}"] = at_wave[scale.name].reindex(persons)
        fields = [f for b in study.item_blocks.values() if wave.name in b.waves for f in b.fields]
        if wave.name in study.ilb_details.get("waves", ()):
            fields += [v for k, v in study.ilb_details.items() if k != "waves" and isinstance(v, str)]
        for field in dict.fromkeys(fields):
            if field in values.columns:
                columns[f"{field}_{wave.name}"] = values[field].reindex(persons)
        parts.append(pd.DataFrame(columns, index=persons))
    return pd.concat(parts, axis=1).reset_index()


def growth_data(panel: Panel, scale: str) -> pd.DataFrame:
    """The wide columns a growth model of one scale needs.

    Returns one row per person with at least one score of the scale:
    ``person``, one outcome column per wave the scale is measured at, named by
    the wave (``t1``, ``t3``, ...), the covariates and ``ilb``.
    ``attrs["time_scores"]`` holds the time scores of those waves in order.
    In a study without control group ``ilb`` is 1 for everyone: leave it out
    of the model there.

    Examples
    --------
    >>> from ilb_eval.datasets import load_example_panel
    >>> data = growth_data(load_example_panel("ZP"), "belastbarkeit")
    >>> list(data.columns), data.attrs["time_scores"], len(data)
    (['person', 't1', 't3', 't4', 'age40', 'female', 'degree', 'ilb'], [0.0, 2.0, 3.0], 488)
    """
    outcomes = {f"{scale}_{w}": w for w in panel.waves if f"{scale}_{w}" in panel.wide.columns}
    if not outcomes:
        raise KeyError(f"the panel has no scores of scale {scale!r}; pass the name of one of the study's scales")
    data = panel.wide[["person", *outcomes, *panel.covariates, "ilb"]].rename(columns=outcomes)
    data = data.loc[data[list(outcomes.values())].notna().any(axis=1)].reset_index(drop=True)
    data.attrs["time_scores"] = [panel.time_scores[panel.waves.index(w)] for w in outcomes.values()]
    return data
