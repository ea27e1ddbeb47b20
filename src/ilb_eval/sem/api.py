"""The entry points, named and defaulted as lavaan's: :func:`cfa`, :func:`sem`, :func:`growth`.

Each fits a model written in lavaan's model syntax by full-information
maximum likelihood (``missing = "fiml"``), with lavaan's defaults for the
function of the same name (see :class:`~ilb_eval.sem.options.ModelOptions`)
and lavaan's options, ``.`` written ``_``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Literal

import pandas as pd

from ilb_eval.sem.build import build_model
from ilb_eval.sem.fit import fit_model
from ilb_eval.sem.options import ModelOptions
from ilb_eval.sem.results import SemResults
from ilb_eval.sem.syntax import ParsedModel
from ilb_eval.sem.threads import single_blas_thread

__all__ = ["cfa", "growth", "sem"]


def _fit(
    function: Literal["cfa", "sem", "growth"],
    model: str | ParsedModel,
    data: pd.DataFrame,
    *,
    group: str | None,
    group_equal: Sequence[str] | str | None,
    group_partial: Sequence[str] | str | None,
    group_label: Sequence[str] | None,
    estimator: Literal["ML", "MLR"],
    sampling_weights: str | None,
    cluster: str | None,
    std_lv: bool,
    orthogonal: bool,
    fixed_x: bool,
    n_starts: int,
    seed: int,
    max_iter: int,
) -> SemResults:
    started = time.perf_counter()
    options = ModelOptions(
        function=function,
        group=group,
        group_equal=tuple(group_equal) if isinstance(group_equal, list | tuple) else group_equal,
        group_partial=tuple(group_partial)
        if isinstance(group_partial, list | tuple)
        else group_partial,
        estimator=estimator,
        sampling_weights=sampling_weights,
        cluster=cluster,
        std_lv=std_lv,
        orthogonal=orthogonal,
        fixed_x=fixed_x,
    )
    with single_blas_thread():  # small matrices: see sem.threads
        bound = build_model(model, data, options, group_label=group_label)
        return fit_model(bound, max_iter=max_iter, n_starts=n_starts, seed=seed, started=started)


def sem(
    model: str | ParsedModel,
    data: pd.DataFrame,
    *,
    group: str | None = None,
    group_equal: Sequence[str] | str | None = None,
    group_partial: Sequence[str] | str | None = None,
    group_label: Sequence[str] | None = None,
    estimator: Literal["ML", "MLR"] = "ML",
    sampling_weights: str | None = None,
    cluster: str | None = None,
    std_lv: bool = False,
    orthogonal: bool = False,
    fixed_x: bool = True,
    n_starts: int = 0,
    seed: int = 0,
    max_iter: int = 500,
) -> SemResults:
    """Fit a structural equation model, as lavaan's ``sem(..., missing = "fiml")``.

    Parameters
    ----------
    model
        lavaan model syntax.
    data
        One row per person.
    group, group_equal, group_partial, group_label
        Multi-group model: grouping column, parameter types equal across
        groups, exceptions (``"f=~x2"``), order of the groups.
    estimator
        ``"ML"`` or ``"MLR"`` (sandwich SEs, Yuan-Bentler scaled test).
    sampling_weights, cluster
        Weight column (normalised to the sample size; sandwich SEs) and
        cluster column (cluster-robust SEs and test).
    std_lv, orthogonal, fixed_x
        As lavaan's arguments of the same names.
    n_starts, seed
        Extra perturbed starts (0: none) and their seed.
    max_iter
        Largest number of iterations.

    Returns
    -------
    SemResults

    Examples
    --------
    >>> from ilb_eval.datasets import load_example_growth_data
    >>> data = load_example_growth_data("belastbarkeit")
    >>> res = sem("t4 ~ ilb + degree", data)
    >>> res.params.query("op == '~'")[["lhs", "rhs"]].to_numpy().tolist()
    [['t4', 'ilb'], ['t4', 'degree']]
    """
    return _fit("sem", model, data, group=group, group_equal=group_equal,
                group_partial=group_partial, group_label=group_label, estimator=estimator,
                sampling_weights=sampling_weights, cluster=cluster, std_lv=std_lv,
                orthogonal=orthogonal, fixed_x=fixed_x, n_starts=n_starts, seed=seed,
                max_iter=max_iter)  # fmt: skip


def cfa(
    model: str | ParsedModel,
    data: pd.DataFrame,
    *,
    group: str | None = None,
    group_equal: Sequence[str] | str | None = None,
    group_partial: Sequence[str] | str | None = None,
    group_label: Sequence[str] | None = None,
    estimator: Literal["ML", "MLR"] = "ML",
    sampling_weights: str | None = None,
    cluster: str | None = None,
    std_lv: bool = False,
    orthogonal: bool = False,
    fixed_x: bool = True,
    n_starts: int = 0,
    seed: int = 0,
    max_iter: int = 500,
) -> SemResults:
    """Fit a confirmatory factor model, as lavaan's ``cfa(..., missing = "fiml")``.

    The arguments are those of :func:`sem` (cfa and sem share lavaan's defaults).

    Examples
    --------
    >>> from ilb_eval.datasets import load_example_growth_data
    >>> data = load_example_growth_data("belastbarkeit")
    >>> res = cfa("f =~ t1 + t3 + t4", data)
    >>> res.fit["df"], res.converged
    (0, True)
    """
    return _fit("cfa", model, data, group=group, group_equal=group_equal,
                group_partial=group_partial, group_label=group_label, estimator=estimator,
                sampling_weights=sampling_weights, cluster=cluster, std_lv=std_lv,
                orthogonal=orthogonal, fixed_x=fixed_x, n_starts=n_starts, seed=seed,
                max_iter=max_iter)  # fmt: skip


def growth(
    model: str | ParsedModel,
    data: pd.DataFrame,
    *,
    group: str | None = None,
    group_equal: Sequence[str] | str | None = None,
    group_partial: Sequence[str] | str | None = None,
    group_label: Sequence[str] | None = None,
    estimator: Literal["ML", "MLR"] = "ML",
    sampling_weights: str | None = None,
    cluster: str | None = None,
    std_lv: bool = False,
    orthogonal: bool = False,
    fixed_x: bool = True,
    n_starts: int = 0,
    seed: int = 0,
    max_iter: int = 500,
) -> SemResults:
    """Fit a latent growth model, as lavaan's ``growth(..., missing = "fiml")``.

    As :func:`sem`, but the intercepts of the observed variables are fixed at 0
    and the means of the latent variables are free.

    Examples
    --------
    >>> from ilb_eval.datasets import load_example_growth_data
    >>> data = load_example_growth_data("belastbarkeit")
    >>> res = growth("i =~ 1*t1 + 1*t3 + 1*t4; s =~ 0*t1 + 2*t3 + 3*t4", data)
    >>> res.params.query("op == '~1' and lhs in ['i', 's']")["lhs"].tolist()
    ['i', 's']
    """
    return _fit("growth", model, data, group=group, group_equal=group_equal,
                group_partial=group_partial, group_label=group_label, estimator=estimator,
                sampling_weights=sampling_weights, cluster=cluster, std_lv=std_lv,
                orthogonal=orthogonal, fixed_x=fixed_x, n_starts=n_starts, seed=seed,
                max_iter=max_iter)  # fmt: skip
