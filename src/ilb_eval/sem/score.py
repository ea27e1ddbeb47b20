"""Score (Lagrange multiplier) tests for releasing equality constraints, as lavaan's ``lavTestScore``.

A score test asks, from the restricted fit alone, whether freeing
constraints would improve the fit significantly: ``X2 = g' P g`` with ``g``
the gradient of the log-likelihood at the restricted estimates and ``P``
the inverse of the expected information of the model with the other
constraints kept (lavaan's generalized inverse of the bordered matrix
``[[I, R'], [R, 0]]``). Everything is computed in lavaan's row space
(:mod:`~ilb_eval.sem.rowspace`) with lavaan's ``==`` constraints
(:mod:`~ilb_eval.sem.equalities`), from the information matrix at the
estimates: no model is refitted.

- ``total``: all constraints released at once (df = number of constraints).
- ``univariate``: one constraint released, the others kept; in
  measurement-invariance work the row with the largest ``X2`` names the
  intercept or loading to free first.
- ``cumulative`` (optional): the constraints released one after another in
  the order of their univariate ``X2``.
- ``epc`` (optional): expected parameter changes of every parameter when all
  constraints are released, with lavaan's standardized versions.

lavaan 0.6-14 has no robust score test: for MLR fits (and fits with sampling
weights or clusters) it warns and returns this ordinary (ML, expected
information) test; so does this module, and it says so in ``notes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from ilb_eval.exceptions import SpecError
from ilb_eval.sem.epc import standardized_changes
from ilb_eval.sem.equalities import free_rows, row_equalities
from ilb_eval.sem.rowspace import row_derivatives, table_values

if TYPE_CHECKING:
    from ilb_eval.sem.results import SemResults

__all__ = ["ScoreTest", "score_test"]

#: lavaan's tolerance of MASS::ginv.
_GINV_TOL = float(np.sqrt(np.finfo(float).eps))


@dataclass(frozen=True)
class ScoreTest:
    """Result of :func:`score_test` (lavaan's ``lavTestScore``).

    Attributes
    ----------
    total
        One row: ``test`` ("score"), ``X2``, ``df``, ``p_value``.
    univariate
        One row per ``==`` constraint, in lavaan's order: ``lhs``, ``op``,
        ``rhs`` (lavaan's text, ``.p2. == .p38.`` for tied rows), ``X2``,
        ``df`` (1), ``p_value``, the ``label`` that ties the rows and the
        parameters the two sides name (``left_lhs``, ``left_op``,
        ``left_rhs``, ``left_group``, ``right_...``).
    cumulative
        With ``cumulative=True``: the constraints in decreasing order of their
        univariate ``X2``, each row releasing it and all rows above
        (``df`` = 1, 2, ...); else None.
    epc
        With ``epc=True``: every parameter row (``lhs``, ``op``, ``rhs``,
        ``group``, ``label``, ``est``, ``epc``, ``epv`` = est + epc,
        ``sepc_lv``, ``sepc_all``, ``sepc_nox``); else None.
    notes
        What the test is not (e.g. not robust for an MLR fit).
    """

    total: pd.DataFrame
    univariate: pd.DataFrame
    cumulative: pd.DataFrame | None
    epc: pd.DataFrame | None
    notes: tuple[str, ...]


def _pvalues(x2: np.ndarray, df: np.ndarray) -> np.ndarray:
    return stats.chi2.sf(x2, df)


class _Released:
    """``g' P g`` with a set of constraints released, from one inverse of the bordered matrix.

    ``P`` is the top-left block of the (generalized) inverse of
    ``[[J, R'], [R, 0]]`` without the released rows. When the bordered matrix
    is invertible, releasing a constraint is a rank-one downdate of its
    inverse; otherwise (and where a release leaves the model unidentified)
    the generalized inverse is computed afresh, as lavaan does.
    """

    def __init__(self, info: np.ndarray, matrix: np.ndarray, score: np.ndarray) -> None:
        self.info, self.matrix, self.score = info, matrix, score
        self.n = info.shape[0]
        bordered = self._bordered(np.arange(matrix.shape[0]))
        singular = np.linalg.svd(bordered, compute_uv=False)
        self.inverse = (
            np.linalg.inv(bordered) if singular[-1] > _GINV_TOL * singular[0] else None
        )

    def _bordered(self, kept: np.ndarray) -> np.ndarray:
        r = self.matrix[kept]
        c = len(kept)
        return np.block([[self.info, r.T], [r, np.zeros((c, c))]])

    def _statistic(self, inverse: np.ndarray) -> float:
        top = inverse[: self.n, : self.n]
        return float(self.score @ top @ self.score)

    def _fresh(self, released: np.ndarray) -> float:
        kept = np.setdiff1d(np.arange(self.matrix.shape[0]), released)
        return self._statistic(np.linalg.pinv(self._bordered(kept), rcond=_GINV_TOL))

    @staticmethod
    def _downdate(inverse: np.ndarray, k: int) -> np.ndarray | None:
        pivot = inverse[k, k]
        if abs(pivot) <= 1e-10 * np.max(np.abs(inverse)):
            return None
        keep = np.r_[0:k, k + 1 : inverse.shape[0]]
        return inverse[np.ix_(keep, keep)] - np.outer(inverse[keep, k], inverse[k, keep]) / pivot

    def one(self, r: int) -> float:
        """Statistic with constraint ``r`` released."""
        if self.inverse is not None:
            smaller = self._downdate(self.inverse, self.n + r)
            if smaller is not None:
                return self._statistic(smaller)
        return self._fresh(np.array([r]))

    def sequence(self, order: np.ndarray) -> np.ndarray:
        """Statistics with the first 1, 2, ... constraints of ``order`` released."""
        out = np.empty(len(order))
        inverse = self.inverse
        positions = list(range(self.matrix.shape[0]))  # constraint of each bordered row
        for i, r in enumerate(order):
            if inverse is not None:
                inverse = self._downdate(inverse, self.n + positions.index(r))
                positions.remove(r)
            out[i] = self._statistic(inverse) if inverse is not None else self._fresh(order[: i + 1])
        return out


def score_test(res: SemResults, *, cumulative: bool = False, epc: bool = False) -> ScoreTest:
    """Score tests for releasing the equality constraints of a fit (lavaan's ``lavTestScore``).

    Parameters
    ----------
    res
        A converged fit with equality constraints (equal labels,
        ``group_equal`` or ``==``) and no inequality constraints.
    cumulative
        Also release the constraints cumulatively (lavaan's ``cumulative = TRUE``).
    epc
        Also give the expected parameter changes (lavaan's ``epc = TRUE``).

    Returns
    -------
    ScoreTest

    Raises
    ------
    SpecError
        The fit did not converge, has inequality constraints (``<``, ``>``,
        bounds), or has no equality constraint.

    Examples
    --------
    >>> from ilb_eval.sem import cfa
    >>> from ilb_eval.datasets import load_example_growth_data
    >>> data = load_example_growth_data("belastbarkeit")
    >>> res = cfa("f =~ t1 + a*t3 + a*t4", data)
    >>> test = score_test(res)
    >>> test.univariate[["lhs", "op", "rhs", "df"]].values.tolist()
    [['.p2.', '==', '.p3.', 1]]
    >>> bool(np.isclose(test.total["X2"].iat[0], test.univariate["X2"].iat[0]))
    True
    """
    model = res.model
    table = model.partable.table
    if (table["op"].isin(["<", ">"])).any() or np.isfinite(table[["lower", "upper"]]).any(axis=None):
        raise SpecError(
            "score tests (lavTestScore) do not handle inequality constraints or bounds; "
            "remove the '<'/'>' constraints and lower()/upper() modifiers and refit."
        )
    if not res.converged:
        raise SpecError("score tests need a converged fit; this model did not converge.")
    equalities = row_equalities(model)
    if not len(equalities.table):
        raise SpecError(
            "the model has no equality constraint to release; score tests need equal labels, "
            "group_equal or '==' constraints."
        )
    rows = free_rows(model)
    derivatives = row_derivatives(model, res.theta, rows)
    n = float(res.ntotal)
    info = derivatives.information / n  # lavaan's unit information
    score = derivatives.gradient / n
    n_con = len(equalities.table)
    total_x2 = n * float(score @ np.linalg.pinv(info, rcond=_GINV_TOL) @ score)
    total = pd.DataFrame({"test": ["score"], "X2": [total_x2], "df": [n_con],
                          "p_value": _pvalues(np.array([total_x2]), np.array([n_con]))})  # fmt: skip
    released = _Released(info, equalities.matrix, score)
    uni_x2 = n * np.array([released.one(r) for r in range(n_con)])
    univariate = equalities.table.loc[:, ["lhs", "op", "rhs"]].copy()
    univariate["X2"] = uni_x2
    univariate["df"] = 1
    univariate["p_value"] = _pvalues(uni_x2, np.ones(n_con))
    univariate = pd.concat([univariate, equalities.table.drop(columns=["lhs", "op", "rhs"])],
                           axis=1)  # fmt: skip
    cumulative_table = None
    if cumulative:
        order = np.argsort(-uni_x2, kind="stable")
        x2 = n * released.sequence(order)
        df = np.arange(1, n_con + 1)
        cumulative_table = univariate.iloc[order].reset_index(drop=True)
        cumulative_table["X2"] = x2
        cumulative_table["df"] = df
        cumulative_table["p_value"] = _pvalues(x2, df)
    epc_table = _epc_table(res, rows, info, score) if epc else None
    notes = ()
    if model.options.robust or model.options.sampling_weights or model.options.cluster:
        notes = (
            "not robust: lavaan 0.6-14 has no robust score test and returns this ordinary "
            "(expected-information) test for MLR, weighted and clustered fits.",
        )
    return ScoreTest(total=total, univariate=univariate, cumulative=cumulative_table,
                     epc=epc_table, notes=notes)  # fmt: skip


def _epc_table(
    res: SemResults, rows: pd.DataFrame, info: np.ndarray, score: np.ndarray
) -> pd.DataFrame:
    """Expected parameter changes of every parameter row with all constraints released."""
    table = res.model.partable.table
    body = table[~table["op"].isin(["==", "<", ">", ":="])]
    change = np.linalg.pinv(info, rcond=_GINV_TOL) @ score
    position = {r: i for i, r in enumerate(rows.index)}
    est = table_values(res.model, res.theta)[body.index]
    epc = np.array([change[position[r]] if r in position else np.nan for r in body.index])
    out = pd.DataFrame({
        "lhs": body["lhs"].to_numpy(), "op": body["op"].to_numpy(), "rhs": body["rhs"].to_numpy(),
        "group": body["group_label"].to_numpy(), "label": body["label"].to_numpy(),
        "est": est, "epc": epc, "epv": est + epc,
    })  # fmt: skip
    sepc = standardized_changes(res, body, epc, est)
    for column in sepc:
        out[column] = sepc[column]
    return out
