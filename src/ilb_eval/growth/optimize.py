"""Maximisation of the FIML log-likelihood and the standard errors.

The optimiser is a safeguarded Newton method on the analytic gradient and the
analytic observed Hessian. When the observed information is not positive
definite (far from the optimum) it takes a Fisher-scoring step with the
expected information instead; every step is shortened until the
log-likelihood increases, and trial points where some covariance matrix is
not positive definite count as failures (``logl = -inf``), so the search
never crashes on them.

Convergence is judged on the gradient, scaled by the curvature: the Newton
decrement ``g' (-H)^-1 g`` (twice the log-likelihood gain a further Newton
step promises; invariant to the units of data and parameters) must be below
``DECREMENT_TOLERANCE``. Where the observed information is not positive
definite (unidentified models) the largest absolute gradient per person
must be below ``GRADIENT_TOLERANCE`` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ilb_eval.exceptions import EstimationError
from ilb_eval.growth.likelihood import Evaluation

__all__ = ["Optimum", "maximize", "observed_vcov"]

#: Newton decrement accepted as converged (log-likelihood units; a remaining
#: parameter error of at most about 1e-6 standard errors).
DECREMENT_TOLERANCE = 1e-12
#: Largest absolute gradient of logl / N accepted where -H is not PD.
GRADIENT_TOLERANCE = 1e-8

Objective = Callable[[np.ndarray, int], Evaluation]


@dataclass(frozen=True)
class Optimum:
    """Result of :func:`maximize`."""

    x: np.ndarray
    evaluation: Evaluation
    converged: bool
    iterations: int
    max_gradient: float


def _direction(ev: Evaluation) -> tuple[np.ndarray, bool]:
    """Newton direction if the observed information is PD, else Fisher scoring.

    Returns the direction and whether it is the Newton direction.
    """
    assert ev.gradient is not None and ev.hessian is not None and ev.information is not None
    for newton, info in ((True, -ev.hessian), (False, ev.information)):
        try:
            chol = np.linalg.cholesky(info)
        except np.linalg.LinAlgError:
            continue
        return np.linalg.solve(chol.T, np.linalg.solve(chol, ev.gradient)), newton
    # both singular: a damped information step
    info = ev.information + np.eye(len(ev.gradient)) * (1e-8 + abs(ev.information).max() * 1e-6)
    return np.linalg.solve(info, ev.gradient), False


def maximize(objective: Objective, start: np.ndarray, n_total: int, max_iter: int = 200) -> Optimum:
    """Maximise ``objective`` from ``start`` by safeguarded Newton steps.

    Parameters
    ----------
    objective
        ``objective(x, order)`` returns an :class:`Evaluation` with the
        log-likelihood and, for ``order == 2``, gradient, Hessian and
        expected information.
    start
        Start values (the covariance matrices must be positive definite).
    n_total
        Number of persons; the gradient is judged per person.
    max_iter
        Largest number of Newton iterations.

    Returns
    -------
    Optimum

    Raises
    ------
    EstimationError
        When the log-likelihood cannot be evaluated at the start values.
    """
    x = np.asarray(start, dtype=float).copy()
    ev = objective(x, 2)
    if not np.isfinite(ev.logl):
        raise EstimationError(
            "the model-implied covariance matrix is not positive definite at the start values; "
            "check the data for constant or extreme outcomes."
        )
    scale = float(max(n_total, 1))
    iterations = 0
    while True:
        assert ev.gradient is not None
        if len(x) == 0:
            return Optimum(x, ev, True, iterations, 0.0)
        max_grad = float(np.max(np.abs(ev.gradient))) / scale
        step, newton = _direction(ev)
        slope = float(ev.gradient @ step)
        if (newton and slope < DECREMENT_TOLERANCE) or (
            not newton and max_grad < GRADIENT_TOLERANCE
        ):
            return Optimum(x, ev, True, iterations, max_grad)
        if iterations >= max_iter:
            return Optimum(x, ev, False, iterations, max_grad)
        iterations += 1
        t = 1.0
        accepted = False
        for _ in range(60):
            trial = x + t * step
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
            return Optimum(x, ev, False, iterations, max_grad)
        x = trial
        ev = objective(x, 2)


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
    """
    info = -0.5 * (hessian + hessian.T)
    if info.size == 0:
        return np.zeros((0, 0)), 1.0
    eig = np.linalg.eigvalsh(info)
    relative = float(eig[0] / eig[-1]) if eig[-1] > 0 else -np.inf
    if not relative > 1e-10:
        return np.full(info.shape, np.nan), relative
    return np.linalg.inv(info), relative
