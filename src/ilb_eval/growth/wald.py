"""Wald tests of linear hypotheses about the free parameters (lavaan's lavTestWald)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ilb_eval.exceptions import SpecError
from ilb_eval.growth.results import GrowthResults

__all__ = ["WaldTest", "restriction_matrix", "wald_test"]

_TERM = re.compile(r"^\s*(?:([0-9.eE+-]+)\s*\*\s*)?(\w+)\s*(=~|~~|~1|~)\s*(\w*)\s*$")


@dataclass(frozen=True)
class WaldTest:
    """Result of :func:`wald_test`: ``stat ~ chi2(df)`` under the hypothesis."""

    stat: float
    df: int
    pvalue: float


def _free_index(results: GrowthResults, lhs: str, op: str, rhs: str, group: int) -> int:
    table = results.params
    rows = table[
        (table["lhs"] == lhs) & (table["op"] == op) & (table["rhs"] == rhs)
        & (table["group"] == group) & (table["free"] > 0)
    ]  # fmt: skip
    if rows.empty:
        raise SpecError(
            f"no free parameter '{lhs} {op} {rhs}' in group {group}; name a free row "
            "of the parameter table (e.g. 's ~ ilb', 's ~1', 's ~~ s')."
        )
    return int(rows["free"].iloc[0]) - 1


def restriction_matrix(
    results: GrowthResults, hypothesis: str, group: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """``R`` and ``r`` of a hypothesis ``R theta = r`` written as text.

    Constraints are separated by ``;``; each is a sum of terms
    ``[number *] lhs op rhs`` (op one of ``~``, ``~~``, ``~1``) joined by
    ``+``/``-``, ``=`` and a number, e.g. ``"s ~ ilb = 0; i ~ ilb = 0"`` or
    ``"s ~ age40 - s ~ female = 0"``.
    """
    n_free = int(results.params["free"].max())
    rows, values = [], []
    for constraint in hypothesis.split(";"):
        if "=" not in constraint.replace("=~", ""):
            raise SpecError(
                f"constraint {constraint!r} has no '= value'. Write e.g. 's ~ ilb = 0'."
            )
        left, right = constraint.rsplit("=", 1)
        row = np.zeros(n_free)
        for sign, term in re.findall(r"([+-]?)\s*([^+-]+)", left):
            match = _TERM.match(term)
            if match is None:
                raise SpecError(f"cannot read the term {term!r} of {constraint!r}.")
            coef = float(match.group(1)) if match.group(1) else 1.0
            lhs, op, rhs = match.group(2), match.group(3), match.group(4)
            row[_free_index(results, lhs, op, rhs, group)] += -coef if sign == "-" else coef
        rows.append(row)
        values.append(float(right))
    return np.array(rows), np.array(values)


def wald_test(
    results: GrowthResults,
    hypothesis: str | np.ndarray,
    value: np.ndarray | None = None,
    *,
    group: int = 1,
) -> WaldTest:
    """Wald test of ``R theta = r`` with the fit's covariance of the estimates.

    Parameters
    ----------
    results
        A converged fit (ML or MLR; MLR uses the sandwich covariance).
    hypothesis
        Text (see :func:`restriction_matrix`) or the matrix ``R`` (rows over
        the free parameters, in the table's ``free`` numbering).
    value
        ``r`` when ``hypothesis`` is a matrix (default zeros).
    group
        Group (1-based) the names in a text hypothesis refer to.

    Returns
    -------
    WaldTest
        ``stat = (R theta - r)' (R V R')^-1 (R theta - r)``, df = rows of R.

    Examples
    --------
    >>> from ilb_eval.datasets import load_example_growth_data
    >>> from ilb_eval.growth import fit_growth
    >>> import warnings; warnings.simplefilter("ignore")
    >>> data = load_example_growth_data("belastbarkeit")
    >>> res = fit_growth(data, outcomes=["t1", "t3", "t4"], time_scores=[0, 2, 3],
    ...                  covariates=["ilb"])
    >>> test = wald_test(res, "s ~ ilb = 0")
    >>> test.df
    1
    """
    if isinstance(hypothesis, str):
        r_mat, r_val = restriction_matrix(results, hypothesis, group)
    else:
        r_mat = np.atleast_2d(np.asarray(hypothesis, dtype=float))
        r_val = np.zeros(len(r_mat)) if value is None else np.asarray(value, dtype=float)
    if results.vcov is None:
        raise SpecError("the fit has no covariance matrix of the estimates.")
    table = results.params
    free = table[table["free"] > 0].drop_duplicates("free").sort_values("free")
    theta = free["est"].to_numpy(dtype=float)
    diff = r_mat @ theta - r_val
    middle = r_mat @ results.vcov @ r_mat.T
    with np.errstate(invalid="ignore"):
        stat = (
            float(diff @ np.linalg.solve(middle, diff)) if np.all(np.isfinite(middle)) else np.nan
        )
    df = int(r_mat.shape[0])
    return WaldTest(stat=stat, df=df, pvalue=float(stats.chi2.sf(stat, df)))
