"""Weighting a study sample with a control group, from its study definition and panel.

What the report section "Selection and weighting" shows comes from here:

* :func:`propensity_covariates`: what the propensity model and the balance
  use: the study definition's ``propensity_covariates`` where declared, else
  :func:`default_propensity_covariates`, the study's model covariates plus
  the competence scale scores at the first wave (measured before iLB could
  act);
* :func:`study_weights`: the persons with a first-wave record and every
  propensity covariate, their weights (entropy balancing for the ATT by
  default) and who was left out, as a :class:`StudyWeighting`;
* :func:`love_plot_data`, :func:`overlap_data`: |SMD| before and after per
  covariate, and the propensity-score densities per group;
* :func:`slope_effect_evalue`: the E-value of an iLB slope effect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ilb_eval.exceptions import InputError, Problem
from ilb_eval.prep import Panel
from ilb_eval.privacy import DEFAULT_MIN_CELL_SIZE
from ilb_eval.study import Study
from ilb_eval.weighting.diagnostics import SMD_THRESHOLD, weighted_variance
from ilb_eval.weighting.estimate import DEFAULT_METHOD, WeightingResult, estimate_weights
from ilb_eval.weighting.evalue import EValue, evalue_smd

__all__ = [
    "StudyWeighting",
    "covariate_labels",
    "default_propensity_covariates",
    "love_plot_data",
    "outcome_sd",
    "overlap_data",
    "propensity_covariates",
    "slope_effect_evalue",
    "study_weights",
]


def default_propensity_covariates(study: Study) -> tuple[str, ...]:
    """The model covariates plus the first-wave score of every competence scale measured then.

    Examples
    --------
    >>> from ilb_eval.study import load_study
    >>> names = default_propensity_covariates(load_study("EAP"))
    >>> names[:5], len(names)
    (('age40', 'female', 'program', 'degree', 'fachkompetenz_t1'), 14)
    """
    first = study.wave_names[0]
    scores = tuple(f"{s.name}_{first}" for s in study.competence_scales if first in s.waves)
    return tuple(study.covariate_names) + scores


def propensity_covariates(study: Study) -> tuple[str, ...]:
    """The study definition's ``propensity_covariates``, or :func:`default_propensity_covariates`.

    Examples
    --------
    >>> from ilb_eval.study import load_study
    >>> study = load_study("EAP")
    >>> propensity_covariates(study) == default_propensity_covariates(study)  # nothing declared
    True
    """
    return study.propensity_covariates or default_propensity_covariates(study)


def covariate_labels(study: Study, names: Sequence[str], lang: str = "de") -> list[str]:
    """Readable labels of propensity covariates (covariate labels; scale label with its wave).

    Examples
    --------
    >>> from ilb_eval.study import load_study
    >>> covariate_labels(load_study("EAP"), ["female", "belastbarkeit_t1"], "en")
    ['female', 'Resilience (t1)']
    """
    labels = []
    covariates = {c.name: c for c in study.covariates}
    scales = {s.name: s for s in study.scales}
    for name in names:
        if name in covariates:
            labels.append(covariates[name].label[lang])
            continue
        scale, _, wave = name.rpartition("_")
        labels.append(f"{scales[scale].label[lang]} ({wave})" if scale in scales else name)
    return labels


@dataclass(frozen=True)
class StudyWeighting:
    """The weighting of one study sample.

    Attributes
    ----------
    result:
        The :class:`~ilb_eval.weighting.WeightingResult` on the weighted
        persons (index: the rows of ``Panel.wide``).
    persons:
        The weighted persons' opaque ``person`` numbers with their weights
        (columns ``person``, ``ilb``, ``weight``, ``propensity``).
    excluded:
        Persons left out, per reason (``"no_first_wave"``: no record at the
        first wave, so no baseline; ``"missing_covariates"``: a propensity
        covariate missing) and group (``"treated"``, ``"control"``). Counts
        for the report, which applies the minimum cell size.
    """

    study: str
    covariates: tuple[str, ...]
    result: WeightingResult
    persons: pd.DataFrame
    excluded: dict[str, dict[str, int]]


def _count(mask: pd.Series, ilb: pd.Series) -> dict[str, int]:
    return {"treated": int((mask & (ilb == 1)).sum()), "control": int((mask & (ilb == 0)).sum())}


def study_weights(
    panel: Panel,
    study: Study,
    *,
    covariates: Sequence[str] | None = None,
    method: str = DEFAULT_METHOD,
    estimand: str | None = None,
    moments: int = 1,
    trim: float | None = None,
    min_cell_size: int = DEFAULT_MIN_CELL_SIZE,
) -> StudyWeighting:
    """Weights for the persons of a study with a control group (default: entropy balancing, ATT).

    Parameters
    ----------
    panel, study:
        The study's panel (``Panel.wide``: one row per person with ``ilb``,
        the covariates, ``present_<wave>`` and ``<scale>_<wave>`` scores) and
        its definition.
    covariates:
        Propensity covariates (columns of ``Panel.wide``); default
        :func:`propensity_covariates` (declared or default).
    method, estimand, moments, trim, min_cell_size:
        As :func:`~ilb_eval.weighting.estimate_weights`.

    Raises
    ------
    InputError
        ``NO_CONTROL_GROUP`` for a study without one; otherwise the problems
        of :func:`~ilb_eval.weighting.estimate_weights`.

    Examples
    --------
    >>> from ilb_eval.datasets import load_example_panel
    >>> from ilb_eval.study import load_study
    >>> weighting = study_weights(load_example_panel("EAP"), load_study("EAP"))
    >>> weighting.result.n, weighting.excluded["no_first_wave"]
    ({'treated': 260, 'control': 988}, {'treated': 107, 'control': 340})
    >>> round(weighting.result.max_abs_smd, 8), round(weighting.result.ess["control"])
    (0.0, 484)
    """
    if not study.has_control_group:
        raise InputError([Problem(
            code="NO_CONTROL_GROUP", message=f"study {study.name} has no control group, so there is nothing to weight",
            fix="weighting compares iLB users with a control group; use a study that has one",
        )])
    names = tuple(propensity_covariates(study) if covariates is None else covariates)
    wide = panel.wide
    first = study.wave_names[0]
    present = wide[f"present_{first}"].astype(bool)
    complete = wide.loc[:, list(names)].notna().all(axis=1)
    excluded = {
        "no_first_wave": _count(~present, wide["ilb"]),
        "missing_covariates": _count(present & ~complete, wide["ilb"]),
    }
    sample = wide.loc[present & complete]
    result = estimate_weights(
        sample, "ilb", names, method=method, estimand=estimand, moments=moments, trim=trim,
        min_cell_size=min_cell_size,
    )
    persons = pd.DataFrame({
        "person": sample["person"].to_numpy(), "ilb": sample["ilb"].to_numpy(),
        "weight": result.weights.to_numpy(), "propensity": result.propensity.to_numpy(),
    })
    return StudyWeighting(study=study.name, covariates=names, result=result, persons=persons, excluded=excluded)


def love_plot_data(result: WeightingResult, labels: Sequence[str] | None = None) -> pd.DataFrame:
    """|SMD| before and after weighting per covariate, largest imbalance first, with the threshold.

    Examples
    --------
    >>> from ilb_eval.datasets import load_example_panel
    >>> from ilb_eval.study import load_study
    >>> weighting = study_weights(load_example_panel("EAP"), load_study("EAP"))
    >>> love_plot_data(weighting.result).head(2).round(3).to_dict("records")
    [{'covariate': 'belastbarkeit_t1', 'label': 'belastbarkeit_t1', 'abs_smd_before': 0.512, 'abs_smd_after': 0.0, 'threshold': 0.1}, {'covariate': 'selbststaendigkeit_t1', 'label': 'selbststaendigkeit_t1', 'abs_smd_before': 0.512, 'abs_smd_after': 0.0, 'threshold': 0.1}]
    """
    table = pd.DataFrame({
        "covariate": result.balance["covariate"],
        "label": list(labels) if labels is not None else result.balance["covariate"],
        "abs_smd_before": result.balance["smd_before"].abs(),
        "abs_smd_after": result.balance["smd_after"].abs(),
        "threshold": SMD_THRESHOLD,
    })
    return table.sort_values("abs_smd_before", ascending=False, kind="stable").reset_index(drop=True)


def overlap_data(result: WeightingResult, points: int = 101) -> pd.DataFrame:
    """Densities of the propensity scores per group on a grid over (0, 1), unweighted and weighted.

    Kernel density estimates (scipy's Gaussian KDE, Scott's bandwidth) rather
    than histogram counts, so that no bin reveals a handful of persons.
    Columns: ``group`` (``"treated"``/``"control"``), ``propensity``,
    ``density``, ``density_weighted``.

    Examples
    --------
    >>> from ilb_eval.datasets import load_example_panel
    >>> from ilb_eval.study import load_study
    >>> data = overlap_data(study_weights(load_example_panel("EAP"), load_study("EAP")).result)
    >>> sorted(set(data["group"])), len(data)
    (['control', 'treated'], 202)
    """
    grid = np.linspace(0.0, 1.0, points)
    frames = []
    treated = result.treated.to_numpy(dtype=bool)
    scores = result.propensity.to_numpy()
    weights = result.weights.to_numpy()
    for name, mask in (("treated", treated), ("control", ~treated)):
        plain = stats.gaussian_kde(scores[mask])(grid)
        weighted = stats.gaussian_kde(scores[mask], weights=weights[mask])(grid)
        frames.append(pd.DataFrame({"group": name, "propensity": grid, "density": plain, "density_weighted": weighted}))
    return pd.concat(frames, ignore_index=True)


def outcome_sd(panel: Panel, scale: str, wave: str) -> float:
    """Pooled SD of a scale score at a wave, ``sqrt((s1^2 + s0^2) / 2)`` over users and controls.

    Examples
    --------
    >>> from ilb_eval.datasets import load_example_panel
    >>> round(outcome_sd(load_example_panel("EAP"), "belastbarkeit", "t4"), 3)
    0.554
    """
    wide = panel.wide
    column = f"{scale}_{wave}"
    groups = [wide.loc[wide["ilb"] == g, column].dropna().to_numpy() for g in (1, 0)]
    return float(np.sqrt(sum(weighted_variance(g) for g in groups) / 2.0))


def slope_effect_evalue(estimate: float, se: float, time_span: float, sd: float) -> EValue:
    """E-value of an iLB slope effect, read as a difference at the last wave.

    The slope effect times the time from the first to the last wave is the
    expected difference in the score at the last wave; divided by the
    outcome SD (:func:`outcome_sd` at the last wave) it is the standardised
    difference ``d`` that VanderWeele & Ding convert (``RR = exp(0.91 d)``).

    Examples
    --------
    >>> result = slope_effect_evalue(0.08, 0.02, 3.0, 0.6)     # d = .4, SE(d) = .1
    >>> round(result.rr, 3), round(result.evalue, 2), round(result.evalue_ci, 2)
    (1.439, 2.23, 1.7)
    """
    return evalue_smd(estimate * time_span / sd, se * time_span / sd)
