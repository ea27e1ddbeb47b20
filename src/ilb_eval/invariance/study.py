"""Measurement invariance and second-order growth for every multi-item scale of a study.

:func:`study_invariance` runs, per scale of the study definition with two
items or more:

1. the ladder across the scale's waves (:func:`~ilb_eval.invariance.ladder.longitudinal_invariance`);
2. in a study with a control group, the ladder across iLB users and controls
   at the scale's first wave (:func:`~ilb_eval.invariance.ladder.group_invariance`;
   controls are the reference group), when both groups have at least
   ``min_group_size`` persons with answers;
3. for competence scales that reach (partial) scalar invariance across
   waves, second-order growth (:mod:`~ilb_eval.invariance.second_order`):
   with a control group conditional on iLB and the study's covariates (the
   iLB coefficients reported), without one unconditional (mean level and
   change reported), with the time scores of the study definition.

All models are fitted by FIML with MLR. Nothing here raises for a scale that
cannot be modelled; the result says why.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ilb_eval.invariance.ladder import (
    LADDER_COLUMNS,
    InvarianceResult,
    group_invariance,
    longitudinal_invariance,
    untested,
)
from ilb_eval.invariance.second_order import GROWTH_COLUMNS, SecondOrderGrowth, growth_for
from ilb_eval.invariance.spec import MeasurementSpec, item_data, measurement_spec
from ilb_eval.prep import Panel
from ilb_eval.study import Scale, Study

__all__ = ["GROUP_LABELS", "StudyInvariance", "study_invariance"]

#: Group labels of the multi-group ladder (values of ``ilb``), reference group first.
GROUP_LABELS = {0: "control", 1: "ilb"}

#: Name of the grouping column added to the item data.
_GROUP = "ilb_group"


@dataclass(frozen=True)
class StudyInvariance:
    """Invariance ladders and second-order growth of all scales of one study.

    Attributes
    ----------
    study
        Study name.
    ladders
        One :class:`~ilb_eval.invariance.ladder.InvarianceResult` per scale
        and comparison (waves first, then groups), in the study's scale order.
    growth
        Second-order growth per competence scale (skipped ones included).
    seconds
        Time taken.
    """

    study: str
    ladders: tuple[InvarianceResult, ...]
    growth: dict[str, SecondOrderGrowth] = field(default_factory=dict)
    seconds: float = 0.0

    def table(self) -> pd.DataFrame:
        """All ladder rows (columns :data:`~ilb_eval.invariance.ladder.LADDER_COLUMNS`)."""
        parts = [ladder.table() for ladder in self.ladders]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(LADDER_COLUMNS))

    def growth_table(self) -> pd.DataFrame:
        """Second-order growth rows of all scales that were fitted (columns ``GROWTH_COLUMNS``)."""
        parts = [g.rows for g in self.growth.values() if len(g.rows)]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(GROWTH_COLUMNS))

    def ladder(self, scale: str, across: str = "waves") -> InvarianceResult | None:
        """The ladder of one scale across ``"waves"`` or ``"groups"`` (None when not run)."""
        return next((x for x in self.ladders if x.scale == scale and x.across == across), None)

    def warnings(self) -> list[str]:
        """One line per model that failed or did not converge (ladder levels, second-order growth)."""
        out = []
        for ladder in self.ladders:
            for row in ladder.rows:
                if row.status in ("failed", "not_converged"):
                    out.append(f"{ladder.scale} (invariance across {ladder.across}, {row.level}): {row.status}"
                               + (f" – {row.note}" if row.note else ""))
        for scale, growth in self.growth.items():
            if growth.status in ("failed", "not_converged"):
                out.append(f"{scale} (second-order growth): {growth.status}"
                           + (f" – {growth.reason}" if growth.reason else ""))
        return out

    def to_list(self) -> list[dict[str, Any]]:
        """The ``invariance`` list of ``results.json``: one entry per scale and comparison."""
        out = []
        for ladder in self.ladders:
            entry = ladder.to_dict()
            growth = self.growth.get(ladder.scale)
            if ladder.across == "waves" and growth is not None:
                entry["second_order_growth"] = growth.to_dict()
            out.append(entry)
        return out


def _group_ladder(data: pd.DataFrame, spec: MeasurementSpec, min_group_size: int) -> InvarianceResult:
    first = spec.waves[0] if spec.waves else None
    if first is None:
        return untested(spec, "groups", "no wave with at least two answered items")
    columns = [spec.column(item, first) for item in spec.items_at(first)]
    frame = data.loc[data["ilb"].isin(list(GROUP_LABELS)) & data[columns].notna().any(axis=1)].copy()
    frame[_GROUP] = frame["ilb"].astype(int).map(GROUP_LABELS)
    sizes = frame[_GROUP].value_counts()
    if any(int(sizes.get(label, 0)) < min_group_size for label in GROUP_LABELS.values()):
        return untested(spec, "groups", f"a group has fewer than {min_group_size} persons with answers at "
                                        f"wave {first}")
    return group_invariance(frame, spec, _GROUP, wave=first, group_label=tuple(GROUP_LABELS.values()))


def _scale(study: Study, panel: Panel, scale: Scale, min_group_size: int, times: dict[str, float],
           covariates: list[str], competence: set[str], groups: bool,
           effects: bool) -> tuple[list[InvarianceResult], SecondOrderGrowth | None]:
    """The ladders of one scale and its second-order growth (None for a scale that is not a competence)."""
    data = item_data(panel, study, scale.name)
    spec = measurement_spec(scale, data)
    waves = longitudinal_invariance(data, spec)
    found = [waves]
    if study.has_control_group:
        found.append(_group_ladder(data, spec, min_group_size) if groups else
                     untested(spec, "groups", "the iLB and control groups cannot be compared in this study"))
    if scale.name not in competence:
        return found, None
    if study.has_control_group and not effects:
        return found, SecondOrderGrowth(scale.name, "skipped", "the iLB effects cannot be estimated in this study")
    return found, growth_for(waves, data, times, covariates=covariates, effect_of="ilb" if covariates else None)


def study_invariance(
    study: Study,
    panel: Panel,
    *,
    min_group_size: int = 30,
    groups: bool = True,
    effects: bool = True,
    progress: Callable[[str], None] | None = None,
) -> StudyInvariance:
    """Invariance ladders and second-order growth for every multi-item scale of ``study``.

    Parameters
    ----------
    study
        The study definition (scales, items, waves, time scores, covariates).
    panel
        The study's panel (:func:`ilb_eval.prep.build_panel`).
    min_group_size
        Smallest group of the multi-group ladder.
    groups
        Run the ladder across iLB and control (studies with a control group;
        ``False`` when the groups cannot be compared, e.g. no iLB users).
    effects
        Estimate the iLB effects in the second-order growth models (studies
        with a control group; ``False`` when the iLB effects cannot be
        estimated: then no second-order growth is fitted there).
    progress
        Called with the name of each scale.

    Returns
    -------
    StudyInvariance
    """
    started = time.perf_counter()
    ladders: list[InvarianceResult] = []
    growth: dict[str, SecondOrderGrowth] = {}
    times = dict(zip(study.wave_names, study.time_scores, strict=True))
    competence = {s.name for s in study.competence_scales}
    covariates = ["ilb", *study.covariate_names] if study.has_control_group else []
    for scale in study.scales:
        if len(scale.items) < 2:
            continue
        if progress:
            progress(f"{study.name}: {scale.name}")
        try:
            found, fitted = _scale(study, panel, scale, min_group_size, times, covariates, competence,
                                   groups, effects)
        except Exception as error:  # noqa: BLE001 - one scale must not end the analysis
            spec = MeasurementSpec(scale.name, tuple(scale.items), (), {}, None)
            found = [untested(spec, "waves", f"the analysis of the scale failed ({type(error).__name__}: "
                                             f"{error})"[:300])]
            fitted = None
        ladders += found
        if fitted is not None:
            growth[scale.name] = fitted
    return StudyInvariance(study.name, tuple(ladders), growth, time.perf_counter() - started)
