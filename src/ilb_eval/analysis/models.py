"""Growth models of the report, each fitted in isolation.

Per competence dimension:

* a study with control group (EAP): the **conditional** model (iLB plus the
  study's controls predict intercept and slope), the **multi-group** model
  iLB vs control with free factor means, and the two restricted multi-group
  models with equal intercept means and equal slope means (likelihood-ratio
  tests against the free model);
* a study without control group (ZP, or a study without iLB-use fields): the
  **unconditional** growth model.

The time scores are the study's; with two waves the models have one
residual variance and no slope variance (:func:`model_options`). Every fit
goes through :func:`fit_isolated`: an exception or a non-converged fit
becomes a :class:`ModelRecord` with status and reason, and the run goes on
(R-2.4). Multi-group and subgroup models are fitted only when every group
has at least ``max(min_cell_size, 30)`` persons (R-4.5), and not at all when
a gap (:mod:`ilb_eval.analysis.gaps`) rules them out.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ilb_eval.analysis.gaps import MODEL_GROUP_FLOOR, Gap, group_floor
from ilb_eval.exceptions import IlbEvalError
from ilb_eval.growth import GrowthResults, fit_growth, lr_test, mean_trajectories
from ilb_eval.prep import Panel, growth_data
from ilb_eval.privacy import CellRule
from ilb_eval.study import Study

__all__ = [
    "IMPLIED_POINTS",
    "MODEL_GROUP_FLOOR",
    "DimensionModels",
    "ModelRecord",
    "fit_isolated",
    "fit_study_models",
    "group_floor",
    "IMPLIED_COLUMNS",
    "implied_means",
    "implied_points",
    "lr_tests",
    "model_options",
    "observed_means",
    "single_group",
]

#: Grid points of the model-implied trajectories (time axis 0–3: steps of 0.1).
IMPLIED_POINTS = 31

#: Columns of :attr:`DimensionModels.implied` (what the trajectory figures take).
IMPLIED_COLUMNS = ("dimension", "group", "time", "estimate", "ci_lower", "ci_upper", "n")


def model_options(n_waves: int) -> dict[str, str]:
    """The growth-model options of a study with ``n_waves`` waves.

    From three waves on: residual variances free per wave and a random slope.
    Two waves give five means, variances and covariances, too few for that
    model (seven parameters), so the residual variance is one for both waves
    and the slope has no variance (four parameters).

    >>> model_options(3), model_options(2)
    ({}, {'residual_variances': 'equal', 'slope_variance': 'zero'})
    """
    return {"residual_variances": "equal", "slope_variance": "zero"} if n_waves == 2 else {}


def implied_points(time_scores: Sequence[float]) -> int:
    """Grid points over the time axis: steps of 0.1, so that the wave times are on the grid.

    >>> implied_points([0, 2, 3]), implied_points([0, 1, 4, 8])
    (31, 81)
    """
    span = float(max(time_scores)) - float(min(time_scores))
    return int(min(max(round(span * 10), 1), 300)) + 1


@dataclass(frozen=True)
class ModelRecord:
    """The status record of one model fit.

    Attributes
    ----------
    sample, dimension, kind:
        Study name, scale name and model kind (``conditional``, ``multigroup``,
        ``equal_intercepts``, ``equal_slopes``, ``unconditional``, ``conditions``).
    status:
        ``ok``, ``not_converged``, ``failed`` (an error; ``reason`` says which)
        or ``skipped`` (a group below the floor; not fitted).
    reason:
        Why the model is not ``ok`` (empty when it is).
    n, group_n:
        Persons used, and per group (multi-group models).
    warnings:
        Engine warnings (code: message).
    results:
        The engine's :class:`~ilb_eval.growth.GrowthResults` (``None`` unless fitted).
    """

    sample: str
    dimension: str
    kind: str
    status: str
    reason: str = ""
    n: int | None = None
    group_n: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    results: GrowthResults | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """Whether the estimates may be reported."""
        return self.status == "ok" and self.results is not None

    def to_dict(self, rule: CellRule | None = None) -> dict[str, Any]:
        """JSON-safe status record (no estimates).

        With a ``rule`` it is the record as it may be published: a count below
        the rule is ``None``, and so are all group sizes when one of them is
        (each would disclose the other through the model's total).

        >>> record = ModelRecord("EAP", "x", "multigroup", "skipped", "small", group_n={"ilb": 4, "control": 90})
        >>> record.to_dict(CellRule(10))["group_n"]
        {'ilb': None, 'control': None}
        """
        n, group_n = self.n, dict(self.group_n)
        if rule is not None:
            n = n if n is None or rule.allows(n) else None
            if not all(rule.allows(v) for v in group_n.values()):
                group_n = {g: None for g in group_n}
        return {"sample": self.sample, "dimension": self.dimension, "kind": self.kind,
                "status": self.status, "reason": self.reason, "n": n,
                "group_n": group_n, "warnings": list(self.warnings),
                "converged": None if self.results is None else bool(self.results.converged)}


def fit_isolated(sample: str, dimension: str, kind: str, fit: Callable[[], GrowthResults],
                 *, group_n: dict[str, int] | None = None) -> ModelRecord:
    """Run one fit; any exception becomes a ``failed`` record, never propagates.

    >>> def broken():
    ...     raise ValueError("singular data")
    >>> fit_isolated("EAP", "x", "conditional", broken).reason
    'ValueError: singular data'
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = fit()
    except Exception as error:  # noqa: BLE001 - fault isolation (R-2.4)
        text = "; ".join(error.lines) if isinstance(error, IlbEvalError) else f"{type(error).__name__}: {error}"
        return ModelRecord(sample, dimension, kind, "failed", text[:400], group_n=dict(group_n or {}))
    messages = tuple(f"{w.code}: {w.message}" for w in results.warnings)
    status, reason = "ok", ""
    if not results.converged:
        status, reason = "not_converged", "the optimiser did not converge"
    return ModelRecord(sample, dimension, kind, status, reason, n=results.ntotal,
                       group_n=dict(group_n or {}), warnings=messages, results=results)


def implied_means(results: GrowthResults, dimension: str, groups: Mapping[str, str],
                  sizes: Mapping[str, int | None], n_points: int = IMPLIED_POINTS) -> pd.DataFrame:
    """Model-implied means with 95 % bands of a fitted model, on a grid over the time axis.

    The engine's :func:`~ilb_eval.growth.mean_trajectories` (delta method,
    exact for these linear means; no refit) at ``n_points`` equally spaced
    times from the first to the last time score, renamed to the report's
    groups.

    Parameters
    ----------
    results:
        A converged fit (the multi-group model, or the single-group model).
    dimension:
        Scale name written into the ``dimension`` column.
    groups:
        Engine group label -> report group (e.g. ``{"1": "ilb", "0": "control"}``;
        ``{"": "ilb"}`` for a single-group fit).
    sizes:
        Persons per report group (the ``n`` column, for the cell rule).
    n_points:
        Grid points (31 over 0–3 gives steps of 0.1, so the wave times are on the grid).

    Returns
    -------
    DataFrame
        Columns ``dimension``, ``group``, ``time``, ``estimate``, ``ci_lower``, ``ci_upper``, ``n``.

    Examples
    --------
    >>> import warnings; warnings.simplefilter("ignore")
    >>> from ilb_eval.datasets import load_example_growth_data
    >>> data = load_example_growth_data("belastbarkeit")
    >>> fit = fit_growth(data, outcomes=["t1", "t3", "t4"], time_scores=[0, 2, 3], group="ilb")
    >>> bands = implied_means(fit, "belastbarkeit", {"1": "ilb", "0": "control"},
    ...                       {"ilb": 300, "control": 300}, n_points=4)
    >>> bands[["group", "time"]].to_numpy().tolist()[:4]
    [['control', 0.0], ['control', 1.0], ['control', 2.0], ['control', 3.0]]
    >>> bool((bands["ci_lower"] < bands["estimate"]).all())
    True
    """
    bands = mean_trajectories(results, n_points=n_points)
    out = bands.assign(dimension=dimension, group=bands["group"].astype(str).map(dict(groups)))
    out["n"] = out["group"].map(dict(sizes))
    return out[list(IMPLIED_COLUMNS)].reset_index(drop=True)


def observed_means(data: pd.DataFrame, outcomes: Sequence[str], groups: pd.Series) -> pd.DataFrame:
    """Observed means with normal 95 % intervals per wave and group.

    Returns columns ``group``, ``wave``, ``mean``, ``ci_lower``, ``ci_upper``, ``n``.
    """
    rows = []
    for group in sorted(groups.unique()):
        part = data.loc[groups == group]
        for wave in outcomes:
            values = part[wave].astype(float).dropna()
            n = int(len(values))
            mean = float(values.mean()) if n else np.nan
            half = 1.96 * float(values.std(ddof=1)) / np.sqrt(n) if n > 1 else np.nan
            rows.append({"group": group, "wave": wave, "mean": mean, "ci_lower": mean - half,
                         "ci_upper": mean + half, "n": n})
    return pd.DataFrame(rows, columns=["group", "wave", "mean", "ci_lower", "ci_upper", "n"])


@dataclass(frozen=True)
class DimensionModels:
    """All models and trajectories of one dimension of one sample."""

    sample: str
    dimension: str
    records: dict[str, ModelRecord]
    implied: pd.DataFrame
    observed: pd.DataFrame


def _group_sizes(data: pd.DataFrame, covariates: Sequence[str] = ()) -> dict[str, int]:
    usable = data.dropna(subset=list(covariates)) if covariates else data
    counts = usable["ilb"].astype(int).map({1: "ilb", 0: "control"}).value_counts()
    return {g: int(counts.get(g, 0)) for g in ("ilb", "control")}


def single_group(study: Study) -> str:
    """The group code of everyone in a study without control group: ``ilb`` when all used iLB, else ``total``.

    >>> from ilb_eval.study import load_study
    >>> single_group(load_study("ZP"))
    'ilb'
    """
    return "ilb" if study.ilb_use is not None and study.ilb_use.kind == "everyone" else "total"


def _skipped(study: Study, scale: str, kind: str, reason: str, group_n: dict[str, int]) -> ModelRecord:
    return ModelRecord(study.name, scale, kind, "skipped", reason, group_n=group_n)


def _dimension(study: Study, panel: Panel, scale: str, rule: CellRule, gaps: Sequence[Gap] = ()) -> DimensionModels:
    data = growth_data(panel, scale)
    outcomes = [w for w in study.wave_names if w in data.columns]
    times = list(data.attrs["time_scores"])
    options = model_options(len(outcomes))
    points = implied_points(times)
    floor = group_floor(rule)
    records: dict[str, ModelRecord] = {}
    implied = pd.DataFrame(columns=list(IMPLIED_COLUMNS))
    if study.has_control_group:
        groups = data["ilb"].astype(int).map({1: "ilb", 0: "control"})
        covs = ["ilb", *study.covariate_names]
        sizes_cov = _group_sizes(data, covs)
        blocked = next((g for g in gaps if g.affects("ilb_effects")), None)
        if blocked is not None:
            records["conditional"] = _skipped(study, scale, "conditional", blocked.cause["en"], sizes_cov)
        elif any(n < floor for n in sizes_cov.values()):
            records["conditional"] = _skipped(study, scale, "conditional",
                                              f"a group has fewer than {floor} persons", sizes_cov)
        else:
            records["conditional"] = fit_isolated(
                study.name, scale, "conditional",
                lambda: fit_growth(data, outcomes=outcomes, time_scores=times, covariates=covs, **options),
                group_n=sizes_cov)
        sizes = _group_sizes(data)
        small = [g for g, n in sizes.items() if n < floor]
        blocked = next((g for g in gaps if g.affects("group_comparison")), None)
        for kind, eq_i, eq_s in (("multigroup", False, False), ("equal_intercepts", True, False),
                                 ("equal_slopes", False, True)):
            if blocked is not None or small:
                reason = blocked.cause["en"] if blocked is not None else f"a group has fewer than {floor} persons"
                records[kind] = _skipped(study, scale, kind, reason, sizes)
                continue
            records[kind] = fit_isolated(
                study.name, scale, kind,
                lambda eq_i=eq_i, eq_s=eq_s: fit_growth(
                    data, outcomes=outcomes, time_scores=times, group="ilb",
                    equal_intercept_means=eq_i, equal_slope_means=eq_s, **options),
                group_n=sizes)
        if records["multigroup"].ok:
            try:
                implied = implied_means(records["multigroup"].results, scale, {"1": "ilb", "0": "control"}, sizes,
                                        n_points=points)
            except Exception:  # noqa: BLE001 - the figure then shows observed means only
                pass
    else:
        group = single_group(study)
        groups = pd.Series(group, index=data.index)
        records["unconditional"] = fit_isolated(
            study.name, scale, "unconditional",
            lambda: fit_growth(data, outcomes=outcomes, time_scores=times, **options))
        if records["unconditional"].ok:
            try:
                implied = implied_means(records["unconditional"].results, scale, {"": group},
                                        {group: records["unconditional"].n}, n_points=points)
            except Exception:  # noqa: BLE001 - the figure then shows observed means only
                pass
    observed = observed_means(data, outcomes, groups)
    observed.insert(0, "dimension", scale)
    return DimensionModels(study.name, scale, records, implied, observed)


def fit_study_models(study: Study, panel: Panel, rule: CellRule,
                     progress: Callable[[str], None] | None = None,
                     gaps: Sequence[Gap] = ()) -> dict[str, DimensionModels]:
    """Fit the report's models for every competence dimension of a study (see the module text).

    A model that a gap of :func:`ilb_eval.analysis.gaps.diagnose` rules out is
    not fitted; its record is ``skipped`` with the gap's cause as reason.
    """
    out = {}
    for scale in study.competence_scales:
        if progress:
            progress(f"{study.name}: {scale.name}")
        try:
            out[scale.name] = _dimension(study, panel, scale.name, rule, gaps)
        except Exception as error:  # noqa: BLE001 - e.g. no scores of the scale at all
            kind = "conditional" if study.has_control_group else "unconditional"
            record = ModelRecord(study.name, scale.name, kind, "failed", f"{type(error).__name__}: {error}"[:400])
            out[scale.name] = DimensionModels(study.name, scale.name, {kind: record},
                                              pd.DataFrame(), pd.DataFrame())
    return out


def lr_tests(models: dict[str, DimensionModels]) -> pd.DataFrame:
    """Likelihood-ratio tests of equal intercept means and equal slope means (iLB vs control).

    Returns columns ``dimension``, ``test`` (``intercepts``, ``slopes``),
    ``chisq``, ``df``, ``pvalue``, ``method`` (lavaan's name of the test:
    ``"standard"`` for ML fits, ``"satorra.bentler.2001"`` for MLR fits),
    ``n``, ``status``.
    """
    rows = []
    for dim, m in models.items():
        free = m.records.get("multigroup")
        if free is None:
            continue
        for test, kind in (("intercepts", "equal_intercepts"), ("slopes", "equal_slopes")):
            restricted = m.records.get(kind)
            row = {"dimension": dim, "test": test, "chisq": np.nan, "df": np.nan, "pvalue": np.nan,
                   "method": "", "n": free.n, "status": "ok"}
            if free.ok and restricted is not None and restricted.ok:
                try:
                    result = lr_test(restricted.results, free.results)
                    row.update(chisq=result.chisq_diff, df=result.df_diff, pvalue=result.pvalue, method=result.method)
                except Exception as error:  # noqa: BLE001
                    row["status"] = f"failed: {error}"[:200]
            else:
                bad = restricted if (restricted is not None and not restricted.ok) else free
                row["status"] = bad.status if bad is not None else "missing"
            rows.append(row)
    return pd.DataFrame(rows, columns=["dimension", "test", "chisq", "df", "pvalue", "method", "n", "status"])
