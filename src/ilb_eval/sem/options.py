"""Model options and lavaan's defaults per entry point (``cfa``, ``sem``, ``growth``).

lavaan's ``cfa()`` and ``sem()`` free the intercepts of the observed variables
and fix the latent means at 0; ``growth()`` does the reverse. All three fix the
first loading of every factor (unless ``std.lv``), free the residual variances,
the covariances of exogenous factors and of the residuals of endogenous
variables, and treat observed covariates as fixed (``fixed.x``). With
``missing = "fiml"`` the mean structure is always part of the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from ilb_eval.exceptions import SpecError

__all__ = ["ESTIMATORS", "FUNCTIONS", "GROUP_EQUAL", "ModelOptions"]

#: Entry points, as lavaan's functions of the same name.
FUNCTIONS: tuple[str, ...] = ("cfa", "sem", "growth")
#: Estimators: "ML" (SEs from the observed information) and "MLR" (ML estimates,
#: sandwich SEs and the Yuan-Bentler (Mplus variant) scaled test).
ESTIMATORS: tuple[str, ...] = ("ML", "MLR")
#: Parameter types lavaan's ``group.equal`` accepts for continuous indicators.
GROUP_EQUAL: tuple[str, ...] = (
    "loadings",
    "intercepts",
    "means",
    "residuals",
    "residual.covariances",
    "lv.variances",
    "lv.covariances",
    "regressions",
)


def _names(value: str | Sequence[str] | None, argument: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    try:
        return tuple(str(v) for v in value)
    except TypeError:
        raise SpecError(
            f"{argument} must be a list of names, got {type(value).__name__}. "
            f"Pass e.g. {argument}=['loadings', 'intercepts']."
        ) from None


@dataclass(frozen=True)
class ModelOptions:
    """What lavaan's arguments of the same name mean, with ``.`` written ``_``.

    Parameters
    ----------
    function
        ``"cfa"``, ``"sem"`` or ``"growth"`` (the defaults of that lavaan function).
    group
        Grouping column (multi-group model; groups in order of first appearance).
    group_equal
        Parameter types constrained equal across groups (see :data:`GROUP_EQUAL`).
    group_partial
        Parameters exempt from ``group_equal``, written as lavaan does
        (``"f1=~x2"``, ``"x3~1"``).
    estimator
        ``"ML"`` or ``"MLR"``.
    sampling_weights
        Column of sampling weights (normalised to sum to the sample size).
    cluster
        Column of cluster identifiers (cluster-robust standard errors and test).
    std_lv
        Identify factors by fixing their variances at 1 instead of the first loading.
    orthogonal
        Fix the covariances of exogenous factors at 0.
    fixed_x
        Treat observed exogenous covariates as fixed (lavaan's default).

    Examples
    --------
    >>> ModelOptions("growth").int_ov_free, ModelOptions("cfa").int_ov_free
    (False, True)
    """

    function: Literal["cfa", "sem", "growth"] = "sem"
    group: str | None = None
    group_equal: tuple[str, ...] = field(default=())
    group_partial: tuple[str, ...] = field(default=())
    estimator: Literal["ML", "MLR"] = "ML"
    sampling_weights: str | None = None
    cluster: str | None = None
    std_lv: bool = False
    orthogonal: bool = False
    fixed_x: bool = True

    def __post_init__(self) -> None:
        if self.function not in FUNCTIONS:
            raise SpecError(
                f"function must be one of {', '.join(FUNCTIONS)}, got {self.function!r}."
            )
        estimator = str(self.estimator).upper()
        if estimator not in ESTIMATORS:
            raise SpecError(
                f"estimator must be one of {', '.join(ESTIMATORS)}, got {self.estimator!r}. "
                "Use 'ML' (maximum likelihood) or 'MLR' (robust standard errors and test)."
            )
        object.__setattr__(self, "estimator", estimator)
        equal = _names(self.group_equal, "group_equal")
        unknown = [e for e in equal if e not in GROUP_EQUAL]
        if unknown:
            raise SpecError(
                f"group_equal names {', '.join(map(repr, unknown))}, which is not a parameter "
                f"type. Use any of {', '.join(GROUP_EQUAL)}."
            )
        object.__setattr__(self, "group_equal", equal)
        partial = tuple(p.replace(" ", "") for p in _names(self.group_partial, "group_partial"))
        object.__setattr__(self, "group_partial", partial)
        for name in ("group", "sampling_weights", "cluster"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise SpecError(f"{name} must be a column name or None, got {value!r}.")

    @property
    def int_ov_free(self) -> bool:
        """Intercepts of observed variables free (cfa, sem) or fixed at 0 (growth)."""
        return self.function != "growth"

    @property
    def int_lv_free(self) -> bool:
        """Means of latent variables free (growth) or fixed at 0 (cfa, sem)."""
        return self.function == "growth"

    @property
    def robust(self) -> bool:
        """Sandwich standard errors and a scaled test (MLR, or clusters)."""
        return self.estimator == "MLR"

    def lavaan_arguments(self) -> dict[str, object]:
        """The non-default options as lavaan's arguments (for ``to_lavaan``)."""
        out: dict[str, object] = {"missing": "fiml"}
        if self.group is not None:
            out["group"] = self.group
        if self.group_equal:
            out["group.equal"] = list(self.group_equal)
        if self.group_partial:
            out["group.partial"] = list(self.group_partial)
        if self.estimator != "ML":
            out["estimator"] = self.estimator
        if self.sampling_weights is not None:
            out["sampling.weights"] = self.sampling_weights
        if self.cluster is not None:
            out["cluster"] = self.cluster
        if self.std_lv:
            out["std.lv"] = True
        if self.orthogonal:
            out["orthogonal"] = True
        if not self.fixed_x:
            out["fixed.x"] = False
        return out
