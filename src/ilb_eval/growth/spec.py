"""The growth-model specification: what is fitted, checked once where it comes in.

A :class:`GrowthSpec` names the outcome columns in wave order, their time
scores, the covariates that predict intercept and slope, an optional grouping
column and the equality constraints. It checks itself on construction and can
print the equivalent lavaan syntax so that any fit can be reproduced in R.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from ilb_eval.exceptions import SpecError

__all__ = ["ESTIMATORS", "GrowthSpec"]

#: Estimators: "ML" (SEs from the observed information) and "MLR" (ML estimates,
#: Huber-White sandwich SEs and the Yuan-Bentler (Mplus variant) scaled test).
ESTIMATORS: tuple[str, ...] = ("ML", "MLR")

_RESIDUAL_OPTIONS = ("free", "equal")
_SLOPE_OPTIONS = ("free", "zero")
_BASIS_OPTIONS = ("fixed", "latent")
_RESERVED = ("i", "s")


def _names(value: object, argument: str) -> tuple[str, ...]:
    if isinstance(value, str):
        raise SpecError(
            f"{argument} must be a sequence of column names, got the single string {value!r}. "
            f"Pass a list, e.g. {argument}=[{value!r}]."
        )
    try:
        items = tuple(value)  # type: ignore[call-overload]
    except TypeError:
        raise SpecError(
            f"{argument} must be a sequence of column names, got {type(value).__name__}. "
            "Pass a list of strings."
        ) from None
    for item in items:
        if not isinstance(item, str) or not item:
            raise SpecError(
                f"{argument} must contain non-empty column names (text), got {item!r}. "
                "Pass the names of the data columns as strings."
            )
    dup = sorted({n for n in items if items.count(n) > 1})
    if dup:
        raise SpecError(f"{argument} names {', '.join(dup)} more than once. Give each column once.")
    return items


@dataclass(frozen=True)
class GrowthSpec:
    """Specification of a linear latent growth curve model.

    The intercept factor ``i`` loads 1 on every outcome, the slope factor ``s``
    loads the time score of each wave. Observed intercepts are fixed at 0, the
    factor means, variances and their covariance are free, residual variances
    are free per wave (or equal over waves), covariates predict both factors
    and are treated as fixed (lavaan's ``fixed.x = TRUE``).

    Parameters
    ----------
    outcomes
        Outcome columns in wave order (at least 3).
    time_scores
        One time score per outcome; unequal spacing is allowed.
    covariates
        Columns that predict ``i`` and ``s``.
    group
        Column whose distinct values define the groups of a multi-group model.
    equal_intercept_means, equal_slope_means
        Constrain the mean of ``i`` (``s``) to be equal in all groups.
    residual_variances
        ``"free"`` (one residual variance per wave) or ``"equal"`` (one per group).
    estimator
        ``"ML"`` or ``"MLR"`` (robust sandwich standard errors and the
        Yuan-Bentler scaled test, as lavaan's ``estimator = "MLR"``).
    slope_variance
        ``"free"`` (random slope) or ``"zero"``: random intercept, fixed
        slope (lavaan: ``s ~~ 0*s; i ~~ 0*s``).
    time_basis
        ``"fixed"`` (the slope loads the given time scores: linear growth) or
        ``"latent"``: a latent-basis model, in which the time scores of all
        waves but the first and the last are estimated (lavaan:
        ``s =~ 0*y1 + NA*y3 + 3*y4``); the given values are their start
        values. The first and last time scores fix the metric of the slope,
        so they must differ; with groups the estimated time scores are equal
        across groups (one time metric for every group).

    Raises
    ------
    SpecError
        When the specification is inconsistent or not identified (more free
        parameters than moments per group; the message starts with
        ``NOT_IDENTIFIED``); the message says what was given and how to fix it.

    Examples
    --------
    >>> spec = GrowthSpec(outcomes=("y1", "y3", "y4"), time_scores=(0, 2, 3))
    >>> spec.n_waves
    3
    >>> print(spec.to_lavaan().splitlines()[1])
    i =~ 1*y1 + 1*y3 + 1*y4
    """

    outcomes: tuple[str, ...]
    time_scores: tuple[float, ...]
    covariates: tuple[str, ...] = ()
    group: str | None = None
    equal_intercept_means: bool = False
    equal_slope_means: bool = False
    residual_variances: Literal["free", "equal"] = "free"
    estimator: Literal["ML", "MLR"] = "ML"
    slope_variance: Literal["free", "zero"] = "free"
    time_basis: Literal["fixed", "latent"] = "fixed"

    def __post_init__(self) -> None:
        outcomes = _names(self.outcomes, "outcomes")
        covariates = _names(self.covariates, "covariates")
        object.__setattr__(self, "outcomes", outcomes)
        object.__setattr__(self, "covariates", covariates)
        if len(outcomes) < 2:
            raise SpecError(
                f"outcomes has {len(outcomes)} column(s) ({', '.join(outcomes) or 'none'}); "
                "a growth model needs at least 2 waves (3 with a random slope). "
                "Pass the outcome columns in wave order."
            )
        try:
            scores = tuple(float(t) for t in self.time_scores)
        except (TypeError, ValueError):
            raise SpecError(
                f"time_scores must be numbers, got {self.time_scores!r}. "
                "Pass one number per outcome, e.g. time_scores=(0, 2, 3)."
            ) from None
        if len(scores) != len(outcomes):
            raise SpecError(
                f"time_scores has {len(scores)} value(s) but outcomes has {len(outcomes)} "
                f"({', '.join(outcomes)}). Pass one time score per outcome."
            )
        if not all(math.isfinite(t) for t in scores):
            raise SpecError(
                f"time_scores must be finite numbers, got {scores}. Replace NaN/inf values."
            )
        object.__setattr__(self, "time_scores", scores)
        if len(set(scores)) < 2:
            raise SpecError(
                f"NOT_IDENTIFIED: the time scores are all {scores[0]:g}; the slope needs time "
                "scores that differ between waves. Pass e.g. time_scores=(0, 2, 3)."
            )
        overlap = sorted(set(outcomes) & set(covariates))
        if overlap:
            raise SpecError(
                f"{', '.join(overlap)} is both an outcome and a covariate. "
                "Use each column in one role only."
            )
        reserved = sorted(set(outcomes + covariates) & set(_RESERVED))
        if reserved:
            raise SpecError(
                f"column name(s) {', '.join(reserved)} clash with the growth factors i and s. "
                "Rename the column(s) before fitting."
            )
        if self.group is not None:
            if not isinstance(self.group, str) or not self.group:
                raise SpecError(
                    f"group must be a column name or None, got {self.group!r}. "
                    "Pass the name of the grouping column."
                )
            if self.group in outcomes or self.group in covariates:
                raise SpecError(
                    f"group column {self.group!r} is also an outcome or covariate. "
                    "Use a separate column for the groups."
                )
        elif self.equal_intercept_means or self.equal_slope_means:
            raise SpecError(
                "equal_intercept_means/equal_slope_means constrain means across groups, "
                "but no group column was given. Pass group=<column> or drop the constraint."
            )
        if self.residual_variances not in _RESIDUAL_OPTIONS:
            raise SpecError(
                f"residual_variances must be one of {', '.join(_RESIDUAL_OPTIONS)}, "
                f"got {self.residual_variances!r}. Use 'free' (one per wave) or 'equal'."
            )
        if self.estimator not in ESTIMATORS:
            raise SpecError(
                f"estimator must be one of {', '.join(ESTIMATORS)}, got {self.estimator!r}. "
                "Use 'ML' (maximum likelihood, lavaan's default)."
            )
        if self.slope_variance not in _SLOPE_OPTIONS:
            raise SpecError(
                f"slope_variance must be one of {', '.join(_SLOPE_OPTIONS)}, "
                f"got {self.slope_variance!r}. Use 'free' (random slope) or 'zero' (fixed slope)."
            )
        self._check_basis()
        self._check_identified()

    def _check_basis(self) -> None:
        if self.time_basis not in _BASIS_OPTIONS:
            raise SpecError(
                f"time_basis must be one of {', '.join(_BASIS_OPTIONS)}, got {self.time_basis!r}. "
                "Use 'fixed' (linear growth over the given time scores) or 'latent' (estimated "
                "time scores between the first and the last wave)."
            )
        if self.time_basis == "fixed":
            return
        if self.n_waves < 3:
            raise SpecError(
                f"a latent time basis needs at least 3 waves (the first and the last fix the "
                f"metric of the slope), got {self.n_waves}. Use time_basis='fixed'."
            )
        if self.time_scores[0] == self.time_scores[-1]:
            raise SpecError(
                f"the first and the last time score are both {self.time_scores[0]:g}; with a "
                "latent time basis they fix the metric of the slope and must differ. Pass "
                "time scores such as (0, 2, 3)."
            )

    @property
    def free_time_scores(self) -> tuple[str, ...]:
        """Outcomes whose time score is estimated (the latent basis; empty when fixed)."""
        return self.outcomes[1:-1] if self.time_basis == "latent" else ()

    @property
    def n_free_per_group(self) -> int:
        """Free parameters of one group (before equality constraints across groups)."""
        p, q = self.n_waves, len(self.covariates)
        theta = p if self.residual_variances == "free" else 1
        psi = 3 if self.slope_variance == "free" else 1
        return theta + psi + 2 + 2 * q + len(self.free_time_scores)

    @property
    def n_moments_per_group(self) -> int:
        """Means, variances and covariances of the outcomes (and with the covariates)."""
        p, q = self.n_waves, len(self.covariates)
        return p * (p + 1) // 2 + p + p * q

    def _check_identified(self) -> None:
        """Refuse models with more free parameters than moments (NOT_IDENTIFIED)."""
        npar, moments = self.n_free_per_group, self.n_moments_per_group
        if npar <= moments:
            return
        parts = [f"{self.n_waves} waves"]
        parts.append(f"{self.residual_variances} residual variances")
        if self.slope_variance == "free":
            parts.append("a random slope")
        if self.free_time_scores:
            parts.append(f"{len(self.free_time_scores)} estimated time score(s)")
        raise SpecError(
            f"NOT_IDENTIFIED: the model with {', '.join(parts)} has {npar} free parameters per "
            f"group but the data give only {moments} means, variances and covariances "
            f"(df = {moments - npar}); its estimates would not be unique. Fix: add waves, use "
            "residual_variances='equal', fix the slope variance (slope_variance='zero') or "
            "the time scores (time_basis='fixed')."
        )

    @property
    def n_waves(self) -> int:
        """Number of outcomes (waves)."""
        return len(self.outcomes)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every data column the model reads (outcomes, covariates, group)."""
        extra = (self.group,) if self.group is not None else ()
        return self.outcomes + self.covariates + extra

    def equal_labels(self) -> dict[tuple[str, str, str], str]:
        """Labels shared across groups: ``{(lhs, op, rhs): label}``."""
        labels: dict[tuple[str, str, str], str] = {}
        if self.equal_intercept_means:
            labels[("i", "~1", "")] = "mi"
        if self.equal_slope_means:
            labels[("s", "~1", "")] = "ms"
        return labels

    def time_score_label(self, outcome: str) -> str:
        """Label shared across groups by the estimated time score of ``outcome``."""
        return f"ts_{outcome}"

    def _slope_terms(self, num: Callable[[float], str], ngroups: int) -> list[str]:
        """Terms of the ``s =~`` line: fixed time scores, ``NA*`` for estimated ones."""
        free = set(self.free_time_scores)
        terms = []
        for t, y in zip(self.time_scores, self.outcomes, strict=True):
            if y not in free:
                terms.append(f"{num(t)}*{y}")
                continue
            terms.append(f"NA*{y}")
            if ngroups:
                label = self.time_score_label(y)
                terms.append(f"c({', '.join([label] * ngroups)})*{y}")
            terms.append(f"start({num(t)})*{y}")
        return terms

    def model_syntax(self, ngroups: int = 1) -> str:
        """The lavaan model syntax of the model (one formula per line).

        Parameters
        ----------
        ngroups
            Number of groups (the length of the per-group label vectors).

        Examples
        --------
        >>> spec = GrowthSpec(outcomes=("y1", "y3", "y4"), time_scores=(0, 2, 3))
        >>> print(spec.model_syntax())
        i =~ 1*y1 + 1*y3 + 1*y4
        s =~ 0*y1 + 2*y3 + 3*y4
        """
        multi = self.group is not None

        def num(t: float) -> str:
            return str(int(t)) if float(t).is_integer() else repr(float(t))

        lines = ["i =~ " + " + ".join(f"1*{y}" for y in self.outcomes)]
        lines.append("s =~ " + " + ".join(self._slope_terms(num, ngroups if multi else 0)))
        if self.covariates:
            rhs = " + ".join(self.covariates)
            lines.append(f"i ~ {rhs}")
            lines.append(f"s ~ {rhs}")
        if self.residual_variances == "equal":
            if multi:
                label = "c(" + ", ".join(f"th{g + 1}" for g in range(ngroups)) + ")"
            else:
                label = "th"
            for y in self.outcomes:
                lines.append(f"{y} ~~ {label}*{y}")
        if self.slope_variance == "zero":
            lines.append("s ~~ 0*s")
            lines.append("i ~~ 0*s")
        for (lhs, _op, _rhs), label in self.equal_labels().items():
            lines.append(f"{lhs} ~ c({', '.join([label] * ngroups)})*1")
        return "\n".join(lines)

    def to_lavaan(self, data_name: str = "data", group_labels: Sequence[str] = ()) -> str:
        """lavaan model syntax and the ``growth()`` call that fits the same model.

        Parameters
        ----------
        data_name
            Name of the R data frame in the printed call.
        group_labels
            The group labels (needed only to write the length of ``c(...)``
            label vectors; two groups are assumed when not given).

        Returns
        -------
        str
            R code: the model string and the ``growth(...)`` call.

        Examples
        --------
        >>> spec = GrowthSpec(outcomes=("y1", "y3", "y4"), time_scores=(0, 2, 3),
        ...                   group="ilb", equal_slope_means=True)
        >>> "s ~ c(ms, ms)*1" in spec.to_lavaan()
        True
        """
        ngroups = len(group_labels) if self.group is not None and group_labels else 2
        lines = ["model <- '", self.model_syntax(ngroups), "'"]
        args = [f"model, data = {data_name}", 'missing = "fiml"']
        if self.group is not None:
            args.append(f'group = "{self.group}"')
        if self.estimator != "ML":
            args.append(f'estimator = "{self.estimator}"')
        lines.append(f"fit <- growth({', '.join(args)})")
        lines.append("summary(fit, fit.measures = TRUE, standardized = TRUE)")
        return "\n".join(lines) + "\n"
