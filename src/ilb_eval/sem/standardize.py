"""Standardized solutions as lavaan computes them (``std.lv``, ``std.all``, ``std.nox``).

``std.lv`` rescales the latent variables to unit total variance; ``std.all``
also rescales the observed variables (covariates included) by their total
model-implied standard deviations; ``std.nox`` does so for all observed
variables but the fixed covariates. Covariances between residuals are scaled
by the residual standard deviations (lavaan's ``cov.std = TRUE``), variances
by the total variances; a negative variance (or a zero variance of an observed
variable) gives NaN, as in lavaan.
Defined parameters (``:=``) are the definitions evaluated at the standardized
values of the parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["standardized"]


def _sd(variance: Mapping[str, float]) -> dict[str, float]:
    return {v: float(np.sqrt(s)) if s >= 0 else np.nan for v, s in variance.items()}


def standardized(
    table: pd.DataFrame,
    est: np.ndarray,
    total_variances: Sequence[Mapping[str, float]],
    lv_names: Sequence[str],
    x_names: Sequence[str],
    kind: str,
) -> np.ndarray:
    """One standardized column of the parameter table.

    Parameters
    ----------
    table
        The parameter table (rows of all groups, then constraints and definitions).
    est
        Unstandardized estimates, one per row.
    total_variances
        Per group: model-implied total variance of every variable (latent,
        observed and covariates).
    lv_names, x_names
        Latent variables and fixed covariates.
    kind
        ``"std_lv"``, ``"std_all"`` or ``"std_nox"``.

    Returns
    -------
    numpy.ndarray
        The standardized values (NaN for constraint rows and where a
        variance is not positive).
    """
    out = np.asarray(est, dtype=float).copy()
    lv = set(lv_names)
    x_set = set(x_names)
    lhs = table["lhs"].to_numpy()
    op = table["op"].to_numpy()
    rhs = table["rhs"].to_numpy()
    group = table["group"].to_numpy()
    block = table["block"].to_numpy()
    residual = {}
    for r in np.flatnonzero((op == "~~") & (lhs == rhs) & (block > 0)):
        residual[(group[r], lhs[r])] = np.sqrt(abs(est[r]))
    for g, variances in enumerate(total_variances, start=1):
        scaled = {v: s for v, s in variances.items() if v in lv}
        if kind != "std_lv":
            scaled.update(
                {v: s for v, s in variances.items()
                 if v not in lv and (kind == "std_all" or v not in x_set)}
            )  # fmt: skip
        for v in list(scaled):
            # lavaan: a negative variance gives NA; a zero variance of an
            # observed variable too, of a latent variable a zero scale
            if scaled[v] < 0 or (v not in lv and abs(scaled[v]) < np.finfo(float).eps):
                scaled[v] = np.nan
        sd = _sd(scaled)
        rows = np.flatnonzero(group == g)
        for r in rows:
            a, o, b = lhs[r], op[r], rhs[r]
            value = out[r]
            if o == "=~":
                value = value * sd.get(a, 1.0) / sd.get(b, 1.0)
            elif o == "~":
                value = value * sd.get(b, 1.0) / sd.get(a, 1.0)
            elif o == "~~":
                if a == b:
                    value = value / (sd.get(a, 1.0) ** 2)
                else:
                    if a in sd:
                        value = value / residual.get((g, a), np.nan)
                    if b in sd:
                        value = value / residual.get((g, b), np.nan)
            elif o == "~1":
                value = value / sd.get(a, 1.0)
            out[r] = value
    out[block == 0] = np.nan
    return out
