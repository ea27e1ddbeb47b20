"""The immutable result of a growth-model fit, and nested-model comparison."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ilb_eval.exceptions import SpecError
from ilb_eval.growth.spec import GrowthSpec
from ilb_eval.sem.compare import LRTest
from ilb_eval.sem.compare import lr_test as sem_lr_test
from ilb_eval.sem.results import SemResults, json_safe
from ilb_eval.sem.status import FitStatus, FitWarning

__all__ = ["GrowthResults", "GrowthWarning", "LRTest", "lr_test"]

#: Columns of ``params`` written by :meth:`GrowthResults.to_dict`.
PARAM_KEYS = ("lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue",
              "ci_lower", "ci_upper", "std_all")  # fmt: skip


#: One statistical warning of a fit (the engine's :class:`~ilb_eval.sem.status.FitWarning`).
GrowthWarning = FitWarning


@dataclass(frozen=True)
class GrowthResults:
    """Result of fitting a latent growth curve model.

    Attributes
    ----------
    spec
        The specification that was fitted.
    params
        The parameter table (lhs, op, rhs, group, group_label, label, free,
        est, se, z, pvalue, ci_lower, ci_upper, std_all); a copy is returned
        on every access, so the result cannot be changed.
    fit
        Fit measures under lavaan's names with underscores.
    converged
        Whether the optimiser reached a zero gradient.
    warnings
        :class:`GrowthWarning` records (also emitted with ``warnings.warn``).
    n_dropped
        Rows left out, by reason (``missing_group``, ``missing_covariate``,
        ``no_outcome``).
    seconds
        Estimation time (data checks, estimation, standard errors, fit).
    group_labels
        Group labels in group order (``("",)`` for one group).
    iterations
        Iterations of the optimiser.
    n_patterns
        Number of missing-data patterns per group.
    status
        The :class:`~ilb_eval.sem.status.FitStatus` record of the fit.
    vcov
        Covariance matrix of the free parameters (row ``k`` is the table's
        ``free == k + 1``; sandwich for MLR; NaN when it cannot be computed).
    sem
        The engine's result (:class:`~ilb_eval.sem.results.SemResults`) of
        the same fit: the general parameter table, modification indices,
        score tests, factor scores.
    """

    spec: GrowthSpec
    _params: pd.DataFrame = field(repr=False)
    fit: Mapping[str, float]
    converged: bool
    warnings: tuple[GrowthWarning, ...]
    n_dropped: Mapping[str, int]
    seconds: float
    group_labels: tuple[str, ...]
    iterations: int = 0
    n_patterns: tuple[int, ...] = ()
    status: FitStatus | None = None
    vcov: np.ndarray | None = field(default=None, repr=False)
    sem: SemResults | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fit", MappingProxyType(dict(self.fit)))
        object.__setattr__(self, "n_dropped", MappingProxyType(dict(self.n_dropped)))

    @property
    def params(self) -> pd.DataFrame:
        """The parameter table (a copy)."""
        return self._params.copy()

    @property
    def ntotal(self) -> int:
        """Number of persons used."""
        return int(self.fit["ntotal"])

    def summary(self) -> Any:
        """A lavaan-like summary (``as_text()``, ``as_html()``, ``str()``)."""
        from ilb_eval.growth.summary import Summary

        return Summary(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary: params, fit, converged, warnings, seconds, status (NaN -> None)."""
        params = self._params.loc[:, list(PARAM_KEYS)].copy()
        params["group"] = self._params["group_label"]
        records = params.to_dict(orient="records")
        return json_safe(
            {
                "params": records,
                "fit": dict(self.fit),
                "converged": bool(self.converged),
                "warnings": [w.to_dict() for w in self.warnings],
                "n_dropped": dict(self.n_dropped),
                "seconds": float(self.seconds),
                "status": self.status.to_dict() if self.status is not None else None,
            }
        )


def lr_test(
    restricted: GrowthResults, general: GrowthResults, method: str | None = None
) -> LRTest:
    """Likelihood-ratio test of nested growth fits, as lavaan's ``lavTestLRT``.

    The engine's :func:`ilb_eval.sem.lr_test` on the two fits: the chi-square
    difference for ML fits, the Satorra-Bentler (2001) scaled difference for
    MLR fits (lavaan's default; ``method="satorra.bentler.2010"`` or
    ``"standard"`` on request). The result names the method.

    Parameters
    ----------
    restricted
        The model with constraints (fewer free parameters).
    general
        The model without them, fitted to the same persons.
    method
        None (lavaan's default for the estimator) or a lavaan method name.

    Returns
    -------
    LRTest
        ``chisq_diff``, ``df_diff``, ``pvalue``, ``method`` (and the scaling
        factor of a scaled difference).

    Raises
    ------
    SpecError
        When the fits use different persons or are not ordered as
        restricted, general.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from ilb_eval.growth import fit_growth
    >>> rng = np.random.default_rng(2)
    >>> g = np.repeat([0, 1], 200)
    >>> level = rng.normal(3.0, 0.5, 400); trend = rng.normal(0.1 + 0.1 * g, 0.2)
    >>> data = pd.DataFrame({f"y{t}": level + trend * t + rng.normal(0, 0.2, 400)
    ...                      for t in (0, 1, 2)}).assign(g=g)
    >>> kw = dict(outcomes=["y0", "y1", "y2"], time_scores=[0, 1, 2], group="g")
    >>> test = lr_test(fit_growth(data, equal_slope_means=True, **kw), fit_growth(data, **kw))
    >>> test.df_diff, bool(test.pvalue < 0.001), test.method
    (1, True, 'standard')
    """
    if restricted.sem is None or general.sem is None:
        raise SpecError("lr_test needs fitted growth models (fit_growth results).")
    if restricted.ntotal != general.ntotal:
        raise SpecError(
            f"the fits use different numbers of persons ({restricted.ntotal} and "
            f"{general.ntotal}); a likelihood-ratio test needs the same data. "
            "Fit both models to the same rows."
        )
    return sem_lr_test(restricted.sem, general.sem, method=method)
