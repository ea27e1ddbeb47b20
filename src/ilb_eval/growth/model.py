"""Fitting a growth model: a front end of the SEM engine, as lavaan's ``growth()`` is of ``lavaan()``.

A :class:`GrowthSpec` writes lavaan model syntax (:meth:`GrowthSpec.model_syntax`);
the data are checked against the specification (:mod:`~ilb_eval.growth.data`:
numeric columns, variation, group sizes), and the syntax is fitted by
:func:`ilb_eval.sem.growth`'s engine with the groups in sorted order. The
result is the engine's :class:`~ilb_eval.sem.results.SemResults`, wrapped as a
:class:`GrowthResults` that keeps the growth vocabulary (spec, time scores).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Literal

import pandas as pd

from ilb_eval.exceptions import SpecError
from ilb_eval.growth.data import prepare_data
from ilb_eval.growth.results import GrowthResults
from ilb_eval.growth.spec import GrowthSpec
from ilb_eval.privacy import DEFAULT_MIN_CELL_SIZE
from ilb_eval.sem.build import build_model
from ilb_eval.sem.fit import fit_model
from ilb_eval.sem.options import ModelOptions
from ilb_eval.sem.results import SemResults
from ilb_eval.sem.threads import single_blas_thread

__all__ = ["GrowthModel", "fit_growth"]


class GrowthModel:
    """A latent growth curve model ready to be fitted by FIML.

    Parameters
    ----------
    spec
        The model specification.
    max_iter
        Largest number of iterations of the optimiser.
    min_group_size
        Smallest group of a multi-group model (the minimum cell size, default
        10); smaller groups are refused with an InputError (SMALL_GROUP).
    n_starts
        Extra perturbed starts after the default fit (LOCAL_OPTIMUM when they
        disagree; 0 switches them off).
    seed
        Seed of the perturbed starts (:class:`numpy.random.SeedSequence`).
    sampling_weights
        Column of sampling weights (lavaan's ``sampling.weights``: normalised
        to the sample size, sandwich standard errors and scaled test).
    cluster
        Column of cluster identifiers (persons nested in agencies):
        cluster-robust standard errors and test, as lavaan's ``cluster``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> level = rng.normal(3.0, 0.5, 300); trend = rng.normal(0.1, 0.1, 300)
    >>> data = pd.DataFrame({f"y{t}": level + trend * t + rng.normal(0, 0.3, 300)
    ...                      for t in (0, 2, 3)})
    >>> spec = GrowthSpec(outcomes=("y0", "y2", "y3"), time_scores=(0, 2, 3))
    >>> res = GrowthModel(spec).fit(data)
    >>> res.converged, res.fit["df"]
    (True, 1)
    >>> mean_i = res.params.query("lhs == 'i' and op == '~1'")["est"].iloc[0]
    >>> bool(abs(mean_i - 3.0) < 0.1)
    True
    """

    def __init__(
        self,
        spec: GrowthSpec,
        *,
        max_iter: int = 200,
        min_group_size: int = DEFAULT_MIN_CELL_SIZE,
        n_starts: int = 5,
        seed: int = 0,
        sampling_weights: str | None = None,
        cluster: str | None = None,
    ) -> None:
        if not isinstance(spec, GrowthSpec):
            raise SpecError(
                f"GrowthModel needs a GrowthSpec, got {type(spec).__name__}. "
                "Build one with GrowthSpec(outcomes=..., time_scores=...)."
            )
        self.spec = spec
        self.max_iter = int(max_iter)
        self.min_group_size = int(min_group_size)
        self.n_starts = int(n_starts)
        self.seed = int(seed)
        self.sampling_weights = sampling_weights
        self.cluster = cluster

    def __repr__(self) -> str:
        return f"GrowthModel({self.spec!r})"

    def fit(self, data: pd.DataFrame) -> GrowthResults:
        """Fit the model to ``data`` (one row per person).

        Returns
        -------
        GrowthResults

        Raises
        ------
        InputError
            Missing or non-numeric columns, an outcome or covariate that does
            not vary, a group below the minimum size, or no usable row.
        SpecError
            The specification cannot be fitted (see :class:`GrowthSpec`).

        Warns
        -----
        MissingDataWarning
            Rows were dropped (counts by reason).
        ConvergenceWarning
            The optimiser did not converge.
        InadmissibleSolutionWarning
            Negative variances, a non-positive-definite factor covariance
            matrix, or a singular information matrix.
        """
        started = time.perf_counter()
        labels = prepare_data(data, self.spec, min_group_size=self.min_group_size).labels
        options = ModelOptions(
            function="growth",
            group=self.spec.group,
            estimator=self.spec.estimator,
            sampling_weights=self.sampling_weights,
            cluster=self.cluster,
        )
        with single_blas_thread():  # small matrices: see sem.threads
            bound = build_model(
                self.spec.model_syntax(len(labels)),
                data,
                options,
                group_label=labels if self.spec.group is not None else None,
            )
            result = fit_model(
                bound,
                max_iter=self.max_iter,
                n_starts=self.n_starts,
                seed=self.seed,
                started=started,
            )
        return from_sem(self.spec, result)


def from_sem(spec: GrowthSpec, result: SemResults) -> GrowthResults:
    """The engine's result in the growth vocabulary."""
    table = result.partable
    table = table[table["op"] != ":="].reset_index(drop=True)
    return GrowthResults(
        spec=spec,
        _params=table,
        fit=dict(result.fit),
        converged=result.converged,
        warnings=result.warnings,
        n_dropped=dict(result.model.data.n_dropped),
        seconds=result.seconds,
        group_labels=result.group_labels,
        iterations=result.iterations,
        n_patterns=tuple(len(g.patterns) for g in result.model.data.groups),
        status=result.status,
        vcov=result.vcov,
        sem=result,
    )


def fit_growth(
    data: pd.DataFrame,
    *,
    outcomes: Sequence[str],
    time_scores: Sequence[float],
    covariates: Sequence[str] = (),
    group: str | None = None,
    equal_intercept_means: bool = False,
    equal_slope_means: bool = False,
    residual_variances: Literal["free", "equal"] = "free",
    estimator: Literal["ML", "MLR"] = "ML",
    slope_variance: Literal["free", "zero"] = "free",
    time_basis: Literal["fixed", "latent"] = "fixed",
    sampling_weights: str | None = None,
    cluster: str | None = None,
) -> GrowthResults:
    """Fit a linear latent growth curve model by full-information ML.

    Equivalent to lavaan's ``growth(model, data, missing = "fiml")`` with
    the intercept factor ``i``, the slope factor ``s`` loading the time
    scores, covariates predicting both factors (fixed.x) and optional groups.

    Parameters
    ----------
    data
        One row per person.
    outcomes
        Outcome columns in wave order.
    time_scores
        One time score per outcome.
    covariates
        Columns predicting ``i`` and ``s``.
    group
        Grouping column (multi-group model); groups in sorted order of its values.
    equal_intercept_means, equal_slope_means
        Equal factor means across groups.
    residual_variances
        ``"free"`` or ``"equal"`` over waves.
    estimator
        ``"ML"`` or ``"MLR"`` (sandwich standard errors and lavaan's scaled and
        robust test statistics and fit measures).
    slope_variance
        ``"free"`` or ``"zero"`` (fixed slope: ``s ~~ 0*s; i ~~ 0*s``).
    time_basis
        ``"fixed"`` (linear growth) or ``"latent"``: the time scores of the
        middle waves are estimated (latent-basis model; the first and last
        fix the metric).
    sampling_weights
        Column of sampling weights (lavaan's ``sampling.weights``: normalised
        to the sample size; sandwich standard errors and scaled test).
    cluster
        Column of cluster identifiers: cluster-robust standard errors and test.

    Returns
    -------
    GrowthResults

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(7)
    >>> n = 500; x = rng.integers(0, 2, n)
    >>> level = rng.normal(3.0, 0.5, n) - 0.2 * x; trend = rng.normal(0.05, 0.15, n) + 0.1 * x
    >>> data = pd.DataFrame({f"y{t}": level + trend * t + rng.normal(0, 0.3, n)
    ...                      for t in (1, 3, 4)}).assign(x=x)
    >>> res = fit_growth(data, outcomes=["y1", "y3", "y4"], time_scores=[0, 2, 3],
    ...                  covariates=["x"])
    >>> res.fit["df"], res.fit["npar"]
    (2, 10)

    In R: ``growth('i =~ 1*y1 + 1*y3 + 1*y4; s =~ 0*y1 + 2*y3 + 3*y4; i + s ~ x',
    data, missing = "fiml")``.
    """
    spec = GrowthSpec(
        outcomes=tuple(outcomes),
        time_scores=tuple(time_scores),
        covariates=tuple(covariates),
        group=group,
        equal_intercept_means=equal_intercept_means,
        equal_slope_means=equal_slope_means,
        residual_variances=residual_variances,
        estimator=estimator,
        slope_variance=slope_variance,
        time_basis=time_basis,
    )
    return GrowthModel(spec, sampling_weights=sampling_weights, cluster=cluster).fit(data)
