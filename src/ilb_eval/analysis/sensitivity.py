"""Sensitivity analyses of the conditional growth models (the report's appendix).

For every competence dimension of a study with a control group, the
conditional model (iLB participation and the controls predict intercept and
slope; fitted by :mod:`ilb_eval.analysis.models`) is checked two ways:

* **variants** – :func:`ilb_eval.growth.fit_variants` on the same data and
  specification: the model as specified and the engine's variants (equal
  residual variances, fixed slope, latent basis, …; whatever the engine
  lists), one row each with fit and the iLB effect on the slope;
* **estimators** – the iLB effect on the slope under ML (the fitted model)
  and MLR (robust sandwich standard errors and the Yuan-Bentler scaled
  test; same estimate).

A dimension whose conditional model was not fitted or not ok gets one row
with its status and no numbers; a fit that raises becomes a ``failed`` row
(the run goes on, as for every model).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ilb_eval.analysis.models import DimensionModels
from ilb_eval.exceptions import IlbEvalError
from ilb_eval.growth import GrowthModel, GrowthResults, fit_variants
from ilb_eval.prep import Panel, growth_data
from ilb_eval.study import Study

__all__ = [
    "ESTIMATOR_COLUMNS",
    "SCALED_FIT_KEYS",
    "estimator_comparison",
    "study_sensitivity",
    "variant_comparison",
]

#: Scaled (MLR) fit measures copied into the estimator comparison.
SCALED_FIT_KEYS = ("chisq_scaled", "df_scaled", "pvalue_scaled", "chisq_scaling_factor", "cfi_scaled",
                   "rmsea_scaled")

#: Columns of :func:`estimator_comparison` (and of the study table).
ESTIMATOR_COLUMNS = ("dimension", "status", "n", "covariate", "estimate_ml", "se_ml", "pvalue_ml",
                     "estimate_mlr", "se_mlr", "pvalue_mlr", "converged_mlr", *SCALED_FIT_KEYS)


def _effect(results: GrowthResults, covariate: str, factor: str = "s") -> pd.Series:
    p = results.params
    hit = p[(p["lhs"] == factor) & (p["op"] == "~") & (p["rhs"] == covariate) & (p["group"] == 1)]
    if hit.empty:
        raise KeyError(f"the model has no effect of {covariate} on {factor}")
    return hit.iloc[0]


def variant_comparison(data: pd.DataFrame, results: GrowthResults, dimension: str) -> pd.DataFrame:
    """The engine's variant table of a fitted model, refitted on the same data.

    Parameters
    ----------
    data:
        The data the model was fitted to.
    results:
        The fitted model; its specification is the one the variants change.
    dimension:
        Scale name written into the first column.

    Returns
    -------
    DataFrame
        ``dimension``, ``status`` (``ok``), ``n`` (persons of the fitted
        model), then the columns of :func:`~ilb_eval.growth.fit_variants`,
        one row per variant; a variant that cannot be fitted has missing
        numbers (as the engine returns it).

    Examples
    --------
    >>> import warnings; warnings.simplefilter("ignore")
    >>> from ilb_eval.datasets import load_example_growth_data
    >>> from ilb_eval.growth import fit_growth
    >>> data = load_example_growth_data("belastbarkeit")
    >>> fit = fit_growth(data, outcomes=["t1", "t3", "t4"], time_scores=[0, 2, 3], covariates=["ilb"])
    >>> table = variant_comparison(data, fit, "belastbarkeit")
    >>> table.loc[0, ["dimension", "variant"]].tolist(), bool(table.loc[0, "logl"] == fit.fit["logl"])
    (['belastbarkeit', 'as specified'], True)
    """
    table = fit_variants(data, results.spec)
    table.insert(0, "n", results.ntotal)
    table.insert(0, "status", "ok")
    table.insert(0, "dimension", dimension)
    return table


def estimator_comparison(data: pd.DataFrame, results: GrowthResults, dimension: str,
                         covariate: str = "ilb") -> dict[str, Any]:
    """The effect of ``covariate`` on the slope under ML (``results``) and MLR (refitted).

    Parameters
    ----------
    data:
        The data the ML model was fitted to.
    results:
        The fitted ML model.
    dimension:
        Scale name of the row.
    covariate:
        The predictor of the slope (default ``ilb``).

    Returns
    -------
    dict
        The keys of :data:`ESTIMATOR_COLUMNS`: estimate, SE and p under ML
        and MLR, whether the MLR fit converged, and its scaled fit measures.

    Examples
    --------
    >>> import warnings; warnings.simplefilter("ignore")
    >>> from ilb_eval.datasets import load_example_growth_data
    >>> from ilb_eval.growth import fit_growth
    >>> data = load_example_growth_data("belastbarkeit")
    >>> fit = fit_growth(data, outcomes=["t1", "t3", "t4"], time_scores=[0, 2, 3], covariates=["ilb"])
    >>> row = estimator_comparison(data, fit, "belastbarkeit")
    >>> bool(abs(row["estimate_mlr"] - row["estimate_ml"]) < 1e-6), bool(row["se_mlr"] > 0)
    (True, True)
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        robust = GrowthModel(dataclasses.replace(results.spec, estimator="MLR")).fit(data)
    ml, mlr = _effect(results, covariate), _effect(robust, covariate)
    row: dict[str, Any] = {"dimension": dimension, "status": "ok", "n": results.ntotal, "covariate": covariate,
                           "estimate_ml": float(ml["est"]), "se_ml": float(ml["se"]),
                           "pvalue_ml": float(ml["pvalue"]), "estimate_mlr": float(mlr["est"]),
                           "se_mlr": float(mlr["se"]), "pvalue_mlr": float(mlr["pvalue"]),
                           "converged_mlr": bool(robust.converged)}
    row.update({k: float(robust.fit.get(k, np.nan)) for k in SCALED_FIT_KEYS})
    if not robust.converged:
        row["status"] = "not_converged"
    return row


def _reason(error: Exception) -> str:
    text = "; ".join(error.lines) if isinstance(error, IlbEvalError) else f"{type(error).__name__}: {error}"
    return text[:400]


def study_sensitivity(study: Study, panel: Panel, models: Mapping[str, DimensionModels],
                      progress: Callable[[str], None] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Variant and estimator comparison of every dimension's conditional model (see the module text).

    Returns
    -------
    (variants, estimators):
        The rows of :func:`variant_comparison` and :func:`estimator_comparison`
        of all dimensions; a dimension without an ok conditional model or
        whose refits fail has one row with its ``status`` (``skipped``,
        ``failed``, ``not_converged``) and the reason in ``reason``.
    """
    variants: list[dict[str, Any]] = []
    estimators: list[dict[str, Any]] = []
    for dim, m in models.items():
        record = m.records.get("conditional")
        if record is None or not record.ok or record.results is None:
            status = record.status if record is not None else "skipped"
            reason = record.reason if record is not None else "no conditional model"
            variants.append({"dimension": dim, "status": status, "reason": reason})
            estimators.append({"dimension": dim, "status": status, "reason": reason})
            continue
        if progress:
            progress(f"{study.name}: {dim} (sensitivity)")
        data = growth_data(panel, dim)
        try:
            variants += variant_comparison(data, record.results, dim).to_dict(orient="records")
        except Exception as error:  # noqa: BLE001 - fault isolation, as for every model (R-2.4)
            variants.append({"dimension": dim, "status": "failed", "reason": _reason(error)})
        try:
            estimators.append(estimator_comparison(data, record.results, dim))
        except Exception as error:  # noqa: BLE001
            estimators.append({"dimension": dim, "status": "failed", "reason": _reason(error)})
    columns = [c for c in dict.fromkeys(k for row in variants for k in row) if c != "reason"]
    variant_table = pd.DataFrame(variants, columns=[*columns, "reason"])
    estimator_table = pd.DataFrame(estimators, columns=[*ESTIMATOR_COLUMNS, "reason"])
    for table in (variant_table, estimator_table):
        table["reason"] = [r if isinstance(r, str) else "" for r in table["reason"]]
    return variant_table, estimator_table
