"""The whole evaluation as one library call: :func:`run_analysis` -> :class:`AnalysisResults`.

Steps per study (EAP and ZP by default): load and validate the wave files
(:func:`ilb_eval.io.load_waves`), link and prepare
(:func:`ilb_eval.prep.build_panel`), then sample and response, reliability,
growth models of every competence dimension (fault-isolated), iLB effects
with adjusted p-values, sensitivity analyses of the conditional models
(model variants, ML vs MLR; studies with a control group), measurement
invariance of every multi-item scale with second-order growth, manager-support
correlations, iLB feedback and the delivery-mode and time-condition analyses. Data errors (unreadable files,
wrong columns) raise :class:`~ilb_eval.exceptions.InputError`; a model that
fails is recorded and the run goes on.

The results hold aggregates only (no person rows, no identifiers), so they
can be written out as they are.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from ilb_eval.analysis import conditions as _conditions
from ilb_eval.analysis import correlations as _correlations
from ilb_eval.analysis import effects as _effects
from ilb_eval.analysis import gaps as _gaps
from ilb_eval.analysis import ilb_feedback as _feedback
from ilb_eval.analysis import models as _models
from ilb_eval.analysis import sample as _sample
from ilb_eval.analysis import sensitivity as _sensitivity
from ilb_eval.exceptions import SpecError
from ilb_eval.invariance import StudyInvariance, study_invariance
from ilb_eval.io import load_waves
from ilb_eval.prep import Panel, build_panel, reliability
from ilb_eval.privacy import CellRule, mask_small
from ilb_eval.resources import example_dir
from ilb_eval.study import Study, load_study
from ilb_eval.weighting.summary import WeightingSummary, summarise_weighting

__all__ = ["DEFAULT_SEED", "AnalysisResults", "AnalysisSettings", "StudyResults", "analyse_panel", "run_analysis",
           "study_labels"]

#: Seed recorded when none is given (the analyses themselves draw no random numbers).
DEFAULT_SEED = 20231122

Progress = Callable[[str], None]


@dataclass(frozen=True)
class AnalysisSettings:
    """Settings of one run (recorded in the manifest)."""

    studies: tuple[str, ...] = ("EAP", "ZP")
    min_cell_size: int | None = None
    seed: int = DEFAULT_SEED
    adjust: Literal["holm", "bh"] = "holm"
    correlation: Literal["pearson", "spearman"] = "pearson"
    invariance: bool = True

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe settings."""
        return {"studies": list(self.studies), "min_cell_size": self.min_cell_size, "seed": self.seed,
                "adjust": self.adjust, "correlation": self.correlation, "invariance": self.invariance}


@dataclass(frozen=True)
class StudyResults:
    """Everything computed for one study (aggregates only).

    ``problems`` are the data-check problems as English lines (manifest,
    warnings); ``problem_records`` the same problems as code, message, file,
    column, number of affected rows and severity (no row numbers), for the
    report's translated notes. ``gaps`` are the analyses the study declares
    that could not run, one per cause (:mod:`ilb_eval.analysis.gaps`).
    ``invariance`` holds the measurement invariance ladders and second-order
    growth of every multi-item scale (:func:`ilb_eval.invariance.study_invariance`).

    Every table is as it may be published: counts, shares and means below
    the minimum cell size, and the cells that would disclose them, are NaN
    (:mod:`ilb_eval.privacy`). ``records_analysed`` is the number of records analysed
    (NaN when suppressed), ``split`` whether the groups are shown apart.
    ``persons``, ``ilb_persons`` and ``records_per_wave`` are the raw counts
    for the analysis; the report publishes the protected tables only.
    """

    study: Study
    rule: CellRule
    response: pd.DataFrame
    attrition: pd.DataFrame
    demographics: pd.DataFrame
    records_per_wave: dict[str, int]
    persons: int
    ilb_persons: int
    reliability: pd.DataFrame
    models: dict[str, _models.DimensionModels]
    effects: pd.DataFrame
    lr_tests: pd.DataFrame
    correlations: pd.DataFrame
    satisfaction: pd.DataFrame
    benefit: pd.DataFrame
    acceleration: pd.DataFrame
    reuse: dict[str, Any]
    conditions: pd.DataFrame
    condition_effects: pd.DataFrame
    condition_records: tuple[_models.ModelRecord, ...]
    problems: tuple[str, ...]
    sensitivity_variants: pd.DataFrame = field(default_factory=pd.DataFrame)
    sensitivity_estimators: pd.DataFrame = field(default_factory=pd.DataFrame)
    problem_records: tuple[dict[str, Any], ...] = ()
    gaps: tuple[_gaps.Gap, ...] = ()
    records_analysed: float = float("nan")
    split: bool = True
    weighting: WeightingSummary | None = None
    invariance: StudyInvariance | None = None

    def gap(self, analysis: str) -> _gaps.Gap | None:
        """The first gap that leaves out ``analysis`` (a key of :data:`ilb_eval.analysis.gaps.ANALYSES`)."""
        return next((g for g in self.gaps if g.affects(analysis)), None)

    @property
    def records(self) -> list[_models.ModelRecord]:
        """Status records of every model of the study, in fit order."""
        out = [r for m in self.models.values() for r in m.records.values()]
        return out + list(self.condition_records)


@dataclass(frozen=True)
class AnalysisResults:
    """The results of :func:`run_analysis`."""

    settings: AnalysisSettings
    rule: CellRule
    data_dir: Path
    input_files: tuple[Path, ...]
    studies: dict[str, StudyResults]
    interviews: pd.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def records(self) -> list[_models.ModelRecord]:
        """Every model's status record over all studies."""
        return [r for s in self.studies.values() for r in s.records]

    @property
    def gaps(self) -> list[_gaps.Gap]:
        """Analyses that could not run, one per cause, over all studies."""
        return [g for s in self.studies.values() for g in s.gaps]

    @property
    def causes(self) -> list[str]:
        """One line per cause of a missing result: each gap, and each reason that failed models share.

        Models of one sample that failed with the same status and reason (ten
        dimensions, two kinds) are one line.
        """
        lines = [g.line for g in self.gaps]
        groups: dict[tuple[str, str, str], list[_models.ModelRecord]] = {}
        for record in self.failed:
            groups.setdefault((record.sample, record.status, record.reason or ""), []).append(record)
        for (sample, status, reason), group in groups.items():
            tail = f" – {reason}" if reason else ""
            if len(group) == 1:
                lines.append(f"{sample} {group[0].dimension} ({group[0].kind}): {status}{tail}")
                continue
            dimensions = ", ".join(dict.fromkeys(r.dimension for r in group))
            kinds = ", ".join(dict.fromkeys(r.kind for r in group))
            lines.append(f"{sample}: {len(group)} models {status} ({dimensions}; {kinds}){tail}")
        return lines

    @property
    def warnings(self) -> list[str]:
        """Run warnings: analyses not run, data problems, models that are not ok, engine warnings."""
        out: list[str] = [g.line for g in self.gaps]
        for name, s in self.studies.items():
            out += [f"{name}: {p}" for p in s.problems]
        for r in self.records:
            if r.status != "ok":
                out.append(f"{r.sample} {r.dimension} ({r.kind}): {r.status}" + (f" – {r.reason}" if r.reason else ""))
            out += [f"{r.sample} {r.dimension} ({r.kind}): {w}" for w in r.warnings]
        for name, s in self.studies.items():
            if s.invariance is not None:
                out += [f"{name}: {line}" for line in s.invariance.warnings()]
        return out

    @property
    def failed(self) -> list[_models.ModelRecord]:
        """Records of models that were required but failed or did not converge."""
        return [r for r in self.records if r.status in ("failed", "not_converged")]


def _input_files(study: Study, data_dir: Path) -> list[Path]:
    return [data_dir / w.file for w in study.waves if (data_dir / w.file).exists()]


def _study(study: Study, data_dir: Path, rule: CellRule, settings: AnalysisSettings,
           progress: Progress, seconds: dict[str, float]) -> StudyResults:
    started = time.perf_counter()
    progress(f"{study.name}: loading and validating the wave files")
    waves = load_waves(study, data_dir)
    progress(f"{study.name}: linking waves and scoring scales")
    panel = build_panel(study, waves)
    del waves
    results = analyse_panel(study, panel, rule, settings, progress)
    seconds[study.name] = time.perf_counter() - started
    return results


def analyse_panel(study: Study, panel: Panel, rule: CellRule, settings: AnalysisSettings,
                  progress: Progress | None = None) -> StudyResults:
    """Every analysis of one study on its prepared panel (what :func:`run_analysis` does after loading).

    Parameters
    ----------
    study, panel:
        The study definition and its :class:`~ilb_eval.prep.Panel`.
    rule:
        The minimum cell size rule.
    settings:
        Correction and correlation method (see :class:`AnalysisSettings`).
    progress:
        Called with one line per step.
    """
    progress = progress or (lambda _m: None)

    def step(name: str) -> None:
        progress(f"{study.name}: {name}")

    step("sample, response and attrition")
    sample = _sample.sample_tables(study, panel, rule)
    step("reliability")
    rel = mask_small(reliability(panel, study), rule, "n", ["alpha", "alpha_ci_lower", "alpha_ci_upper", "omega"])
    step("growth models")
    gaps = list(_gaps.diagnose(study, panel, rule))
    models = _models.fit_study_models(study, panel, rule, progress=lambda m: progress(f"  model {m}"), gaps=gaps)
    gaps += _gaps.unexplained_skips(study, [r for m in models.values() for r in m.records.values()], gaps, rule)
    effects = _effects.ilb_effects(models, settings.adjust) if study.has_control_group else pd.DataFrame()
    lr = _models.lr_tests(models) if study.has_control_group else pd.DataFrame()
    variants, estimators = pd.DataFrame(), pd.DataFrame()
    if study.has_control_group and not any(g.affects("sensitivity") for g in gaps):
        step("sensitivity analyses")
        variants, estimators = _sensitivity.study_sensitivity(study, panel, models,
                                                              progress=lambda m: progress(f"  model {m}"))
    weighting = None
    if study.has_control_group:
        step("selection and weighting")
        weighting = summarise_weighting(panel, study, min_cell_size=rule.min_cell_size)
    invariance = None
    if settings.invariance:
        step("measurement invariance")
        invariance = study_invariance(
            study, panel, min_group_size=_models.group_floor(rule),
            groups=not any(g.affects("group_comparison") for g in gaps),
            effects=not any(g.affects("ilb_effects") for g in gaps), progress=lambda m: progress(f"  scale {m}"))
    step("correlations")
    corr = _correlations.manager_correlations(study, panel, rule, settings.correlation)
    step("iLB feedback")
    sat = _feedback.satisfaction(study, panel, rule)
    ben = _feedback.benefit(study, panel, rule)
    acc = _feedback.acceleration(study, panel, rule)
    reuse = _feedback.reuse(study, panel, rule)
    conditions, cond_effects, cond_records = pd.DataFrame(), pd.DataFrame(), []
    if study.has_ilb_details:
        step("delivery mode and time conditions")
        conditions = _conditions.condition_summary(_conditions.user_conditions(study, panel), rule)
        if not any(g.affects("conditions") for g in gaps):
            cond_effects, cond_records = _conditions.condition_effects(
                study, panel, rule, settings.adjust, progress=lambda m: progress(f"  model {m}"))
            gaps += _gaps.unexplained_skips(study, cond_records, gaps, rule)
    problems = tuple(f"{p.code}: {p.message}" + (f" ({p.file})" if p.file else "")
                     for p in panel.problems)
    records = tuple({"code": p.code, "message": p.message, "file": p.file, "column": p.column,
                     "rows": p.count, "severity": p.severity} for p in panel.problems)
    return StudyResults(
        study=study, rule=rule, response=sample.response, attrition=sample.attrition,
        demographics=sample.demographics, records_analysed=sample.records, split=sample.split,
        records_per_wave={row.wave: int(row.n_analysed) for row in panel.accounting.itertuples()},
        persons=int(panel.wide.shape[0]), ilb_persons=int((panel.wide["ilb"] == 1).sum()),
        reliability=rel, models=models, effects=effects, lr_tests=lr, correlations=corr,
        satisfaction=sat, benefit=ben, acceleration=acc, reuse=reuse, conditions=conditions,
        condition_effects=cond_effects, condition_records=tuple(cond_records),
        problems=tuple(dict.fromkeys(problems)),
        sensitivity_variants=variants, sensitivity_estimators=estimators, problem_records=records,
        gaps=tuple(gaps),
        weighting=weighting,
        invariance=invariance,
    )


def run_analysis(
    data_dir: str | Path | None = None,
    studies: Sequence[str | Path | Study] = ("EAP", "ZP"),
    *,
    min_cell_size: int | None = None,
    seed: int = DEFAULT_SEED,
    adjust: Literal["holm", "bh"] = "holm",
    correlation: Literal["pearson", "spearman"] = "pearson",
    invariance: bool = True,
    progress: Progress | None = None,
) -> AnalysisResults:
    """Run the whole evaluation.

    Parameters
    ----------
    data_dir:
        Folder with the wave export files (and optionally ``interviews.csv``);
        default: the shipped synthetic study.
    studies:
        Study names, ``.study.json`` paths or loaded studies.
    min_cell_size:
        Minimum cell size; default: the study definition's (10). Floor 5.
    seed:
        Recorded seed (no step draws random numbers today).
    adjust:
        Multiple-testing correction of the iLB effects: ``"holm"`` or ``"bh"``.
    correlation:
        ``"pearson"`` (as the chapter) or ``"spearman"``.
    invariance:
        Test measurement invariance and fit second-order growth
        (:mod:`ilb_eval.invariance`; about 150 models on the example study).
        ``False`` leaves the section out, e.g. for quick checks of other parts.
    progress:
        Called with one line per step (e.g. ``print`` to stderr).

    Returns
    -------
    AnalysisResults
    """
    if adjust not in ("holm", "bh"):
        raise SpecError(f"adjust must be 'holm' or 'bh'; got {adjust!r}.")
    if correlation not in ("pearson", "spearman"):
        raise SpecError(f"correlation must be 'pearson' or 'spearman'; got {correlation!r}.")
    progress = progress or (lambda _m: None)
    data_dir = Path(data_dir) if data_dir is not None else example_dir()
    loaded = [s if isinstance(s, Study) else load_study(s) for s in studies]
    if not loaded:
        raise SpecError("no study given; pass at least one study name (EAP, ZP).")
    rule = CellRule(min_cell_size if min_cell_size is not None else max(s.min_cell_size for s in loaded))
    settings = AnalysisSettings(tuple(s.name for s in loaded), min_cell_size, int(seed), adjust, correlation,
                                bool(invariance))
    seconds: dict[str, float] = {}
    results = {s.name: _study(s, data_dir, rule, settings, progress, seconds) for s in loaded}
    progress("interview categories")
    interviews = _feedback.interview_categories(data_dir)
    interviews = interviews[interviews["sample"].isin(results)].reset_index(drop=True)
    files = tuple(f for s in loaded for f in _input_files(s, data_dir))
    if (data_dir / "interviews.csv").is_file():
        files += (data_dir / "interviews.csv",)
    return AnalysisResults(settings, rule, data_dir, files, results, interviews, seconds)


def study_labels(study: Study) -> Mapping[str, Mapping[str, str]]:
    """Labels of scales, covariates and block items of a study, ``{code: {"de", "en"}}``."""
    labels: dict[str, Mapping[str, str]] = {s.name: s.label for s in study.scales}
    labels.update({c.name: c.label for c in study.covariates})
    for block in study.item_blocks.values():
        labels.update({i.field: i.label for i in block.items})
    return labels
