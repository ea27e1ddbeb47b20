"""Entropy balancing (Hainmueller 2012) as its convex dual, solved with scipy.

The primal problem for one group of ``n`` units with covariate rows ``c_j``
(the balance constraints), base weights ``q_j > 0`` and a target vector
``m`` is::

    minimise   sum_j w_j log(w_j / q_j)
    subject to sum_j w_j = 1,  sum_j w_j c_j = m,  w_j >= 0.

Its Lagrange dual is unconstrained and convex in the multipliers ``lam``::

    L(lam) = log sum_j q_j exp(lam' (c_j - m)),
    w_j(lam) = q_j exp(lam' (c_j - m)) / sum_k q_k exp(lam' (c_k - m)),

with gradient ``sum_j w_j (c_j - m)`` (the remaining imbalance) and Hessian the
``w``-weighted covariance of the ``c_j``. The minimiser balances the
constraints exactly; it exists if and only if ``m`` lies in the interior of
the convex hull of the ``c_j`` (checked first with a small linear programme,
so an impossible target is reported instead of diverging).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

__all__ = ["EntropyBalancingError", "EntropySolution", "entropy_balance", "target_inside_hull"]

#: Largest standardised imbalance accepted as exact balance.
BALANCE_TOLERANCE = 1e-8


class EntropyBalancingError(ValueError):
    """The target cannot be reached with positive weights (no overlap)."""


@dataclass(frozen=True)
class EntropySolution:
    """Weights (summing to one) that meet the moment conditions, with the dual solution.

    Attributes
    ----------
    weights:
        One weight per unit, positive, summing to 1.
    multipliers:
        The dual solution ``lam`` on the standardised, full-rank constraint
        columns the solver used.
    max_imbalance:
        Largest absolute difference between a weighted constraint mean and its
        target, in units of that column's standard deviation.
    iterations:
        Trust-region Newton iterations plus gradient evaluations of the final polish.
    """

    weights: np.ndarray
    multipliers: np.ndarray
    max_imbalance: float
    iterations: int


def _full_rank_columns(matrix: np.ndarray) -> np.ndarray:
    """Indices of a maximal set of linearly independent columns (pivoted QR on centred columns)."""
    if matrix.shape[1] == 0:
        return np.arange(0)
    centred = matrix - matrix.mean(axis=0)
    from scipy.linalg import qr

    _, r, pivots = qr(centred, mode="economic", pivoting=True)
    diagonal = np.abs(np.diag(r))
    if diagonal.size == 0 or diagonal[0] == 0:
        return np.arange(0)
    keep = diagonal > diagonal[0] * 1e-10 * max(matrix.shape)
    return np.sort(pivots[: int(keep.sum())])


def target_inside_hull(constraints: np.ndarray, target: np.ndarray) -> bool:
    """Whether ``target`` lies in the interior of the convex hull of the rows (weights > 0 reach it).

    By the separating-hyperplane theorem the target is interior exactly when
    no direction ``lam`` puts every row on one side of it,
    ``lam' (c_j - target) >= 0`` for all ``j`` with ``sum_j lam' (c_j - target) >= 1``;
    that linear programme has only ``k`` variables (HiGHS via scipy), so the
    check is fast for any number of rows. The rows must span their space
    (linearly dependent columns dropped).

    Examples
    --------
    >>> c = np.array([[0.0], [1.0], [2.0]])
    >>> target_inside_hull(c, np.array([1.0])), target_inside_hull(c, np.array([2.0]))
    (True, False)
    """
    z = np.asarray(constraints, dtype=float) - np.asarray(target, dtype=float)
    k = z.shape[1]
    a_ub = np.vstack([-z, -z.sum(axis=0)[None, :]])
    b_ub = np.concatenate([np.zeros(z.shape[0]), [-1.0]])
    result = optimize.linprog(np.zeros(k), A_ub=a_ub, b_ub=b_ub, bounds=[(None, None)] * k, method="highs")
    return result.status == 2  # infeasible: no separating direction


def entropy_balance(
    constraints: np.ndarray,
    target: np.ndarray,
    base_weights: np.ndarray | None = None,
    *,
    max_iter: int = 200,
) -> EntropySolution:
    """Entropy-balancing weights of one group so that its constraint means equal ``target``.

    Parameters
    ----------
    constraints:
        ``n x k`` matrix, one row per unit of the group to be weighted (for
        balancing means: the covariates; for variances as well: their squares).
    target:
        The ``k`` target means (for the ATT: the treated group's means).
    base_weights:
        Positive base weights ``q`` (default: all equal).
    max_iter:
        Largest number of trust-region Newton iterations.

    Returns
    -------
    EntropySolution

    Raises
    ------
    EntropyBalancingError
        When ``target`` is not reachable with positive weights (it lies on or
        outside the convex hull of the rows): the groups do not overlap.

    Notes
    -----
    Columns are centred at the target and scaled by their standard deviation
    before solving (the solution is invariant to this); linearly dependent
    columns are dropped, as their balance follows from the others.

    Examples
    --------
    >>> c = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    >>> solution = entropy_balance(c, np.array([1.2, 0.6]))
    >>> np.round(solution.weights @ c, 10).tolist(), round(float(solution.weights.sum()), 10)
    ([1.2, 0.6], 1.0)
    """
    c = np.asarray(constraints, dtype=float)
    m = np.asarray(target, dtype=float)
    n = c.shape[0]
    q = np.ones(n) if base_weights is None else np.asarray(base_weights, dtype=float)
    q = q / q.sum()
    if n == 0:
        raise EntropyBalancingError("there are no units to weight")
    columns = _full_rank_columns(c)
    sd = c.std(axis=0)
    scale = np.where(sd > 0, sd, 1.0)
    z = (c[:, columns] - m[columns]) / scale[columns]
    if z.shape[1] and not target_inside_hull(z, np.zeros(z.shape[1])):
        raise EntropyBalancingError(
            "the target means lie outside what positive weights of this group can reach"
        )
    log_q = np.log(q)

    def dual(lam: np.ndarray) -> tuple[float, np.ndarray]:
        eta = log_q + z @ lam
        value = special.logsumexp(eta)
        w = np.exp(eta - value)
        return float(value), z.T @ w

    def hessian(lam: np.ndarray) -> np.ndarray:
        eta = log_q + z @ lam
        w = np.exp(eta - special.logsumexp(eta))
        mean = z.T @ w
        return (z * w[:, None]).T @ z - np.outer(mean, mean)

    iterations = 0
    lam = np.zeros(z.shape[1])
    if z.shape[1]:
        # Trust-region Newton on the dual gets close from any start; near the optimum the
        # dual's value changes below floating-point resolution, so the root of its gradient
        # (the balance conditions) is then polished directly.
        result = optimize.minimize(
            dual, lam, jac=True, hess=hessian, method="trust-exact",
            options={"gtol": BALANCE_TOLERANCE * 1e-1, "maxiter": max_iter},
        )
        polished = optimize.root(lambda x: dual(x)[1], result.x, jac=hessian, method="hybr", options={"xtol": 1e-13})
        lam = polished.x if np.max(np.abs(dual(polished.x)[1])) <= np.max(np.abs(result.jac)) else result.x
        iterations = int(result.nit) + int(polished.nfev)
    eta = log_q + z @ lam
    weights = np.exp(eta - special.logsumexp(eta))
    imbalance = (weights @ c - m) / scale
    max_imbalance = float(np.max(np.abs(imbalance))) if imbalance.size else 0.0
    if max_imbalance > BALANCE_TOLERANCE:
        raise EntropyBalancingError(
            f"entropy balancing did not reach the target (largest remaining imbalance {max_imbalance:.2g} SD)"
        )
    return EntropySolution(weights=weights, multipliers=lam, max_imbalance=max_imbalance, iterations=iterations)
