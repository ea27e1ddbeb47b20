"""Latent time basis: estimated time scores around the linear engine.

For given time scores the growth model is a linear covariance structure
(:mod:`ilb_eval.growth.likelihood`) with analytic derivatives. A latent-basis
model estimates the time scores of the middle waves (the slope loadings
``Lambda[j, 1]``); the engine then evaluates the linear structure at the
current time scores, and

- the gradient in a time score follows from the moment derivatives that
  :func:`~ilb_eval.growth.likelihood.evaluate` returns, by the chain rule
  ``dlogl/dLambda = 2 G Lambda Psi + G_M B'`` (``G = dlogl/dSigma``,
  ``G_M = dlogl/dM`` with ``M = Lambda B``), its slope column;
- the Hessian rows of the time scores are central differences of that
  analytic gradient (relative step :data:`STEP`; error about ``STEP**2``
  relative), the other rows stay analytic;
- the casewise scores (for MLR) are, per person with ``u = Sigma_oo^-1 r``
  and ``w = (Lambda Psi)[o, 1]``, ``u_j (u'w + mu_s(x)) - (Sigma_oo^-1 w)_j``
  at an observed wave ``j`` (0 at a missing one).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilb_eval.growth.likelihood import Evaluation, Structure
from ilb_eval.growth.matrices import GroupMatrices
from ilb_eval.growth.patterns import Pattern, pattern_rows
from ilb_eval.growth.spec import GrowthSpec

__all__ = [
    "STEP",
    "FreeTimeScores",
    "casewise_time_score_scores",
    "time_score_gradient",
    "time_score_information",
    "with_numeric_time_score_rows",
]

#: Relative step of the central differences for the time-score Hessian rows.
STEP = 1e-5


@dataclass(frozen=True)
class FreeTimeScores:
    """Which free parameters are estimated time scores, and of which wave.

    Attributes
    ----------
    index
        Positions in the free-parameter vector (0-based).
    wave
        Wave (outcome position) of each.

    Examples
    --------
    >>> from ilb_eval.growth.partable import build_partable
    >>> spec = GrowthSpec(("t1", "t3", "t4"), (0, 2, 3), time_basis="latent")
    >>> free = FreeTimeScores.from_table(build_partable(spec), spec)
    >>> free.index.tolist(), free.wave.tolist()  # the first free parameter, wave t3
    ([0], [1])
    >>> free.time_scores(spec, np.array([1.8, 0, 0, 0, 0, 0, 0, 0, 0])).tolist()
    [0.0, 1.8, 3.0]
    """

    index: np.ndarray
    wave: np.ndarray

    @classmethod
    def from_table(cls, table: pd.DataFrame, spec: GrowthSpec) -> FreeTimeScores:
        """The free ``s =~`` rows of a parameter table (one entry per free parameter)."""
        rows = table[(table["op"] == "=~") & (table["lhs"] == "s") & (table["free"] > 0)]
        pairs = sorted(
            {
                (int(f) - 1, spec.outcomes.index(y))
                for f, y in zip(rows["free"], rows["rhs"], strict=True)
            }
        )
        return cls(
            index=np.array([f for f, _ in pairs], dtype=np.int64),
            wave=np.array([w for _, w in pairs], dtype=np.int64),
        )

    def __len__(self) -> int:
        return len(self.index)

    def time_scores(self, spec: GrowthSpec, free: np.ndarray) -> np.ndarray:
        """The time scores of every wave at the free parameters ``free``."""
        scores = np.asarray(spec.time_scores, dtype=float).copy()
        scores[self.wave] = free[self.index]
        return scores

    def with_starts(self, spec: GrowthSpec, start: np.ndarray) -> np.ndarray:
        """``start`` with the specification's time scores as start values of the free ones."""
        out = start.copy()
        out[self.index] = np.asarray(spec.time_scores, dtype=float)[self.wave]
        return out


def time_score_gradient(matrices: GroupMatrices, evaluation: Evaluation) -> np.ndarray:
    """Derivative of one group's log-likelihood in the time score of every wave.

    Examples
    --------
    Against a central difference of the log-likelihood in the middle time score:

    >>> from ilb_eval.growth.likelihood import evaluate
    >>> from ilb_eval.growth.matrices import group_matrices, growth_structure
    >>> from ilb_eval.growth.patterns import pattern_stats
    >>> spec = GrowthSpec(("y1", "y3", "y4"), (0, 2, 3), time_basis="latent")
    >>> y = np.random.default_rng(3).normal(size=(50, 3)); pats = pattern_stats(y, np.empty((50, 0)))
    >>> local = np.array([0.5, 0.5, 0.5, 0.4, 0.1, 0.05, 0.2, 0.1])
    >>> def logl(t):
    ...     return evaluate(growth_structure(spec, np.array([0, t, 3.0])), local, pats).logl
    >>> structure = growth_structure(spec, np.array([0, 2.0, 3.0]))
    >>> analytic = time_score_gradient(group_matrices(spec, structure, local),
    ...                                evaluate(structure, local, pats, 1))[1]
    >>> bool(abs(analytic - (logl(2 + 1e-6) - logl(2 - 1e-6)) / 2e-6) < 1e-5)
    True
    """
    assert evaluation.d_sigma is not None and evaluation.d_mean is not None
    coefficients = np.column_stack([matrices.alpha, matrices.gamma])
    d_lambda = (
        2.0 * evaluation.d_sigma @ matrices.lambda_ @ matrices.psi
        + evaluation.d_mean @ coefficients.T
    )
    return d_lambda[:, 1]


def with_numeric_time_score_rows(
    gradient: Callable[[np.ndarray], np.ndarray | None],
    free: np.ndarray,
    evaluation: Evaluation,
    index: np.ndarray,
) -> Evaluation:
    """``evaluation`` with the Hessian rows of the time scores from central differences.

    ``gradient(x)`` is the analytic gradient (None where the log-likelihood
    is not finite; then a one-sided difference is used). The expected
    information is left as it is (see :func:`time_score_information`).
    """
    assert evaluation.hessian is not None
    assert evaluation.gradient is not None
    hessian = evaluation.hessian.copy()
    columns = np.empty((len(free), len(index)))
    for c, f in enumerate(index):
        step = STEP * (1.0 + abs(free[f]))
        shift = np.zeros_like(free)
        shift[f] = step
        up, down = gradient(free + shift), gradient(free - shift)
        if up is not None and down is not None:
            columns[:, c] = (up - down) / (2.0 * step)
        elif up is not None:
            columns[:, c] = (up - evaluation.gradient) / step
        elif down is not None:
            columns[:, c] = (evaluation.gradient - down) / step
        else:
            columns[:, c] = np.nan
    hessian[:, index] = columns
    hessian[index, :] = columns.T
    block = columns[index]
    hessian[np.ix_(index, index)] = 0.5 * (block + block.T)
    return dataclasses.replace(evaluation, hessian=hessian)


def time_score_information(
    structure: Structure, matrices: GroupMatrices, patterns: list[Pattern]
) -> tuple[np.ndarray, np.ndarray]:
    """Expected information between the time scores and the local parameters.

    Per pattern with ``S = Sigma_oo^-1`` and the raw cross products ``Szz``
    of ``z = [1, x]``, the expected information of parameters ``a`` and
    ``b`` is ``n/2 tr(S dSigma_a S dSigma_b) + tr(dM_a' S dM_b Szz)``; for
    the time score of wave ``j``, ``dSigma = e_j w' + w e_j'`` with
    ``w = (Lambda Psi)[:, 1]`` and ``dM = e_j B[1]'``.

    Returns
    -------
    cross
        Shape (n_local, p): local parameters ``[c, vec(B)]`` by wave.
    own
        Shape (p, p): time score by time score.
    """
    p = structure.design.shape[0]
    m_c = structure.n_cov
    coefficients = np.column_stack([matrices.alpha, matrices.gamma])  # (2, k)
    w = (matrices.lambda_ @ matrices.psi)[:, 1]
    eye = np.eye(p)
    d_sigma = eye[:, :, None] * w[None, None, :] + w[None, :, None] * eye[:, None, :]
    cross = np.zeros((structure.n_local, p))
    own = np.zeros((p, p))
    for pat in patterns:
        o = pat.observed
        s_inv = np.linalg.inv(matrices.sigma[np.ix_(o, o)])
        t_o = d_sigma[o][:, o][:, :, o]  # (p_o, p_o, p_o): waves of o
        st = s_inv @ t_o  # S T_j
        sa = s_inv @ structure.basis[:, o][:, :, o]  # S A_a
        cross[:m_c, o] += 0.5 * pat.n * np.einsum("aij,bji->ab", sa, st)
        own[np.ix_(o, o)] += 0.5 * pat.n * np.einsum("aij,bji->ab", st, st)
        # mean part: dM_j = e_j B[1]'  ->  tr(dM_j' S dM_l Szz) = S_jl B[1]' Szz B[1]
        slope_z = pat.szz @ coefficients[1]  # (k,)
        own[np.ix_(o, o)] += s_inv * float(coefficients[1] @ slope_z)
        # with B_rk: tr(dM_j' S D_o E_rk Szz) = (D_o' S)_{r j} (Szz B[1])_k
        d_s = structure.design[o].T @ s_inv  # (r, p_o)
        cross[m_c:, o] += (d_s[:, None, :] * slope_z[None, :, None]).reshape(-1, len(o))
    return cross, own


def casewise_time_score_scores(matrices: GroupMatrices, y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Each person's derivative of the log-likelihood in the time score of every wave.

    Returns
    -------
    numpy.ndarray
        Shape (n, p); column sums are :func:`time_score_gradient`.

    Examples
    --------
    >>> from ilb_eval.growth.likelihood import evaluate
    >>> from ilb_eval.growth.matrices import group_matrices, growth_structure
    >>> from ilb_eval.growth.patterns import pattern_stats
    >>> spec = GrowthSpec(("y1", "y3", "y4"), (0, 2, 3), time_basis="latent")
    >>> y = np.random.default_rng(4).normal(size=(40, 3)); y[:10, 1] = np.nan
    >>> x = np.empty((40, 0)); structure = growth_structure(spec, np.array([0, 1.7, 3.0]))
    >>> local = np.array([0.5, 0.4, 0.6, 0.4, 0.1, 0.05, 0.2, 0.1])
    >>> mats = group_matrices(spec, structure, local)
    >>> total = time_score_gradient(mats, evaluate(structure, local, pattern_stats(y, x), 1))
    >>> bool(np.allclose(casewise_time_score_scores(mats, y, x).sum(axis=0), total))
    True
    """
    sigma = matrices.sigma
    mean_factors = matrices.alpha + x @ matrices.gamma.T  # (n, 2)
    mean_y = mean_factors @ matrices.lambda_.T
    weights = (matrices.lambda_ @ matrices.psi)[:, 1]
    scores = np.zeros(y.shape)
    for rows, o in pattern_rows(~np.isnan(y)):
        s_inv = np.linalg.inv(sigma[np.ix_(o, o)])
        u = (y[np.ix_(rows, o)] - mean_y[np.ix_(rows, o)]) @ s_inv
        w = weights[o]
        scores[np.ix_(rows, o)] = u * (u @ w + mean_factors[rows, 1])[:, None] - s_inv @ w
    return scores
