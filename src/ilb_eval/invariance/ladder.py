"""The invariance ladder of one scale: configural -> metric -> scalar -> strict.

:func:`longitudinal_invariance` tests invariance of a scale across the waves
(one factor per wave, the residuals of the same item correlated across
waves; :mod:`~ilb_eval.invariance.syntax`), :func:`group_invariance` across
groups at one wave (lavaan's ``group.equal``). Every model is fitted by FIML
with MLR (:func:`ilb_eval.sem.cfa`); each level is compared with the one
before by :func:`~ilb_eval.invariance.decision.compare_levels` and the
ladder stops at the first level that does not hold.

Where scalar invariance fails after metric invariance held, a **partial
invariance search** frees one intercept at a time: the equality constraint
with the largest univariate score statistic (lavaan's ``lavTestScore``,
:meth:`ilb_eval.sem.SemResults.score_test`) is released, the model refitted
and compared with the metric model again, until the partial scalar model
holds or :func:`max_freed_items` distinct items have been freed (at least
two items keep equal intercepts, Byrne, Shavelson & Muthén 1989; Steenkamp
& Baumgartner 1998). The strict level is then tested on top of the
(partial) scalar model.

Nothing here raises for statistical trouble: a model that does not
converge from lavaan's default start is fitted again with
:data:`RETRY_STARTS` perturbed starts (fixed seed); a model that fails or
still does not converge ends the ladder with a row that says so, and the
result's ``notes`` explain it in plain words.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ilb_eval.invariance.decision import Comparison, compare_levels, configural_holds, fit_indices
from ilb_eval.invariance.spec import MeasurementSpec
from ilb_eval.invariance.syntax import LEVELS, longitudinal_syntax, wave_syntax
from ilb_eval.sem import SemResults, cfa

__all__ = [
    "GROUP_EQUAL",
    "HELD",
    "LADDER_COLUMNS",
    "InvarianceResult",
    "LevelRow",
    "group_invariance",
    "longitudinal_invariance",
    "engine_fit",
    "max_freed_items",
    "untested",
]

#: What ``held`` can say: the highest level that holds ("none": not even configural).
HELD = ("none", *LEVELS)

#: lavaan's ``group.equal`` per level of the multi-group ladder.
GROUP_EQUAL: dict[str, tuple[str, ...]] = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
}

#: Columns of :meth:`InvarianceResult.table`.
LADDER_COLUMNS = ("scale", "across", "level", "partial", "freed", "status", "decision", "n", "chisq_scaled",
                  "df", "pvalue_scaled", "index", "cfi", "rmsea", "delta_cfi", "delta_rmsea", "lr_chisq",
                  "lr_df", "lr_pvalue", "note")

Freed = tuple[tuple[str, str], ...]


def max_freed_items(n_items: int) -> int:
    """Most items whose intercepts the partial search may free: all but two.

    >>> [max_freed_items(n) for n in (2, 3, 4, 6)]
    [0, 1, 2, 4]
    """
    return max(int(n_items) - 2, 0)


@dataclass(frozen=True)
class LevelRow:
    """One row of the ladder: a level's fit and its comparison with the level before.

    ``status`` is ``ok``, ``not_converged``, ``failed`` or ``not_tested``;
    ``decision`` is ``held``, ``not held``, ``reference`` (configural that
    holds) or ``not tested``. ``freed`` lists ``(item, wave)`` (or ``(item,
    "groups")``) pairs with a free intercept in a partial model.
    """

    level: str
    status: str
    decision: str
    partial: bool = False
    freed: Freed = ()
    n: int | None = None
    chisq_scaled: float = math.nan
    df: int | None = None
    pvalue_scaled: float = math.nan
    index: str = "robust"
    cfi: float = math.nan
    rmsea: float = math.nan
    comparison: Comparison | None = None
    note: str = ""
    syntax: str = ""

    def record(self) -> dict[str, Any]:
        """The row as plain values (columns of :data:`LADDER_COLUMNS` without scale and across)."""
        c = self.comparison
        return {
            "level": self.level, "partial": self.partial,
            "freed": [f"{item} ({where})" for item, where in self.freed],
            "status": self.status, "decision": self.decision, "n": self.n,
            "chisq_scaled": self.chisq_scaled, "df": self.df, "pvalue_scaled": self.pvalue_scaled,
            "index": self.index, "cfi": self.cfi, "rmsea": self.rmsea,
            "delta_cfi": math.nan if c is None else c.delta_cfi,
            "delta_rmsea": math.nan if c is None else c.delta_rmsea,
            "lr_chisq": math.nan if c is None else c.chisq_diff,
            "lr_df": None if c is None else c.df_diff,
            "lr_pvalue": math.nan if c is None else c.pvalue,
            "note": self.note,
        }


@dataclass(frozen=True)
class InvarianceResult:
    """The ladder of one scale across waves or groups.

    Attributes
    ----------
    scale
        Scale name.
    across
        ``"waves"`` or ``"groups"``.
    held
        The highest level that holds (:data:`HELD`); a partial scalar model
        that holds counts as ``"scalar"`` (see ``freed``).
    freed
        ``(item, wave)`` pairs (``(item, "groups")`` across groups) whose
        intercepts the accepted partial scalar model frees; empty for full
        scalar invariance.
    rows
        One :class:`LevelRow` per level (partial scalar as an extra row).
    notes
        Plain-language notes: what was left out, why the ladder stopped,
        the steps of the partial search.
    spec
        The measurement model.
    fits
        The fitted models by level (``"scalar"`` is the accepted, possibly
        partial, scalar model); not serialised.
    """

    scale: str
    across: Literal["waves", "groups"]
    held: str
    freed: Freed
    rows: tuple[LevelRow, ...]
    notes: tuple[str, ...]
    spec: MeasurementSpec
    fits: dict[str, SemResults] = field(default_factory=dict, repr=False, compare=False)

    @property
    def freed_items(self) -> tuple[str, ...]:
        """Items with at least one freed intercept (scale order)."""
        items = {item for item, _ in self.freed}
        return tuple(item for item in self.spec.items if item in items)

    @property
    def scalar(self) -> bool:
        """Whether (partial) scalar invariance holds."""
        return self.held in ("scalar", "strict")

    @property
    def n(self) -> int | None:
        """Persons in the configural model (None when it was not fitted)."""
        return self.rows[0].n if self.rows else None

    def table(self) -> pd.DataFrame:
        """One row per level: the columns of :data:`LADDER_COLUMNS`."""
        records = [{"scale": self.scale, "across": self.across, **row.record()} for row in self.rows]
        return pd.DataFrame(records, columns=list(LADDER_COLUMNS))

    def to_dict(self) -> dict[str, Any]:
        """The ``results.json`` entry: scale, across, held, freed items and the ladder rows (with their syntax)."""
        return {
            "scale": self.scale, "across": self.across, "held": self.held,
            "freed": list(self.freed_items),
            "freed_parameters": [{"item": item, "at": where, "parameter": "intercept"}
                                 for item, where in self.freed],
            "n": self.n, "notes": list(self.notes),
            "levels": [{**row.record(), "syntax": row.syntax} for row in self.rows],
        }


# ----------------------------------------------------------------------------- fitting

#: Seed of the perturbed starts (results are reproducible).
STARTS_SEED = 20240415

#: Perturbed starts of a second attempt when a model does not converge from the default start.
RETRY_STARTS = 4

FitFunction = Callable[[str, Freed, int], SemResults]


def engine_fit(fit: Callable[[int], SemResults]) -> tuple[SemResults | None, str]:
    """Run ``fit(n_starts)``: first from lavaan's default start, again with :data:`RETRY_STARTS`
    perturbed starts when that does not converge; ``(None, reason)`` when the engine raises.

    Never raises: a failing model must not end the report.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = fit(0)
            if not result.converged:
                retry = fit(RETRY_STARTS)
                if retry.converged:
                    return retry, ""
            return result, ""
    except Exception as error:  # noqa: BLE001 - one failing model must not end the report
        lines = getattr(error, "lines", None)
        text = "; ".join(lines) if lines else f"{type(error).__name__}: {error}"
        return None, text[:300]


def _fit_safely(fit: FitFunction, level: str, freed: Freed) -> tuple[SemResults | None, str]:
    """Fit one level (see :func:`engine_fit`)."""
    return engine_fit(lambda n_starts: fit(level, freed, n_starts))


def _row(level: str, result: SemResults | None, reason: str, *, partial: bool = False, freed: Freed = (),
         syntax: str = "") -> LevelRow:
    if result is None:
        return LevelRow(level, "failed", "not held", partial, freed, note=f"the model failed: {reason}",
                        syntax=syntax)
    fit = result.fit
    kind = "robust"
    cfi, rmsea = fit_indices(result, kind)
    if not (np.isfinite(cfi) and np.isfinite(rmsea)):
        kind = "scaled"
        cfi, rmsea = fit_indices(result, kind)
    notes = [f"{w.code}: {w.message}" for w in result.warnings if w.code != "ROWS_DROPPED"]
    return LevelRow(
        level=level, status="ok" if result.converged else "not_converged",
        decision="not held" if not result.converged else "", partial=partial, freed=freed,
        n=result.ntotal, chisq_scaled=float(fit.get("chisq_scaled", fit.get("chisq", math.nan))),
        df=int(fit["df"]), pvalue_scaled=float(fit.get("pvalue_scaled", fit.get("pvalue", math.nan))),
        index=kind, cfi=cfi, rmsea=rmsea, note=" ".join(notes), syntax=syntax,
    )


def _with(row: LevelRow, **changes: Any) -> LevelRow:
    values = {name: getattr(row, name) for name in LevelRow.__dataclass_fields__}
    values.update(changes)
    return LevelRow(**values)


def _not_tested(levels: Sequence[str], why: str) -> list[LevelRow]:
    return [LevelRow(level, "not_tested", "not tested", note=why) for level in levels]


def untested(spec: MeasurementSpec, across: Literal["waves", "groups"], why: str,
             notes: Sequence[str] = ()) -> InvarianceResult:
    """A ladder that could not be run: every level ``not tested``, ``held`` "none", ``why`` as the last note.

    >>> spec = MeasurementSpec("x", ("a",), (), {}, None)
    >>> untested(spec, "waves", "one item only").notes
    ('No invariance test across waves: one item only.',)
    """
    note = f"No invariance test across {across}: {why}."
    return InvarianceResult(spec.scale, across, "none", (), tuple(_not_tested(LEVELS, why)), (*notes, note), spec)


Candidates = Callable[[SemResults], list[tuple[tuple[str, str], float]]]


def _ladder(
    scale: str,
    across: Literal["waves", "groups"],
    spec: MeasurementSpec,
    fit: FitFunction,
    syntax: Callable[[str, Freed], str],
    candidates: Candidates,
    max_items: int,
    notes: list[str],
) -> InvarianceResult:
    rows: list[LevelRow] = []
    fits: dict[str, SemResults] = {}

    def finish(held: str, freed: Freed = ()) -> InvarianceResult:
        done = {row.level for row in rows}
        rest = [level for level in LEVELS if level not in done]
        if rest:
            rows.extend(_not_tested(rest, f"not tested: the {LEVELS[LEVELS.index(rest[0]) - 1]} level does "
                                          "not hold" if held != "none" else "not tested: configural invariance "
                                          "does not hold"))
        return InvarianceResult(scale, across, held, freed, tuple(rows), tuple(notes), spec, fits)

    result, reason = _fit_safely(fit, "configural", ())
    row = _row("configural", result, reason, syntax=syntax("configural", ()))
    if result is None or not result.converged:
        rows.append(row)
        notes.append(f"The configural model {'failed' if result is None else 'did not converge'}"
                     f"{': ' + reason if reason else ''}; invariance could not be assessed.")
        return finish("none")
    held, _, why = configural_holds(result)
    rows.append(_with(row, decision="reference" if held else "not held",
                      note=" ".join(x for x in (row.note, why) if x)))
    if not held:
        notes.append(f"Configural invariance does not hold: {why}.")
        return finish("none")
    fits["configural"] = result
    level_held = "configural"
    freed: Freed = ()
    for level in LEVELS[1:]:
        general = fits[level_held]
        result, reason = _fit_safely(fit, level, freed)
        row = _row(level, result, reason, syntax=syntax(level, freed), freed=freed, partial=bool(freed))
        if result is None or not result.converged:
            rows.append(row)
            notes.append(f"The {level} model {'failed' if result is None else 'did not converge'}"
                         f"{': ' + reason if reason else ''}; the ladder stops at {level_held}.")
            return finish(level_held, freed if level_held != "metric" else ())
        comparison = compare_levels(result, general)
        row = _with(row, comparison=comparison, decision="held" if comparison.held else "not held",
                    note=" ".join(x for x in (row.note, *comparison.notes) if x))
        rows.append(row)
        if comparison.held:
            fits[level] = result
            level_held = level
            continue
        if level != "scalar":
            return finish(level_held, freed)
        partial = _partial_search(level, result, general, fit, syntax, candidates, max_items, notes)
        if partial is None:
            return finish(level_held)
        rows.append(partial[0])
        fits["scalar"] = partial[1]
        freed = partial[0].freed
        level_held = "scalar"
    return finish(level_held, freed)


def _partial_search(
    level: str,
    full: SemResults,
    general: SemResults,
    fit: FitFunction,
    syntax: Callable[[str, Freed], str],
    candidates: Candidates,
    max_items: int,
    notes: list[str],
) -> tuple[LevelRow, SemResults] | None:
    """Free intercepts one at a time by the largest score statistic; the accepted row and fit, or None."""
    if max_items <= 0:
        notes.append("Scalar invariance does not hold; with two items no partial search is possible "
                     "(a different intercept cannot be traced to one of the two items).")
        return None
    current, freed = full, ()
    tried: list[str] = []
    while True:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ranked = candidates(current)
        except Exception as error:  # noqa: BLE001 - the search ends, the ladder stays at metric
            notes.append(f"Scalar invariance does not hold; the score test failed ({type(error).__name__}), "
                         "so no partial search was made.")
            return None
        items = {item for item, _ in freed}
        allowed = [(pair, x2) for pair, x2 in ranked if pair not in freed
                   and (pair[0] in items or len(items) < max_items)]
        if not allowed:
            notes.append(f"Scalar invariance does not hold, also not partially: after freeing "
                         f"{', '.join(tried) or 'nothing'} no further intercept may be freed (at most "
                         f"{max_items} items).")
            return None
        pair, x2 = max(allowed, key=lambda item: item[1])
        freed = (*freed, pair)
        tried.append(f"{pair[0]} ({pair[1]}, score χ² {x2:.1f})")
        result, reason = _fit_safely(fit, level, freed)
        row = _row(level, result, reason, partial=True, freed=freed, syntax=syntax(level, freed))
        if result is None or not result.converged:
            notes.append(f"The partial scalar model freeing {', '.join(tried)} "
                         f"{'failed' if result is None else 'did not converge'}; the ladder stays at metric.")
            return None
        comparison = compare_levels(result, general)
        row = _with(row, comparison=comparison, decision="held" if comparison.held else "not held",
                    note=" ".join(x for x in (row.note, *comparison.notes) if x))
        if comparison.held:
            notes.append(f"Full scalar invariance does not hold; partial scalar invariance holds after "
                         f"freeing the intercept(s) of {', '.join(tried)}.")
            return row, result
        current = result


# ----------------------------------------------------------------------------- across waves

def _intercept_pairs(result: SemResults, locate: Callable[[str, str], tuple[str, str] | None]
                     ) -> list[tuple[tuple[str, str], float]]:
    """Univariate score statistics of the intercept equalities, as ((item, where), X2)."""
    table = result.score_test().univariate
    out = []
    for row in table.itertuples(index=False):
        if row.left_op != "~1" or row.right_op != "~1":
            continue
        pair = locate(str(row.right_lhs), str(row.right_group))
        if pair is not None and np.isfinite(row.X2):
            out.append((pair, float(row.X2)))
    return out


def longitudinal_invariance(
    data: pd.DataFrame, spec: MeasurementSpec, *, estimator: Literal["ML", "MLR"] = "MLR",
    max_items: int | None = None,
) -> InvarianceResult:
    """The invariance ladder of one scale across waves.

    Parameters
    ----------
    data
        Item-level data with the columns of ``spec``
        (:func:`~ilb_eval.invariance.spec.item_data`).
    spec
        The measurement model (:func:`~ilb_eval.invariance.spec.measurement_spec`).
    estimator
        ``"MLR"`` (default) or ``"ML"``.
    max_items
        Most items the partial search may free (default :func:`max_freed_items`).

    Returns
    -------
    InvarianceResult

    Examples
    --------
    >>> from ilb_eval.datasets import load_example_panel, load_example_study
    >>> from ilb_eval.invariance.spec import item_data, measurement_spec
    >>> study = load_example_study("ZP")
    >>> data = item_data(load_example_panel("ZP"), study, "belastbarkeit")
    >>> result = longitudinal_invariance(data, measurement_spec(study.scale("belastbarkeit"), data))
    >>> result.held, [row.decision for row in result.rows]
    ('strict', ['reference', 'held', 'held', 'held'])
    """
    notes = list(spec.notes)
    if not spec.usable:
        why = ("fewer than two waves with at least two answered items" if len(spec.waves) < 2
               else "no item is answered at every wave (no marker)")
        return untested(spec, "waves", why, notes)
    if spec.n_items == 2:
        notes.append("The scale has two items: the residuals of the same item are not correlated across waves "
                     "(with them the configural and metric models are not identified), and a different "
                     "intercept cannot be traced to one item (no partial search).")
    columns = list(dict.fromkeys(spec.columns.values()))
    frame = data[columns]

    def fit(level: str, freed: Freed, n_starts: int) -> SemResults:
        return cfa(longitudinal_syntax(spec, level, freed), frame, estimator=estimator, n_starts=n_starts,
                   seed=STARTS_SEED)

    def locate(column: str, _group: str) -> tuple[str, str] | None:
        try:
            return spec.locate(column)
        except KeyError:
            return None

    limit = max_freed_items(spec.n_items) if max_items is None else max_items
    return _ladder(spec.scale, "waves", spec,
                   fit, lambda level, freed: longitudinal_syntax(spec, level, freed),
                   lambda result: _intercept_pairs(result, locate), limit, notes)


# ----------------------------------------------------------------------------- across groups

def group_invariance(
    data: pd.DataFrame, spec: MeasurementSpec, group: str, *, wave: str | None = None,
    group_label: Sequence[str] | None = None, estimator: Literal["ML", "MLR"] = "MLR",
    max_items: int | None = None,
) -> InvarianceResult:
    """The invariance ladder of one scale across groups at one wave (lavaan's ``group.equal``).

    Parameters
    ----------
    data
        Item-level data with the columns of ``spec`` and the column ``group``.
    spec
        The measurement model; the wave ``wave`` (default: its first) is used.
    group
        Grouping column (e.g. iLB vs control).
    group_label
        Order of the groups (the first is the reference whose factor mean is 0).
    estimator, max_items
        As :func:`longitudinal_invariance`.

    Returns
    -------
    InvarianceResult
        ``across == "groups"``; freed intercepts are ``(item, "groups")``.
    """
    notes = list(spec.notes)
    wave = wave or (spec.waves[0] if spec.waves else None)
    if wave is None or len(spec.items_at(wave)) < 3:
        return untested(spec, "groups", "fewer than three answered items at the wave (a one-factor model of two "
                                        "items is not identified in each group)", notes)
    at_wave = spec.restricted_to([wave])
    columns = [at_wave.column(item, wave) for item in at_wave.items_at(wave)]
    frame = data.loc[data[columns].notna().any(axis=1), [*columns, group]]
    model = wave_syntax(at_wave, wave)
    def fit(level: str, freed: Freed, n_starts: int) -> SemResults:
        partial = [f"{at_wave.column(item, wave)}~1" for item, _ in freed]
        return cfa(model, frame, group=group, group_equal=list(GROUP_EQUAL[level]) or None,
                   group_partial=partial or None, group_label=group_label, estimator=estimator,
                   n_starts=n_starts, seed=STARTS_SEED)

    def syntax(level: str, freed: Freed) -> str:
        options = [f"group = \"{group}\""]
        if GROUP_EQUAL[level]:
            options.append("group.equal = c(" + ", ".join(f'"{x}"' for x in GROUP_EQUAL[level]) + ")")
        if freed:
            options.append("group.partial = c(" + ", ".join(f'"{at_wave.column(item, wave)} ~ 1"'
                                                            for item, _ in freed) + ")")
        return model + "\n# lavaan options: " + ", ".join(options)

    def locate(column: str, _group: str) -> tuple[str, str] | None:
        try:
            return at_wave.locate(column)[0], "groups"
        except KeyError:
            return None

    limit = max_freed_items(len(columns)) if max_items is None else max_items
    return _ladder(spec.scale, "groups", at_wave, fit, syntax,
                   lambda result: _intercept_pairs(result, locate), limit, notes)
