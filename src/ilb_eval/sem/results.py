"""The immutable result of a structural equation model fit.

:class:`SemResults` holds lavaan's ``parameterEstimates`` (``params``), its
``fitMeasures`` (``fit``, with ``.`` written ``_``), the convergence and
admissibility record (``status``, ``warnings``) and what later steps need:
the bound model, the estimates, their covariance matrix and the unrestricted
fits. Methods give the lavaan-like summary, the implied moments and the R
code that reproduces the fit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ilb_eval.sem.modindices import modindices
from ilb_eval.sem.predict import predict
from ilb_eval.sem.residuals import residuals
from ilb_eval.sem.score import ScoreTest, score_test
from ilb_eval.sem.status import FitStatus, FitWarning

if TYPE_CHECKING:
    from ilb_eval.sem.h1 import Saturated
    from ilb_eval.sem.model import SemModel
    from ilb_eval.sem.robust import RobustParts
    from ilb_eval.sem.summary import Summary

__all__ = ["PARAM_COLUMNS", "SemResults", "json_safe"]

#: Columns of :attr:`SemResults.params` (lavaan's parameterEstimates, ``.`` as ``_``).
PARAM_COLUMNS = ("lhs", "op", "rhs", "group", "label", "free", "est", "se", "z", "pvalue",
                 "ci_lower", "ci_upper", "std_lv", "std_all", "std_nox")  # fmt: skip


def json_safe(value: Any) -> Any:
    """Plain JSON types: NaN and infinities become None, numpy scalars Python ones.

    >>> json_safe({"a": np.float64("nan"), "b": [np.int64(2)]})
    {'a': None, 'b': [2]}
    """
    if isinstance(value, dict | MappingProxyType):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    if isinstance(value, float | np.floating):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


@dataclass(frozen=True)
class SemResults:
    """Result of fitting a structural equation model by FIML.

    Attributes
    ----------
    model
        The model bound to its data (parameter table, options, groups).
    theta
        The estimated parameters (equality constraints solved).
    fit
        Fit measures under lavaan's names with underscores.
    converged
        Whether the optimiser converged.
    warnings
        :class:`~ilb_eval.sem.status.FitWarning` records (also emitted).
    status
        The :class:`~ilb_eval.sem.status.FitStatus` record.
    vcov
        Covariance matrix of the free parameters (row ``k`` is the table's
        ``free == k + 1``; sandwich for MLR, weights and clusters; NaN when it
        cannot be computed).
    hessian
        Observed Hessian of the log-likelihood in ``theta``.
    saturated
        The unrestricted (h1) fit of each group.
    robust
        Sandwich and scaling factors (MLR, weights, clusters), else None.
    seconds
        Time taken (data checks, estimation, standard errors, fit measures).
    iterations
        Iterations of the optimiser.
    """

    model: SemModel = field(repr=False)
    theta: np.ndarray = field(repr=False)
    _params: pd.DataFrame = field(repr=False)
    fit: Mapping[str, float]
    converged: bool
    warnings: tuple[FitWarning, ...]
    status: FitStatus
    vcov: np.ndarray = field(repr=False)
    hessian: np.ndarray = field(repr=False)
    saturated: tuple[Saturated, ...] = field(repr=False)
    robust: RobustParts | None = field(repr=False)
    seconds: float = 0.0
    iterations: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "fit", MappingProxyType(dict(self.fit)))

    @property
    def params(self) -> pd.DataFrame:
        """lavaan's parameterEstimates (a copy; ``group`` is the group label, "" without groups)."""
        table = self._params.copy()
        table["group"] = table["group_label"]
        return table.loc[:, list(PARAM_COLUMNS)].reset_index(drop=True)

    @property
    def partable(self) -> pd.DataFrame:
        """The full parameter table (lavaan's ``parTable``), estimates included (a copy)."""
        return self._params.copy()

    @property
    def group_labels(self) -> tuple[str, ...]:
        """Group labels in group order (``("",)`` for one group)."""
        return self.model.data.labels

    @property
    def ntotal(self) -> int:
        """Number of persons used."""
        return int(self.fit["ntotal"])

    @property
    def options(self) -> Any:
        """The model options."""
        return self.model.options

    def implied(self) -> dict[str, dict[str, pd.DataFrame | pd.Series]]:
        """Model-implied covariance matrix and means of the observed variables per group.

        As lavaan's ``fitted()``: covariates included at their sample moments,
        variables in lavaan's order; keyed by group label.
        """
        states = self.model.states(self.theta)
        assert states is not None
        order = [v for v in self.model.partable.names.ov
                 if v in set(self.model.data.y_names) | set(self.model.data.x_names)]  # fmt: skip
        out: dict[str, dict[str, pd.DataFrame | pd.Series]] = {}
        for group, state, data in zip(self.model.groups, states, self.model.data.groups,
                                      strict=True):  # fmt: skip
            mean, cov = group.total_moments(state, data.x_mean, data.x_cov)
            names = list(group.y_names + group.lv_names + group.x_names)
            frame = pd.DataFrame(cov, index=names, columns=names).loc[order, order]
            out[data.label] = {"cov": frame, "mean": pd.Series(mean, index=names).loc[order]}
        return out

    def residuals(self) -> dict[str, dict[str, pd.DataFrame | pd.Series]]:
        """Unrestricted (h1) minus implied moments per group (lavaan's ``resid(fit)``).

        See :func:`~ilb_eval.sem.residuals.residuals`.
        """
        return residuals(self)

    def modindices(self, *, minimum: float = 0.0, sort: bool = False) -> pd.DataFrame:
        """Modification indices (lavaan's ``modindices(fit)``).

        See :func:`~ilb_eval.sem.modindices.modindices`.
        """
        return modindices(self, minimum=minimum, sort=sort)

    def score_test(self, *, cumulative: bool = False, epc: bool = False) -> ScoreTest:
        """Score tests for releasing the equality constraints (lavaan's ``lavTestScore(fit)``).

        See :func:`~ilb_eval.sem.score.score_test`.
        """
        return score_test(self, cumulative=cumulative, epc=epc)

    def predict(self, data: pd.DataFrame | None = None) -> pd.DataFrame:
        """Factor scores by the regression method (lavaan's ``lavPredict(fit)``).

        See :func:`~ilb_eval.sem.predict.predict`.
        """
        return predict(self, data)

    def summary(self) -> Summary:
        """lavaan's ``summary(fit, fit.measures = TRUE, standardized = TRUE)``: text, HTML, ``print()``."""
        from ilb_eval.sem.summary import Summary

        return Summary(self)

    def to_lavaan(
        self,
        data_file: str | None = None,
        data_name: str = "dat",
        read_options: Mapping[str, object] | None = None,
    ) -> str:
        """R code (model syntax and lavaan call with every option) that reproduces the fit.

        See :func:`ilb_eval.sem.export.to_lavaan`.
        """
        from ilb_eval.sem.export import to_lavaan

        return to_lavaan(self, data_file=data_file, data_name=data_name, read_options=read_options)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary: params, fit, converged, warnings, seconds, status."""
        return json_safe(
            {
                "params": self.params.to_dict(orient="records"),
                "fit": dict(self.fit),
                "converged": bool(self.converged),
                "warnings": [w.to_dict() for w in self.warnings],
                "n_dropped": dict(self.model.data.n_dropped),
                "seconds": float(self.seconds),
                "status": self.status.to_dict(),
            }
        )
