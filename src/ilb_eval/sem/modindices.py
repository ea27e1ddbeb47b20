"""Modification indices, as lavaan 0.6-14's ``modindices()``.

A modification index is the score test (1 df) for freeing one parameter that
the model fixes: the expected drop of the chi-square if it were freed. With
it come the expected parameter change (``epc``) and its standardized
versions (:mod:`~ilb_eval.sem.epc`). As lavaan, the candidates are every
fixed row of the parameter table (marker loadings, fixed values, the fixed
covariates' moments) and every row of lavaan's "full" parameter list that
the model lacks (``lav_partable_full``: per group every loading of a factor on
a modelled observed variable, every covariance among the modelled observed
variables, among the covariates and among the latent variables, every
regression among the variables that appear in regressions, every intercept);
equality constraints are released by :func:`~ilb_eval.sem.score.score_test`,
not here. Rows whose index is not defined (freeing them would leave the model
unidentified) are left out, as lavaan's ``na.remove``.

With ``I`` lavaan's expected information in the row space
(:mod:`~ilb_eval.sem.rowspace`; ``1`` the model's free rows, ``2`` the
candidates), ``V = I22 - I21 I11^- I12`` with ``I11^-`` the inverse of the
model's information under its equality constraints, and ``g`` the gradient
of the log-likelihood: ``mi = g^2 / diag(V)``, ``epc = g / diag(V)``. No model
is refitted.
"""

from __future__ import annotations

from itertools import combinations_with_replacement
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ilb_eval.exceptions import SpecError
from ilb_eval.sem.epc import standardized_changes
from ilb_eval.sem.equalities import row_equalities
from ilb_eval.sem.rowspace import row_derivatives, table_values

if TYPE_CHECKING:
    from ilb_eval.sem.model import SemModel
    from ilb_eval.sem.results import SemResults

__all__ = ["MODINDICES_COLUMNS", "candidate_rows", "modindices"]

#: Columns of :func:`modindices` (lavaan's, ``.`` written ``_``).
MODINDICES_COLUMNS = ("lhs", "op", "rhs", "group", "mi", "epc", "sepc_lv", "sepc_all",
                      "sepc_nox")  # fmt: skip

#: lavaan's tolerances: MASS::ginv of the augmented information; an undefined index.
_AUGMENTED_TOL = float(np.finfo(float).eps ** 0.75)
_SMALL = float(np.sqrt(np.finfo(float).eps))


def _full_rows(model: SemModel) -> list[tuple[str, str, str]]:
    """lavaan's full parameter list of one block (``lav_partable_full``, ``strict.exo = FALSE``)."""
    names = model.partable.names
    table = model.partable.table
    regressions = table[(table["op"] == "~") & (table["group"] == 1)]
    eqs = list(dict.fromkeys([*regressions["lhs"], *regressions["rhs"]]))
    lv, nox, ov_x = list(names.lv), list(names.ov_nox), list(names.ov_x)
    rows = [(f, "=~", v) for f in lv for v in nox if v not in eqs]
    for variables in (nox, ov_x, lv):
        rows += [(a, "~~", b) for a, b in combinations_with_replacement(variables, 2)]
    indicators, latent = set(names.ov_ind), set(lv)
    rows += [(a, "~", b) for a in eqs for b in eqs
             if a != b and not (a in indicators and b in latent)]  # fmt: skip
    rows += [(v, "~1", "") for v in [*names.ov, *lv]]
    return rows


def candidate_rows(model: SemModel) -> pd.DataFrame:
    """lavaan's extended parameter list: the model's rows, then the full list's other rows.

    Columns ``lhs``, ``op``, ``rhs``, ``group`` (1-based), ``block``, ``exo``,
    ``free`` (> 0: a free row of the model), ``table_row`` (the row of the
    model's table, -1 for added rows).
    """
    table = model.partable.table
    body = table[table["block"] > 0]
    present = {
        (min(a, b) if o == "~~" else a, o, max(a, b) if o == "~~" else b, g)
        for a, o, b, g in zip(body["lhs"], body["op"], body["rhs"], body["group"], strict=True)
    }
    added = []
    full = _full_rows(model)
    for g in range(1, model.partable.ngroups + 1):
        for a, o, b in full:
            key = (min(a, b) if o == "~~" else a, o, max(a, b) if o == "~~" else b, g)
            if key not in present:
                added.append({"lhs": a, "op": o, "rhs": b, "group": g, "block": g, "exo": 0,
                              "free": 0, "table_row": -1})  # fmt: skip
    own = pd.DataFrame({
        "lhs": body["lhs"], "op": body["op"], "rhs": body["rhs"], "group": body["group"],
        "block": body["block"], "exo": body["exo"], "free": body["free"],
        "table_row": body.index,
    })  # fmt: skip
    return pd.concat([own, pd.DataFrame(added, columns=own.columns)], ignore_index=True)


def _constrained_inverse(info: np.ndarray, constraints: np.ndarray) -> np.ndarray:
    """lavaan's inverted information under equality constraints (augmented, ginv)."""
    if not len(constraints):
        return np.linalg.inv(info)
    c = constraints.shape[0]
    augmented = np.block([[info + constraints.T @ constraints, constraints.T],
                          [constraints, np.zeros((c, c))]])  # fmt: skip
    n = info.shape[0]
    return np.linalg.pinv(augmented, rcond=_AUGMENTED_TOL)[:n, :n]


def modindices(res: SemResults, *, minimum: float = 0.0, sort: bool = False) -> pd.DataFrame:
    """Modification indices of a fit (lavaan's ``modindices(fit)``).

    Parameters
    ----------
    res
        The fit.
    minimum
        Keep only rows with ``mi`` above this value (lavaan's ``minimum.value``).
    sort
        Sort by ``mi``, largest first (lavaan's ``sort.``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MODINDICES_COLUMNS`, ``group`` the group label ("" without
        groups); rows in lavaan's order.

    Raises
    ------
    SpecError
        The model has inequality constraints, or its information matrix is
        singular.

    Examples
    --------
    >>> from ilb_eval.sem import growth
    >>> from ilb_eval.datasets import load_example_growth_data
    >>> data = load_example_growth_data("belastbarkeit")
    >>> res = growth("i =~ 1*t1 + 1*t3 + 1*t4; s =~ 0*t1 + 2*t3 + 3*t4", data)
    >>> mi = modindices(res)
    >>> mi.loc[6, ["lhs", "op", "rhs"]].tolist(), round(float(mi.loc[6, "mi"]), 2)
    (['t1', '~1', ''], 1.38)

    With one degree of freedom every index is close to the model's chi-square:

    >>> round(float(res.fit["chisq"]), 2)
    1.41
    """
    model = res.model
    table = model.partable.table
    if table["op"].isin(["<", ">"]).any():
        raise SpecError(
            "modification indices of a model with inequality constraints ('<', '>') are not "
            "computed; remove the inequality constraints and refit."
        )
    rows = candidate_rows(model)
    derivatives = row_derivatives(model, res.theta, rows)
    n = float(res.ntotal)
    info = derivatives.information / n
    score = derivatives.gradient / n
    own = np.flatnonzero(rows["free"].to_numpy() > 0)
    extra = np.flatnonzero(rows["free"].to_numpy() == 0)
    try:
        inverse = _constrained_inverse(info[np.ix_(own, own)], row_equalities(model).matrix)
    except np.linalg.LinAlgError as error:
        raise SpecError(
            "could not compute modification indices: the information matrix is singular (the "
            "model may not be identified)."
        ) from error
    cross = info[np.ix_(extra, own)]
    v = np.diag(info[np.ix_(extra, extra)]) - np.einsum("ij,jk,ik->i", cross, inverse, cross)
    v = np.where(v < _SMALL, np.nan, v)
    mi = n * score[extra] ** 2 / v
    d = n * score[extra]
    d[np.abs(d) < 1e-15] = 1.0
    epc = np.full(len(rows), np.nan)
    epc[extra] = mi / d
    values = table_values(model, res.theta)
    est = np.array([values[r] if r >= 0 else 0.0 for r in rows["table_row"]])
    sepc = standardized_changes(res, rows, epc, est)
    labels = model.data.labels
    out = pd.DataFrame({
        "lhs": rows["lhs"].to_numpy()[extra], "op": rows["op"].to_numpy()[extra],
        "rhs": rows["rhs"].to_numpy()[extra],
        "group": [labels[g - 1] for g in rows["group"].to_numpy()[extra]],
        "mi": mi, "epc": epc[extra],
        **{name: values_[extra] for name, values_ in sepc.items()},
    })  # fmt: skip
    out = out[np.isfinite(out["mi"])]
    if minimum > 0:
        out = out[out["mi"] > minimum]
    if sort:
        out = out.sort_values("mi", ascending=False, kind="stable")
    return out.reset_index(drop=True)
