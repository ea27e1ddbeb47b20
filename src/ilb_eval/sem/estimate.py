"""Maximisation of the FIML log-likelihood, and the covariance of the estimates.

A safeguarded Newton method. Each step solves with the observed information
(minus the Hessian) where it is available and positive definite, otherwise
with the expected (Fisher) information; every step is shortened until the
log-likelihood increases (Armijo), and trial points where a covariance matrix
is not positive definite count as failures (``logl = -inf``), so the search
never crashes on them.

For the structural models the Hessian is not analytic: the search runs on
Fisher scoring (cheap, robust far from the optimum) and, once Fisher scoring
has nearly converged, switches to Newton steps with the observed Hessian from
central differences of the analytic gradient (as lavaan computes it), which
converge quadratically and give the standard errors at the end.

Convergence is judged by the Newton decrement ``g' (-H)^-1 g`` (twice the
log-likelihood gain a further step promises; invariant to units): below
``DECREMENT_TOLERANCE``. Where the observed information is not positive
definite (an unidentified or improper solution), the largest absolute gradient
per person must be below ``GRADIENT_TOLERANCE`` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ilb_eval.exceptions import EstimationError

__all__ = [
    "DECREMENT_TOLERANCE",
    "Evaluation",
    "GRADIENT_TOLERANCE",
    "Optimum",
    "maximize",
    "numeric_hessian",
    "observed_vcov",
]

#: Newton decrement accepted as converged (log-likelihood units).
DECREMENT_TOLERANCE = 1e-12
#: Largest absolute gradient of logl / N accepted where -H is not PD.
GRADIENT_TOLERANCE = 1e-8
#: Fisher-scoring decrement below which the search switches to Newton steps.
SWITCH_TOLERANCE = 1e-6

@dataclass(frozen=True)
class Evaluation:
    """Log-likelihood and (optionally) its derivatives at a parameter vector.

    ``gradient`` comes with order >= 1; ``information`` (expected) and, where
    it is analytic, ``hessian`` (observed) with order 2. ``logl`` is ``-inf``
    where some implied covariance matrix is not positive definite.
    """

    logl: float
    gradient: np.ndarray | None = None
    hessian: np.ndarray | None = None
    information: np.ndarray | None = None


Objective = Callable[[np.ndarray, int], Evaluation]


@dataclass(frozen=True)
class Optimum:
    """Result of :func:`maximize`.

    ``hessian`` is the observed Hessian at ``x`` (None if it was never
    computed); ``evaluation`` the objective at ``x`` with its gradient.
    """

    x: np.ndarray
    evaluation: Evaluation
    hessian: np.ndarray | None
    converged: bool
    iterations: int
    max_gradient: float


def numeric_hessian(gradient: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """Hessian by central differences of an analytic gradient, symmetrised.

    The step is ``1e-5 * max(1, |x_j|)``; the truncation error is of order
    ``h^2`` times the third derivatives (about 1e-10 relative).

    Examples
    --------
    >>> numeric_hessian(lambda v: np.array([-2.0 * v[0] + v[1], v[0] - 4.0 * v[1]]),
    ...                 np.array([1.0, 2.0])).round(8)
    array([[-2.,  1.],
           [ 1., -4.]])
    """
    n = len(x)
    hess = np.empty((n, n))
    for j in range(n):
        h = 1e-5 * max(1.0, abs(float(x[j])))
        up, down = x.copy(), x.copy()
        up[j] += h
        down[j] -= h
        hess[:, j] = (gradient(up) - gradient(down)) / (2.0 * h)
    return 0.5 * (hess + hess.T)


def _solve_pd(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray | None:
    try:
        chol = np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        return None
    return np.linalg.solve(chol.T, np.linalg.solve(chol, vector))


def _ridge_solve(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    scale = float(np.max(np.abs(np.diag(matrix)), initial=1.0))
    ridge = 1e-8 * scale
    while True:
        step = _solve_pd(matrix + ridge * np.eye(len(vector)), vector)
        if step is not None:
            return step
        ridge *= 100.0


def maximize(
    objective: Objective,
    start: np.ndarray,
    n_total: float,
    *,
    max_iter: int = 500,
    hessian: Callable[[np.ndarray], np.ndarray] | None = None,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    fisher_tolerance: float = DECREMENT_TOLERANCE,
) -> Optimum:
    """Maximise ``objective`` from ``start``.

    Parameters
    ----------
    objective
        ``objective(x, order)``: the log-likelihood; with ``order >= 1`` its
        gradient; with ``order == 2`` the expected ``information`` and, where
        it is analytic, the observed ``hessian`` (one of the two may be None).
    start
        Start values (the covariance matrices must be positive definite).
    n_total
        Number of persons; the gradient is judged per person.
    max_iter
        Largest number of iterations.
    hessian
        Observed Hessian at a point, when ``objective`` gives none (numeric).
    lower, upper
        Bounds of the parameters (lavaan's ``lower()``/``upper()``; None: none).
        Steps are projected onto the box, and a parameter at a bound whose
        gradient points outside is held there (an active set).
    fisher_tolerance
        Where no observed Hessian is available at all (``hessian`` None and
        none from the objective), the run has converged when the Fisher
        scoring decrement falls below this (a rough search, e.g. a perturbed
        start, can stop earlier than a final fit).

    Returns
    -------
    Optimum

    Raises
    ------
    EstimationError
        When the log-likelihood cannot be evaluated at the start values.

    Examples
    --------
    >>> def objective(x, order):  # logl = -(x - 1)^2
    ...     return Evaluation(-float((x[0] - 1.0) ** 2), -2.0 * (x - 1.0), -2.0 * np.eye(1),
    ...                       2.0 * np.eye(1))
    >>> opt = maximize(objective, np.array([3.0]), 1)
    >>> opt.converged, round(float(opt.x[0]), 10)
    (True, 1.0)
    """
    x = np.asarray(start, dtype=float).copy()
    low = np.full(len(x), -np.inf) if lower is None else np.asarray(lower, dtype=float)
    high = np.full(len(x), np.inf) if upper is None else np.asarray(upper, dtype=float)
    x = np.clip(x, low, high)
    ev = objective(x, 2)
    if not np.isfinite(ev.logl):
        raise EstimationError(
            "the model-implied covariance matrix is not positive definite at the start values; "
            "check the data for constant or extreme variables, or give start values."
        )
    scale = float(max(n_total, 1.0))
    observed = ev.hessian
    iterations = 0
    while True:
        assert ev.gradient is not None
        if ev.information is None:  # an exact Hessian and no separate expected information
            assert ev.hessian is not None
            ev = Evaluation(ev.logl, ev.gradient, ev.hessian, -ev.hessian)
        assert ev.information is not None
        if len(x) == 0:
            return Optimum(x, ev, np.zeros((0, 0)), True, iterations, 0.0)
        held = ((x <= low) & (ev.gradient < 0)) | ((x >= high) & (ev.gradient > 0))
        move = ~held
        gradient = np.where(move, ev.gradient, 0.0)
        max_grad = float(np.max(np.abs(gradient))) / scale
        sub = np.ix_(move, move)
        fisher_step = _solve_pd(ev.information[sub], gradient[move])
        if observed is None and hessian is not None and (
            fisher_step is None or float(gradient[move] @ fisher_step) < SWITCH_TOLERANCE
        ):
            observed = hessian(x)
        newton_step = None if observed is None else _solve_pd(-observed[sub], gradient[move])
        step = np.zeros(len(x))
        if newton_step is not None:
            step[move], newton = newton_step, True
        elif fisher_step is not None:
            step[move], newton = fisher_step, False
        else:
            step[move], newton = _ridge_solve(ev.information[sub], gradient[move]), False
        slope = float(gradient @ step)
        if (
            (newton and slope < DECREMENT_TOLERANCE)
            or (not newton and observed is not None and max_grad < GRADIENT_TOLERANCE)
            or (hessian is None and observed is None and slope < fisher_tolerance)
        ):
            return Optimum(x, ev, observed, True, iterations, max_grad)
        if iterations >= max_iter:
            return Optimum(x, ev, observed, False, iterations, max_grad)
        iterations += 1
        t = 1.0
        accepted = False
        for _ in range(60):
            trial = np.clip(x + t * step, low, high)
            value = objective(trial, 0).logl
            if np.isfinite(value) and value >= ev.logl + 1e-4 * t * slope:
                accepted = True
                break
            # at the optimum rounding can hide tiny increases: accept a full
            # step that loses no more than rounding noise
            if t == 1.0 and np.isfinite(value) and value >= ev.logl - 1e-12 * abs(ev.logl):
                accepted = True
                break
            t *= 0.5
        if not accepted:
            if observed is None and hessian is not None:
                observed = hessian(x)
                continue
            return Optimum(x, ev, observed, False, iterations, max_grad)
        x = trial
        ev = objective(x, 2)
        observed = ev.hessian
        if observed is None and hessian is not None and newton:
            observed = hessian(x)


def observed_vcov(hessian: np.ndarray) -> tuple[np.ndarray, float]:
    """Covariance of the estimates from the observed information ``-hessian``.

    Returns
    -------
    vcov
        Inverse of the observed information; all NaN when it is singular
        or not positive definite.
    smallest
        Smallest eigenvalue of the observed information, relative to the
        largest (<= ~1e-10 means singular).

    Examples
    --------
    >>> observed_vcov(np.array([[-4.0]]))
    (array([[0.25]]), 1.0)
    """
    info = -0.5 * (hessian + hessian.T)
    if info.size == 0:
        return np.zeros((0, 0)), 1.0
    eig = np.linalg.eigvalsh(info)
    relative = float(eig[0] / eig[-1]) if eig[-1] > 0 else -np.inf
    if not relative > 1e-10:
        return np.full(info.shape, np.nan), relative
    return np.linalg.inv(info), relative
