"""Second-order ("curve-of-factors") growth of a scale that is (partially) scalar invariant.

Instead of the scale mean at each wave, the growth model describes the
common factor of the items: the factors ``F_<wave>`` of the invariant
measurement model (:func:`~ilb_eval.invariance.syntax.second_order_syntax`)
are the indicators of a linear growth model with level ``I`` and change
``S`` (McArdle 1988; Hancock, Kuo & Lawrence 2001). Because loadings and
intercepts are equal across waves (up to the intercepts the partial search
freed), a change of ``S`` is change of the construct, not of how items are
answered (response shift).

The factor is on the metric of the marker item; the results are reported on
the metric of the scale mean (the mean of the items) by defined parameters
(``:=``, delta-method standard errors): a latent unit is the mean loading, so
a slope or effect times the mean loading is in scale points, comparable with
the scale-mean growth model of the report.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from ilb_eval.invariance.ladder import STARTS_SEED, Freed, InvarianceResult, engine_fit
from ilb_eval.invariance.spec import MeasurementSpec
from ilb_eval.invariance.syntax import second_order_syntax
from ilb_eval.sem import SemResults, sem

__all__ = ["GROWTH_COLUMNS", "SecondOrderGrowth", "growth_for", "second_order_growth"]

#: Columns of :attr:`SecondOrderGrowth.rows`.
GROWTH_COLUMNS = ("scale", "factor", "quantity", "estimate", "se", "z", "pvalue", "ci_lower", "ci_upper", "n",
                  "status", "held", "freed")

_DEFINED = {("i", "mean"): "I_MEAN", ("s", "mean"): "S_MEAN", ("i", "effect"): "I_EFFECT",
            ("s", "effect"): "S_EFFECT"}


@dataclass(frozen=True)
class SecondOrderGrowth:
    """The second-order growth model of one scale.

    Attributes
    ----------
    scale
        Scale name.
    status
        ``ok``, ``not_converged``, ``failed`` or ``skipped`` (the scale is not
        scalar invariant; ``reason`` says why).
    reason
        Why the status is not ``ok``.
    rows
        Level and change of the construct on the scale-mean metric: one row
        per factor (``i``, ``s``) with ``quantity`` ``"mean"`` (no
        covariates) or ``"effect"`` (coefficient of the effect variable);
        columns :data:`GROWTH_COLUMNS`.
    fit
        Scaled χ², df, robust CFI and RMSEA of the model.
    syntax
        The lavaan syntax fitted.
    results
        The engine's fit (None when not fitted); not serialised.
    """

    scale: str
    status: str
    reason: str = ""
    rows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(GROWTH_COLUMNS)))
    fit: Mapping[str, float] = field(default_factory=dict)
    syntax: str = ""
    results: SemResults | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """Whether the estimates may be reported."""
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record (estimates, fit, status, lavaan syntax)."""
        return {"scale": self.scale, "status": self.status, "reason": self.reason,
                "rows": self.rows.drop(columns=["scale"]).to_dict(orient="records"),
                "fit": dict(self.fit), "syntax": self.syntax}


def _skipped(scale: str, reason: str, status: str = "skipped") -> SecondOrderGrowth:
    return SecondOrderGrowth(scale, status, reason)


def second_order_growth(
    data: pd.DataFrame,
    spec: MeasurementSpec,
    time_scores: Mapping[str, float],
    *,
    covariates: Sequence[str] = (),
    effect_of: str | None = None,
    freed: Freed = (),
    held: str = "scalar",
    estimator: Literal["ML", "MLR"] = "MLR",
) -> SecondOrderGrowth:
    """Fit second-order linear growth on the (partial) scalar measurement model of one scale.

    Parameters
    ----------
    data
        Item-level data with the columns of ``spec`` and the covariates.
    spec
        The measurement model.
    time_scores
        Time score per wave name.
    covariates
        Predictors of level and change (e.g. ``["ilb", "age40", ...]``);
        rows with a missing covariate are left out (as lavaan).
    effect_of
        The covariate whose coefficients are reported (``"ilb"``); without
        it the mean level and mean change are reported.
    freed
        Intercepts left free by the partial invariance search.
    held
        The invariance level reached (written into the rows).
    estimator
        ``"MLR"`` (default) or ``"ML"``.

    Returns
    -------
    SecondOrderGrowth
        Never raises for a model that fails: the status says so.

    Examples
    --------
    >>> from ilb_eval.datasets import load_example_panel, load_example_study
    >>> from ilb_eval.invariance.spec import item_data, measurement_spec
    >>> study = load_example_study("ZP")
    >>> data = item_data(load_example_panel("ZP"), study, "fachkompetenz")
    >>> spec = measurement_spec(study.scale("fachkompetenz"), data)
    >>> growth = second_order_growth(data, spec, dict(zip(study.wave_names, study.time_scores)))
    >>> growth.status, growth.rows["factor"].tolist()
    ('ok', ['i', 's'])
    """
    if effect_of is not None and effect_of not in covariates:
        raise ValueError(f"effect_of {effect_of!r} must be one of the covariates")
    try:
        syntax = second_order_syntax(spec, [time_scores[w] for w in spec.waves], covariates, freed, effect_of)
    except (ValueError, KeyError) as error:
        return _skipped(spec.scale, f"no second-order model: {error}")
    frame = data[[*dict.fromkeys(spec.columns.values()), *covariates]]
    result, failure = engine_fit(lambda n_starts: sem(syntax, frame, estimator=estimator, n_starts=n_starts,
                                                      seed=STARTS_SEED))
    if result is None:
        return SecondOrderGrowth(spec.scale, "failed", failure, syntax=syntax)
    fit = {key: float(result.fit.get(key, math.nan))
           for key in ("chisq_scaled", "df", "pvalue_scaled", "cfi_robust", "rmsea_robust")}
    quantity = "effect" if effect_of is not None else "mean"
    params = result.params
    rows = []
    for factor in ("i", "s"):
        hit = params[(params["op"] == ":=") & (params["lhs"] == _DEFINED[(factor, quantity)])].iloc[0]
        rows.append({"scale": spec.scale, "factor": factor, "quantity": quantity,
                     **{k: float(hit[k]) for k in ("se", "z", "pvalue", "ci_lower", "ci_upper")},
                     "estimate": float(hit["est"]), "n": result.ntotal,
                     "status": "ok" if result.converged else "not_converged", "held": held,
                     "freed": ", ".join(f"{item} ({where})" for item, where in freed)})
    table = pd.DataFrame(rows, columns=list(GROWTH_COLUMNS))
    if not result.converged:
        return SecondOrderGrowth(spec.scale, "not_converged", "the optimiser did not converge", table, fit,
                                 syntax, result)
    problems = [w.code for w in result.warnings if w.code not in ("ROWS_DROPPED",)]
    reason = ("estimation warnings: " + ", ".join(problems)) if problems else ""
    return SecondOrderGrowth(spec.scale, "ok", reason, table, fit, syntax, result)


def growth_for(
    ladder: InvarianceResult,
    data: pd.DataFrame,
    time_scores: Mapping[str, float],
    *,
    covariates: Sequence[str] = (),
    effect_of: str | None = None,
) -> SecondOrderGrowth:
    """Second-order growth of a scale after its longitudinal ladder (skipped below scalar).

    >>> from ilb_eval.invariance.spec import MeasurementSpec
    >>> spec = MeasurementSpec("x", ("a", "b"), ("t1", "t2"), {}, None)
    >>> ladder = InvarianceResult("x", "waves", "metric", (), (), (), spec)
    >>> growth_for(ladder, pd.DataFrame(), {"t1": 0, "t2": 1}).reason
    'the scale is not scalar invariant across waves (held: metric)'
    """
    if ladder.across != "waves":
        raise ValueError("second-order growth needs the ladder across waves")
    if not ladder.scalar:
        return _skipped(ladder.scale, f"the scale is not scalar invariant across waves (held: {ladder.held})")
    return second_order_growth(data, ladder.spec, time_scores, covariates=covariates, effect_of=effect_of,
                               freed=ladder.freed, held=ladder.held)
