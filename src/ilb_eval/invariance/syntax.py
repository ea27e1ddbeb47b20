"""lavaan syntax of the invariance models of one scale.

Identification (documented in docs/DESIGN.md, "Measurement invariance"):
the **marker** item's loading is 1 at every wave; in the configural and
metric models every item intercept is free and every factor mean 0 (lavaan's
``cfa()`` defaults); from the scalar model on the intercepts of the same item
are equal across waves, the factor mean of the first wave is 0 and the
factor means of the later waves are free. That is the "fixed factor mean at
wave 1, marker loading" convention, equivalent in fit to semTools'
``measEq.syntax(ID.fac = "marker")``, and it is exactly the syntax of the
lavaan references ``tests/fixtures/lavaan/sem/inv_long_*``.

Names: factors ``F_<wave>``, growth factors ``I`` and ``S``, labels
``L<j>`` (loading of the j-th item of the scale), ``N<j>`` (intercept),
``E<j>`` (residual variance): upper case, so they never collide with the
lower-case identifiers of a study definition. The residuals of the same
item are correlated across waves at every level, except in a scale of two
items: there the loading would trade off against the factor covariances
(the configural and metric models are not identified), so the residuals
stay uncorrelated.

Partial invariance frees single parameters: ``free`` holds ``(item,
wave)`` pairs whose intercept is not held equal (in the longitudinal model
the item's intercept at that wave gets its own free parameter).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from ilb_eval.invariance.spec import MeasurementSpec

__all__ = [
    "LEVELS",
    "factor_name",
    "longitudinal_syntax",
    "second_order_syntax",
    "wave_syntax",
]

#: The invariance levels in ladder order.
LEVELS = ("configural", "metric", "scalar", "strict")


def factor_name(wave: str) -> str:
    """The factor of the scale at ``wave``.

    >>> factor_name("t3")
    'F_t3'
    """
    return f"F_{wave}"


def _level(level: str) -> int:
    if level not in LEVELS:
        raise ValueError(f"unknown invariance level {level!r}; use one of {', '.join(LEVELS)}")
    return LEVELS.index(level)


def _measurement(spec: MeasurementSpec, equal_loadings: bool) -> list[str]:
    lines = []
    for wave in spec.waves:
        terms = []
        for j, item in enumerate(spec.items, start=1):
            if (item, wave) not in spec.columns:
                continue
            column = spec.column(item, wave)
            if item == spec.marker:
                terms.insert(0, f"1*{column}")
            else:
                terms.append(f"L{j}*{column}" if equal_loadings else column)
        lines.append(f"{factor_name(wave)} =~ " + " + ".join(terms))
    if spec.n_items <= 2:
        lines.append("# two items, so the residuals of the same item are not correlated across waves")
        return lines
    lines.append("# the residuals of the same item correlated across waves")
    for item in spec.items:
        columns = [spec.column(item, wave) for wave in spec.waves_of(item)]
        for k, first in enumerate(columns[:-1]):
            lines.append(f"{first} ~~ " + " + ".join(columns[k + 1 :]))
    return lines


def _intercepts(spec: MeasurementSpec, free: Collection[tuple[str, str]], marker_zero: bool) -> list[str]:
    lines = []
    for wave in spec.waves:
        for j, item in enumerate(spec.items, start=1):
            if (item, wave) not in spec.columns:
                continue
            if (item, wave) in free:
                prefix = ""
            elif marker_zero and item == spec.marker:
                prefix = "0*"
            else:
                prefix = f"N{j}*"
            lines.append(f"{spec.column(item, wave)} ~ {prefix}1")
    return lines


def longitudinal_syntax(spec: MeasurementSpec, level: str, free: Collection[tuple[str, str]] = ()) -> str:
    """The longitudinal model of one scale at one invariance level.

    Parameters
    ----------
    spec
        The measurement model (waves, items, columns, marker).
    level
        ``"configural"``, ``"metric"``, ``"scalar"`` or ``"strict"``.
    free
        ``(item, wave)`` pairs whose intercept is free (partial scalar
        invariance; scalar and strict only).

    Returns
    -------
    str
        lavaan model syntax for ``cfa()``.

    Examples
    --------
    >>> spec = MeasurementSpec("x", ("a", "b", "c"), ("t1", "t2"),
    ...     {(i, w): f"{i}_{w}" for i in "abc" for w in ("t1", "t2")}, "a")
    >>> print(longitudinal_syntax(spec, "metric"))
    F_t1 =~ 1*a_t1 + L2*b_t1 + L3*c_t1
    F_t2 =~ 1*a_t2 + L2*b_t2 + L3*c_t2
    # the residuals of the same item correlated across waves
    a_t1 ~~ a_t2
    b_t1 ~~ b_t2
    c_t1 ~~ c_t2
    >>> print(longitudinal_syntax(spec, "scalar", free=[("b", "t2")]).split("others")[1])
    <BLANKLINE>
    a_t1 ~ N1*1
    b_t1 ~ N2*1
    c_t1 ~ N3*1
    a_t2 ~ N1*1
    b_t2 ~ 1
    c_t2 ~ N3*1
    F_t1 ~ 0*1
    F_t2 ~ 1
    """
    if spec.marker is None:
        raise ValueError(f"scale {spec.scale!r} has no marker item observed at every wave")
    k = _level(level)
    lines = _measurement(spec, equal_loadings=k >= 1)
    if k >= 2:
        lines.append("# equal intercepts, factor mean 0 at the first wave and free at the others")
        lines += _intercepts(spec, set(free), marker_zero=False)
        lines.append(f"{factor_name(spec.waves[0])} ~ 0*1")
        lines += [f"{factor_name(wave)} ~ 1" for wave in spec.waves[1:]]
    if k >= 3:
        lines.append("# equal residual variances")
        for wave in spec.waves:
            for j, item in enumerate(spec.items, start=1):
                if (item, wave) in spec.columns:
                    column = spec.column(item, wave)
                    lines.append(f"{column} ~~ E{j}*{column}")
    return "\n".join(lines)


def wave_syntax(spec: MeasurementSpec, wave: str) -> str:
    """The one-factor model of the scale's items at one wave (for the multi-group ladder).

    The levels come from lavaan's ``group.equal`` (see
    :data:`ilb_eval.invariance.ladder.GROUP_EQUAL`), so the syntax is the same
    at every level.

    >>> spec = MeasurementSpec("x", ("a", "b", "c"), ("t1",),
    ...     {(i, "t1"): f"{i}_t1" for i in "abc"}, "a")
    >>> wave_syntax(spec, "t1")
    'F_t1 =~ a_t1 + b_t1 + c_t1'
    """
    items = spec.items_at(wave)
    ordered = [item for item in items if item == spec.marker] + [item for item in items if item != spec.marker]
    return f"{factor_name(wave)} =~ " + " + ".join(spec.column(item, wave) for item in ordered)


def second_order_syntax(
    spec: MeasurementSpec,
    time_scores: Sequence[float],
    covariates: Sequence[str] = (),
    free: Collection[tuple[str, str]] = (),
    effect_of: str | None = None,
) -> str:
    """Second-order ("curve-of-factors") linear growth on the scalar-invariant measurement model.

    The measurement part is the (partial) scalar model with the marker's
    intercept fixed at 0 (instead of the first factor mean), so that the
    factor means come from the growth factors: ``I`` (level at time score
    0) and ``S`` (change per time unit) with loadings 1 and the time scores
    on ``F_<wave>``, whose own means are 0. Covariates predict ``I`` and
    ``S``. Defined parameters (``:=``) put the results on the metric of the
    scale mean (mean of the items), where a latent unit is the mean loading
    ``LBAR``:

    - ``S_MEAN``/``I_MEAN``: mean slope and level (no covariates), and
    - ``S_EFFECT``/``I_EFFECT``: the coefficient of ``effect_of`` on ``S``/``I``
      (with covariates), each times ``LBAR`` (``I_MEAN`` also adds the mean
      of the first wave's item intercepts).

    Parameters
    ----------
    spec
        The measurement model.
    time_scores
        Time score of each wave of ``spec.waves``.
    covariates
        Predictors of ``I`` and ``S``.
    free
        ``(item, wave)`` pairs with a free intercept (partial invariance).
    effect_of
        The covariate whose effects are rescaled (e.g. ``"ilb"``).

    Returns
    -------
    str
        lavaan model syntax for ``sem()``.
    """
    if spec.marker is None:
        raise ValueError(f"scale {spec.scale!r} has no marker item observed at every wave")
    if len(time_scores) != len(spec.waves):
        raise ValueError("give one time score per wave of the measurement model")
    lines = _measurement(spec, equal_loadings=True)
    lines.append("# intercepts equal across waves, the marker's fixed at 0")
    lines += _intercepts(spec, set(free), marker_zero=True)
    factors = [factor_name(w) for w in spec.waves]
    scores = [_number(t) for t in time_scores]
    lines.append("# growth of the construct")
    lines.append("I =~ " + " + ".join(f"1*{f}" for f in factors))
    lines.append("S =~ " + " + ".join(f"{t}*{f}" for t, f in zip(scores, factors, strict=True)))
    lines += [f"{f} ~ 0*1" for f in factors]
    loadings = [("1" if item == spec.marker else f"L{j}") for j, item in enumerate(spec.items, start=1)
                if spec.waves_of(item)]
    lines.append(f"LBAR := ({' + '.join(loadings)}) / {len(loadings)}")
    if covariates:
        for factor, prefix in (("I", "BI"), ("S", "BS")):
            terms = [f"{prefix}_{c}*{c}" if c == effect_of else c for c in covariates]
            lines.append(f"{factor} ~ " + " + ".join(terms))
        lines += ["I ~ 1", "S ~ 1"]
        if effect_of is not None:
            lines += [f"I_EFFECT := BI_{effect_of} * LBAR", f"S_EFFECT := BS_{effect_of} * LBAR"]
    else:
        lines += ["I ~ MI*1", "S ~ MS*1"]
        first = spec.waves[0]
        intercepts = [("0" if item == spec.marker else f"N{j}")
                      for j, item in enumerate(spec.items, start=1)
                      if (item, first) in spec.columns and (item, first) not in set(free)]
        lines.append(f"I_MEAN := ({' + '.join(intercepts)}) / {len(intercepts)} + MI * LBAR")
        lines.append("S_MEAN := MS * LBAR")
    return "\n".join(lines)


def _number(value: float) -> str:
    """A time score as lavaan reads it (``2`` rather than ``2.0``).

    >>> _number(2.0), _number(1.5)
    ('2', '1.5')
    """
    return str(int(value)) if float(value).is_integer() else repr(float(value))
