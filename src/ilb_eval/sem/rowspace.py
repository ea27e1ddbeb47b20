"""lavaan's parameter space for score tests: one parameter per row, in the joint model.

Score tests (:mod:`~ilb_eval.sem.score`) and modification indices
(:mod:`~ilb_eval.sem.modindices`) are computed by lavaan 0.6-14 in its own
parameter space, which differs from the one the fit uses in two ways:

- every row of the parameter table is its own parameter (lavaan's ``x``
  vector): rows that share a label are separate parameters tied by ``==``
  constraints, and extra rows (fixed parameters set free, parameters not in
  the model) can be added;
- the fixed covariates are modelled variables of a joint normal model of
  ``(y, x)`` whose covariate means and covariances are held at their sample
  values (lavaan's ``conditional.x = FALSE``). A row such as ``x ~ f``
  (covariate on a factor) is a parameter there.

This module gives, at the estimates of a fit, the gradient of the
log-likelihood and lavaan's expected information in such a row space. The
model is written in the reticular-action form of
:mod:`~ilb_eval.sem.representation` with the covariates as observed modelled
variables (``v = [y; x; eta]``), so that the Jacobians of the joint moments
come from the same code as the fit's.

- The gradient: the covariates' marginal likelihood is at its maximum (sample
  moments), so the gradient of the joint log-likelihood is that of the
  outcomes given the covariates. The Jacobians of the joint moments are turned
  into Jacobians of the conditional moments (``Sigma_y|x``, intercepts and
  slopes) and contracted with ``dlogl/dSigma`` and ``dlogl/dM`` of
  :func:`~ilb_eval.sem.fiml.moment_logl`. Rows that touch only the covariates'
  own moments (their means, variances and covariances) have a gradient of
  exactly 0.
- The expected information is lavaan's ``information = "expected"`` with
  missing data (``lav_mvnorm_missing_information_expected``): per
  missing-data pattern the information of the joint normal distribution of
  the observed outcomes and the covariates, with the entries of the
  covariates' means and covariance matrix removed, ``Delta' A1 Delta``.

All numbers are totals over persons (lavaan's unit quantities times N).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilb_eval.sem.fiml import moment_logl
from ilb_eval.sem.model import SemModel
from ilb_eval.sem.representation import ALPHA, PHI, GroupModel, build_group_model

__all__ = ["RowDerivatives", "row_derivatives", "table_values"]


@dataclass(frozen=True)
class RowDerivatives:
    """Gradient and expected information in a row space (totals over persons).

    Attributes
    ----------
    gradient
        ``dlogl/dparameter``, one per row.
    information
        lavaan's expected information, rows x rows.
    """

    gradient: np.ndarray
    information: np.ndarray


def table_values(model: SemModel, theta: np.ndarray) -> np.ndarray:
    """Value of every row of the model's table at ``theta`` (fixed rows: their value).

    Rows of constraints and definitions get NaN.
    """
    table = model.partable.table
    free = model.reparam.free(theta)
    index = table["free"].to_numpy()
    values = table["ustart"].to_numpy(dtype=float).copy()
    values[index > 0] = free[index[index > 0] - 1]
    values[table["block"].to_numpy() == 0] = np.nan
    return values


def _key(lhs: str, op: str, rhs: str) -> tuple[str, str, str]:
    """Row key with covariances unordered."""
    if op == "~~" and rhs < lhs:
        lhs, rhs = rhs, lhs
    return lhs, op, rhs


def _joint_group(
    model: SemModel, values: np.ndarray, rows: pd.DataFrame, group: int
) -> GroupModel:
    """The joint structure of one group with the rows of ``rows`` as free entries.

    Covariates are observed modelled variables (order ``[y; x; eta]``); the
    free index of an entry is the position of its row in ``rows`` (0-based).
    """
    table = model.partable.table
    base = model.groups[group - 1]
    mine = table[(table["group"] == group) & (table["block"] > 0)]
    position = {
        _key(a, o, b): i
        for i, (a, o, b, g) in enumerate(
            zip(rows["lhs"], rows["op"], rows["rhs"], rows["group"], strict=True)
        )
        if g == group
    }
    lhs, op, rhs, free, ustart = [], [], [], [], []
    seen = set()
    for r in mine.index:
        key = _key(table.at[r, "lhs"], table.at[r, "op"], table.at[r, "rhs"])
        seen.add(key)
        lhs.append(table.at[r, "lhs"])
        op.append(table.at[r, "op"])
        rhs.append(table.at[r, "rhs"])
        free.append(position[key] + 1 if key in position else 0)
        ustart.append(values[r])
    for key, i in position.items():
        if key not in seen:
            lhs.append(rows["lhs"].iat[i])
            op.append(rows["op"].iat[i])
            rhs.append(rows["rhs"].iat[i])
            free.append(i + 1)
            ustart.append(0.0)
    joint_table = pd.DataFrame(
        {"lhs": lhs, "op": op, "rhs": rhs, "group": group, "block": group, "free": free,
         "ustart": ustart, "exo": 0}
    )  # fmt: skip
    return build_group_model(joint_table, group, base.y_names + base.x_names, base.lv_names, ())


def _row_values(model: SemModel, values: np.ndarray, rows: pd.DataFrame) -> np.ndarray:
    """Value of each row of ``rows`` at the fit (0 for rows not in the model)."""
    table = model.partable.table
    body = table[table["block"] > 0]
    lookup = {
        (*_key(a, o, b), g): values[r]
        for r, a, o, b, g in zip(body.index, body["lhs"], body["op"], body["rhs"], body["group"],
                                 strict=True)
    }  # fmt: skip
    return np.array(
        [lookup.get((*_key(a, o, b), g), 0.0)
         for a, o, b, g in zip(rows["lhs"], rows["op"], rows["rhs"], rows["group"], strict=True)]
    )  # fmt: skip


def _covariate_moment_entries(structure: GroupModel, p: int) -> np.ndarray:
    """Free entries that are a covariate's mean, variance or covariance with a covariate."""
    in_x = (structure.row >= p) & (structure.row < structure.p)
    col_x = (structure.col >= p) & (structure.col < structure.p)
    return ((structure.kind == PHI) & in_x & col_x) | ((structure.kind == ALPHA) & in_x)


def _conditional_jacobians(
    sigma: np.ndarray, mean: np.ndarray, j_sigma: np.ndarray, j_mean: np.ndarray, p: int
) -> tuple[np.ndarray, np.ndarray]:
    """Jacobians of ``Sigma_y|x`` and ``M = [intercepts, slopes]`` from those of the joint moments."""
    y, x = slice(0, p), slice(p, sigma.shape[0])
    mu = mean[:, 0]
    if sigma.shape[0] == p:
        return j_sigma, j_mean
    s_xx_inv = np.linalg.inv(sigma[x, x])
    slopes = sigma[y, x] @ s_xx_inv
    d_yx = j_sigma[:, y, x]
    d_xx = j_sigma[:, x, x]
    d_slopes = (d_yx - slopes @ d_xx) @ s_xx_inv
    cross = d_yx @ slopes.T
    d_cond = j_sigma[:, y, y] - cross - cross.transpose(0, 2, 1) + slopes @ d_xx @ slopes.T
    d_intercept = j_mean[:, y, 0] - d_slopes @ mu[x] - j_mean[:, x, 0] @ slopes.T
    return d_cond, np.concatenate([d_intercept[:, :, None], d_slopes], axis=2)


def _expected_weights(
    sigma: np.ndarray, patterns, p: int
) -> tuple[np.ndarray, np.ndarray]:
    """``sum_patterns n S_o^-1`` (means) and ``sum n/2 S_o^-1 (x) S_o^-1`` (vec Sigma), padded."""
    size = sigma.shape[0]
    x_idx = np.arange(p, size)
    w_mean = np.zeros((size, size))
    w_cov = np.zeros((size * size, size * size))
    for pat in patterns:
        o = np.concatenate([pat.observed, x_idx])
        inverse = np.zeros((size, size))
        inverse[np.ix_(o, o)] = np.linalg.inv(sigma[np.ix_(o, o)])
        w_mean += pat.n * inverse
        w_cov += 0.5 * pat.n * np.kron(inverse, inverse)
    return w_mean, w_cov


def row_derivatives(model: SemModel, theta: np.ndarray, rows: pd.DataFrame) -> RowDerivatives:
    """Gradient and lavaan's expected information with one parameter per row of ``rows``.

    Parameters
    ----------
    model
        The fitted model.
    theta
        Its estimates.
    rows
        Columns ``lhs``, ``op``, ``rhs``, ``group`` (1-based): the parameters.
        Rows of the model's table take their value at ``theta`` (fixed ones
        their fixed value), other rows the value 0.

    Returns
    -------
    RowDerivatives
    """
    n_rows = len(rows)
    values = table_values(model, theta)
    row_values = _row_values(model, values, rows)
    states = model.states(theta)
    assert states is not None
    gradient = np.zeros(n_rows)
    information = np.zeros((n_rows, n_rows))
    for g, (state, data) in enumerate(zip(states, model.data.groups, strict=True), start=1):
        structure = _joint_group(model, values, rows, g)
        entry_rows = structure.index
        if not len(entry_rows):
            continue
        p, size = len(model.groups[g - 1].y_names), structure.p
        incidence = np.zeros((len(entry_rows), n_rows))
        incidence[np.arange(len(entry_rows)), entry_rows] = 1.0
        joint_state = structure.state(row_values)
        assert joint_state is not None
        j_sigma, j_mean = structure.jacobians(joint_state)
        # covariates' own moments: no effect on y | x, no weight in lavaan's A1
        d_cond, d_m = _conditional_jacobians(joint_state.sigma, joint_state.mean_coef,
                                             j_sigma, j_mean, p)  # fmt: skip
        x_only = _covariate_moment_entries(structure, p)
        d_cond[x_only] = 0.0
        d_m[x_only] = 0.0
        x = slice(p, size)
        j_sigma[:, x, x] = 0.0
        j_mean[:, x, :] = 0.0
        moments = moment_logl(state.sigma, state.mean_coef, data.blocks, 1)
        assert moments.d_sigma is not None and moments.d_mean is not None
        entry_grad = np.einsum("eij,ij->e", d_cond, moments.d_sigma)
        entry_grad += np.einsum("eij,ij->e", d_m, moments.d_mean)
        gradient += incidence.T @ entry_grad
        w_mean, w_cov = _expected_weights(joint_state.sigma, data.patterns, p)
        flat = j_sigma.reshape(len(entry_rows), -1)
        jm = j_mean[:, :, 0]
        entry_info = flat @ w_cov @ flat.T + jm @ w_mean @ jm.T
        information += incidence.T @ entry_info @ incidence
    return RowDerivatives(gradient=gradient, information=0.5 * (information + information.T))

