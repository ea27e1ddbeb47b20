"""Sensitivity variants reviewers ask for, fitted side by side in one table."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ilb_eval.exceptions import SpecError
from ilb_eval.growth.model import GrowthModel
from ilb_eval.growth.results import GrowthResults
from ilb_eval.growth.spec import GrowthSpec

__all__ = ["VARIANTS", "fit_variants", "variant_specs"]

#: Variant name -> the one switch it changes on the specification.
VARIANTS: dict[str, dict[str, str]] = {
    "as specified": {},
    "equal residual variances": {"residual_variances": "equal"},
    "fixed slope (no slope variance)": {"slope_variance": "zero"},
    "latent basis (estimated time scores)": {"time_basis": "latent"},
}

_FIT_KEYS = ("npar", "logl", "aic", "bic", "chisq", "df", "cfi", "rmsea", "srmr")


def variant_specs(spec: GrowthSpec) -> dict[str, GrowthSpec | SpecError]:
    """The specification and its variants; a variant that cannot be fitted is its SpecError.

    The latent basis adds parameters, so it can be under-identified (or need
    more waves) where the specification is not.
    """
    out: dict[str, GrowthSpec | SpecError] = {}
    for name, change in VARIANTS.items():
        try:
            out[name] = dataclasses.replace(spec, **change)  # type: ignore[arg-type]
        except SpecError as error:
            out[name] = error
    return out


def _row(name: str, res: GrowthResults) -> dict[str, Any]:
    fit = res.fit
    table = res.params
    first = table[table["group"] == 1]
    row: dict[str, Any] = {"variant": name, "converged": res.converged}
    for key in _FIT_KEYS:
        row[key] = fit[key]
    loadings = first[(first["lhs"] == "s") & (first["op"] == "=~")]["est"]
    row["time_scores"] = ", ".join(f"{t:.3g}" for t in loadings)
    pick = first[(first["lhs"] == "s") & (first["op"] == "~1")]
    row["slope_mean"] = float(pick["est"].iloc[0])
    row["slope_variance"] = float(
        first.query("lhs == 's' and op == '~~' and rhs == 's'")["est"].iloc[0]
    )
    for c in res.spec.covariates:
        row[f"s~{c}"] = float(
            first.query(f"lhs == 's' and op == '~' and rhs == '{c}'")["est"].iloc[0]
        )
    row["warnings"] = ", ".join(w.code for w in res.warnings)
    row["note"] = ""
    return row


def _not_fitted(name: str, error: SpecError, covariates: tuple[str, ...]) -> dict[str, Any]:
    row: dict[str, Any] = {"variant": name, "converged": False}
    row.update(dict.fromkeys(_FIT_KEYS, float("nan")))
    row["time_scores"] = ""
    row.update(dict.fromkeys(["slope_mean", "slope_variance", *(f"s~{c}" for c in covariates)],
                             float("nan")))  # fmt: skip
    row["warnings"] = "NOT_FITTED"
    row["note"] = str(error)
    return row


def fit_variants(
    data: pd.DataFrame, spec_or_kwargs: GrowthSpec | Mapping[str, Any]
) -> pd.DataFrame:
    """Fit a model and its sensitivity variants; one comparison table.

    Variants (:data:`VARIANTS`): as specified, residual variances equal over
    waves, a fixed slope (slope variance and intercept-slope covariance
    fixed at 0) and a latent basis (the time scores of the middle waves
    estimated). Warnings of the fits are not emitted; their codes are in
    the ``warnings`` column. A variant that cannot be specified (a latent
    basis with two waves, or one with more parameters than moments) gets a
    row of missing values, ``warnings`` ``NOT_FITTED`` and the reason in
    ``note``.

    Parameters
    ----------
    data
        One row per person.
    spec_or_kwargs
        A :class:`GrowthSpec` or the keyword arguments of ``GrowthSpec``.

    Returns
    -------
    pandas.DataFrame
        One row per variant: variant, converged, npar, logl, aic, bic, chisq,
        df, cfi, rmsea, srmr, time_scores (as text), slope_mean,
        slope_variance, ``s~<covariate>`` (group 1), warnings, note.

    Examples
    --------
    >>> from ilb_eval.datasets import load_example_growth_data
    >>> data = load_example_growth_data("belastbarkeit")
    >>> table = fit_variants(data, {"outcomes": ("t1", "t3", "t4"), "time_scores": (0, 2, 3),
    ...                             "covariates": ("ilb",)})
    >>> table["variant"].tolist()
    ['as specified', 'equal residual variances', 'fixed slope (no slope variance)', 'latent basis (estimated time scores)']
    >>> table.iloc[-1]["time_scores"]
    '0, 1.76, 3'
    """
    spec = (
        spec_or_kwargs if isinstance(spec_or_kwargs, GrowthSpec) else GrowthSpec(**spec_or_kwargs)
    )
    rows = []
    for name, variant in variant_specs(spec).items():
        if isinstance(variant, SpecError):
            rows.append(_not_fitted(name, variant, spec.covariates))
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows.append(_row(name, GrowthModel(variant).fit(data)))
    return pd.DataFrame(rows)
