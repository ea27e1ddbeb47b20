"""Factor scores by the regression method, as lavaan's ``lavPredict(fit)``.

The score of a person is the expected value of the latent variables given
what was observed of that person under the fitted model (the "regression"
or empirical Bayes method lavaan uses for continuous indicators):

``E[eta | y_o, x] = E[eta | x] + Cov(eta, y_o | x) Sigma_oo^-1 (y_o - E[y_o | x])``

with ``o`` the person's observed outcomes (FIML: each missing-data pattern
uses its own part of the implied covariance matrix) and ``x`` the fixed
covariates. A person whose outcomes are all missing but whose covariates
are observed gets ``E[eta | x]``, as in lavaan 0.6-14; a row the fit did not
use (every model variable missing, a missing covariate or group) gets NaN.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ilb_eval.exceptions import InputError, Problem
from ilb_eval.sem.data import group_value_label, prepare_data
from ilb_eval.sem.patterns import pattern_rows

if TYPE_CHECKING:
    from ilb_eval.sem.representation import GroupModel, GroupState
    from ilb_eval.sem.results import SemResults

__all__ = ["predict"]


def _scores(
    structure: GroupModel, state: GroupState, y: np.ndarray, x: np.ndarray
) -> np.ndarray:
    """Regression factor scores of the rows of one group (n x m)."""
    p = structure.p
    eta = state.a[p:]
    base = (eta @ state.alpha)[None, :] + x @ (eta @ state.gamma).T
    fitted_y = np.column_stack([np.ones(len(y)), x]) @ state.mean_coef.T
    cov_eta_y = eta @ state.phi @ state.t.T
    out = base.copy()
    for rows, o in pattern_rows(~np.isnan(y)):
        if o.size == 0:
            continue
        weights = np.linalg.solve(state.sigma[np.ix_(o, o)], cov_eta_y[:, o].T)
        out[rows] += (y[np.ix_(rows, o)] - fitted_y[np.ix_(rows, o)]) @ weights
    return out


def _new_groups(res: SemResults, data: pd.DataFrame) -> tuple[list, int]:
    """(label, positions, y, x) per fitted group for rows of new data."""
    model = res.model
    prepared = prepare_data(data, model.data.y_names, model.data.x_names)
    rows = prepared.groups[0].rows
    y, x = prepared.groups[0].y, prepared.groups[0].x
    group = model.options.group
    if group is None:
        return [("", rows, y, x)], len(data)
    if group not in data.columns:
        raise InputError([Problem(code="MISSING_COLUMN", message="the group column of the fit "
                                  "is not a column of the new data", column=group,
                                  fix="add the group column to the data")])  # fmt: skip
    values = data[group].to_numpy()[rows]
    present = ~pd.isna(values)
    labels = np.array([group_value_label(v) if ok else "" for v, ok in zip(values, present,
                                                                           strict=True)])  # fmt: skip
    unknown = present & ~np.isin(labels, model.data.labels)
    if unknown.any():
        raise InputError([Problem(
            code="UNKNOWN_GROUP", message="the new data have group values the fit does not know",
            column=group, rows=tuple(int(r) + 2 for r in rows[unknown]),
            expected=", ".join(model.data.labels), fix="keep only rows of the fitted groups",
        )])  # fmt: skip
    out = []
    for label in model.data.labels:
        mine = labels == label
        out.append((label, rows[mine], y[mine], x[mine]))
    return out, len(data)


def predict(res: SemResults, data: pd.DataFrame | None = None) -> pd.DataFrame:
    """Factor scores of every person (lavaan's ``lavPredict(fit)``, regression method).

    Parameters
    ----------
    res
        The fit.
    data
        New data with the model's columns (and the group column of a
        multi-group fit); default: the data of the fit.

    Returns
    -------
    pandas.DataFrame
        One row per row of the data, in its order (for the fit's own data the
        index is the 0-based row position in the data frame it was fitted
        to; for new data the data's index); one column per latent variable
        in lavaan's order, after a ``group`` column for multi-group fits.
        Rows not used by the fit are NaN.

    Raises
    ------
    InputError
        New data lack a model column, or have values that are not numbers or
        a group the fit does not know.

    Examples
    --------
    >>> from ilb_eval.sem import cfa
    >>> from ilb_eval.datasets import load_example_growth_data
    >>> data = load_example_growth_data("belastbarkeit")
    >>> res = cfa("f =~ t1 + t3 + t4", data)
    >>> scores = predict(res)
    >>> len(scores) == len(data), list(scores.columns)
    (True, ['f'])
    """
    model = res.model
    states = model.states(res.theta)
    assert states is not None
    if data is None:
        groups = [(g.label, g.rows, g.y, g.x) for g in model.data.groups]
        n_rows = model.data.ntotal + sum(model.data.n_dropped.values())
        index = pd.RangeIndex(n_rows)
    else:
        groups, n_rows = _new_groups(res, data)
        index = data.index
    lv = list(model.partable.names.lv)
    scores = np.full((n_rows, len(lv)), np.nan)
    group_column = np.full(n_rows, None, dtype=object)
    for (label, rows, y, x), structure, state in zip(groups, model.groups, states, strict=True):
        scores[rows] = _scores(structure, state, y, x)
        group_column[rows] = label
    frame = pd.DataFrame(scores, index=index, columns=lv)
    if model.partable.ngroups > 1:
        frame.insert(0, "group", group_column)
    return frame
