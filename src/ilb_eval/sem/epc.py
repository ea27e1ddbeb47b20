"""Standardized expected parameter changes, as lavaan's ``sepc.lv``, ``sepc.all``, ``sepc.nox``.

An expected parameter change (EPC) is standardized like an estimate
(:func:`~ilb_eval.sem.standardize.standardized`, with the fitted model's
variances), following lavaan's ``modindices`` and ``lavTestScore``
(``cov.std = TRUE``): the absolute EPC is standardized and the sign put back;
for a variance row the estimate itself is standardized (so its standardized
change is +1 or -1 times the standardized variance), and a variance whose
estimate is below ``sqrt(machine epsilon)`` in absolute value gets 0. A
covariance is scaled by the residual standard deviations, i.e. the square
roots of the variance rows' estimates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ilb_eval.sem.standardize import standardized

if TYPE_CHECKING:
    from ilb_eval.sem.results import SemResults

__all__ = ["standardized_changes", "total_variances"]

_SMALL = float(np.sqrt(np.finfo(float).eps))


def total_variances(res: SemResults) -> list[dict[str, float]]:
    """Per group: the model-implied total variance of every variable (latent, observed, covariate)."""
    model = res.model
    states = model.states(res.theta)
    assert states is not None
    out = []
    for group, state, data in zip(model.groups, states, model.data.groups, strict=True):
        _, cov = group.total_moments(state, data.x_mean, data.x_cov)
        names = group.y_names + group.lv_names + group.x_names
        out.append(dict(zip(names, np.diag(cov), strict=True)))
    return out


def standardized_changes(
    res: SemResults, rows: pd.DataFrame, epc: np.ndarray, est: np.ndarray
) -> dict[str, np.ndarray]:
    """``sepc_lv``, ``sepc_all``, ``sepc_nox`` of the rows' expected parameter changes.

    Parameters
    ----------
    res
        The fit (its implied variances standardize).
    rows
        Parameter rows: ``lhs``, ``op``, ``rhs``, ``group`` (1-based), ``block``,
        ``exo``; every variance row of the model must be among them.
    epc
        Expected parameter change of each row (NaN where none).
    est
        Value of each row at the fit.

    Returns
    -------
    dict
        Column name -> values.
    """
    op, lhs, rhs = rows["op"].to_numpy(), rows["lhs"].to_numpy(), rows["rhs"].to_numpy()
    variance = (op == "~~") & (lhs == rhs)
    change = np.asarray(epc, dtype=float).copy()
    replace = variance & (rows["exo"].to_numpy() == 0)
    change[replace] = est[replace]
    small = variance & (np.abs(change) < _SMALL)
    change[small] = np.nan
    sign = np.sign(epc)
    variances = total_variances(res)
    x_names = res.model.data.x_names
    # lavaan's std.nox scales a regression of a covariate (a candidate row such
    # as "ageyr ~ visual") by the covariate's standard deviation after all
    covariate_on = (op == "~") & np.isin(lhs, x_names)
    groups = rows["group"].to_numpy()
    x_scale = np.ones(len(rows))
    x_scale[covariate_on] = [np.sqrt(variances[g - 1][v])
                             for g, v in zip(groups[covariate_on], lhs[covariate_on], strict=True)]  # fmt: skip
    out = {}
    for kind in ("std_lv", "std_all", "std_nox"):
        with np.errstate(invalid="ignore"):
            value = sign * standardized(rows, np.abs(change), variances,
                                        res.model.partable.names.lv, x_names, kind)  # fmt: skip
        if kind == "std_nox":
            value = value / x_scale
        value[small] = 0.0
        out["s" + kind.replace("std", "epc")] = value
    return out
