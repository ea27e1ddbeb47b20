"""From the parameter table to model matrices, and back.

The growth model of one group in matrix form:

- ``Lambda`` (p x 2): fixed loadings, column ``i`` all ones, column ``s`` the
  time scores;
- ``Theta`` (p x p, diagonal): residual variances;
- ``Psi`` (2 x 2): residual (co)variances of ``i`` and ``s``;
- ``alpha`` (2) and ``Gamma`` (2 x q): factor intercepts and regressions on
  the covariates, together ``B = [alpha, Gamma]``.

``Sigma = Lambda Psi Lambda' + Theta`` and ``E(y | x) = Lambda B [1, x]``.
In the engine's linear form (:mod:`ilb_eval.growth.likelihood`) the local
parameter vector of a group is ``[theta_1..theta_p, psi_ii, psi_ss, psi_is,
vec(B)]`` (``B`` row by row). Which table row sits where is read from the
row's ``lhs``/``op``/``rhs``; which local entries are free, shared or fixed
is read from the ``free`` column.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilb_eval.growth.likelihood import Structure
from ilb_eval.growth.partable import FACTORS
from ilb_eval.growth.spec import GrowthSpec

__all__ = [
    "GroupMatrices",
    "ParameterMap",
    "group_matrices",
    "growth_structure",
    "local_index",
    "loadings",
]


def loadings(spec: GrowthSpec, time_scores: np.ndarray | None = None) -> np.ndarray:
    """``Lambda`` (p x 2): ones and the time scores (``spec``'s unless given)."""
    scores = spec.time_scores if time_scores is None else time_scores
    return np.column_stack([np.ones(spec.n_waves), np.asarray(scores, dtype=float)])


def growth_structure(spec: GrowthSpec, time_scores: np.ndarray | None = None) -> Structure:
    """The growth model as a linear structure (same for every group).

    ``time_scores`` replaces the specification's (a latent basis at its
    current estimates); for given time scores the structure is linear.
    """
    lam = loadings(spec, time_scores)
    p = spec.n_waves
    basis = [np.diag(np.eye(p)[j]) for j in range(p)]
    basis.append(np.outer(lam[:, 0], lam[:, 0]))
    basis.append(np.outer(lam[:, 1], lam[:, 1]))
    basis.append(np.outer(lam[:, 0], lam[:, 1]) + np.outer(lam[:, 1], lam[:, 0]))
    return Structure(basis=np.array(basis), design=lam, k=1 + len(spec.covariates))


def local_index(table: pd.DataFrame, spec: GrowthSpec) -> np.ndarray:
    """Position of each table row in its group's local vector (-1: not in it)."""
    p = spec.n_waves
    k = 1 + len(spec.covariates)
    m_c = p + 3
    wave = {y: j for j, y in enumerate(spec.outcomes)}
    cov = {x: c for c, x in enumerate(spec.covariates)}
    psi = {("i", "i"): p, ("s", "s"): p + 1, ("i", "s"): p + 2, ("s", "i"): p + 2}
    result = np.full(len(table), -1, dtype=np.int64)
    for row, (lhs, op, rhs) in enumerate(zip(table["lhs"], table["op"], table["rhs"], strict=True)):
        if op == "~~" and lhs == rhs and lhs in wave:
            result[row] = wave[lhs]
        elif op == "~~" and (lhs, rhs) in psi:
            result[row] = psi[(lhs, rhs)]
        elif op == "~1" and lhs in FACTORS:
            result[row] = m_c + FACTORS.index(lhs) * k
        elif op == "~" and lhs in FACTORS and rhs in cov:
            result[row] = m_c + FACTORS.index(lhs) * k + 1 + cov[rhs]
    return result


@dataclass(frozen=True)
class ParameterMap:
    """Linear map from the free-parameter vector to the groups' local vectors.

    ``local_g = jacobian[g] @ free + fixed[g]``; derivatives go back with the
    transpose, so shared labels (equality constraints) add their gradients.
    """

    jacobian: tuple[np.ndarray, ...]
    fixed: tuple[np.ndarray, ...]

    @classmethod
    def from_table(
        cls, table: pd.DataFrame, positions: np.ndarray, n_groups: int, n_local: int
    ) -> ParameterMap:
        """Build the map from the ``free``/``est`` columns and local positions."""
        n_free = int(table["free"].max()) if len(table) else 0
        jac = [np.zeros((n_local, n_free)) for _ in range(n_groups)]
        fixed = [np.zeros(n_local) for _ in range(n_groups)]
        groups = table["group"].to_numpy() - 1
        free = table["free"].to_numpy()
        est = table["est"].to_numpy(dtype=float)
        for g, f, e, pos in zip(groups, free, est, positions, strict=True):
            if pos < 0:
                continue
            if f > 0:
                jac[g][pos, f - 1] = 1.0
            else:
                fixed[g][pos] = e
        return cls(jacobian=tuple(jac), fixed=tuple(fixed))

    @property
    def n_free(self) -> int:
        """Number of free parameters."""
        return int(self.jacobian[0].shape[1])

    def local(self, free: np.ndarray, group: int) -> np.ndarray:
        """Local parameter vector of ``group`` (0-based)."""
        return self.jacobian[group] @ free + self.fixed[group]


@dataclass(frozen=True)
class GroupMatrices:
    """Model matrices of one group."""

    lambda_: np.ndarray
    theta: np.ndarray
    psi: np.ndarray
    alpha: np.ndarray
    gamma: np.ndarray

    @property
    def sigma(self) -> np.ndarray:
        """Conditional covariance of the outcomes given the covariates."""
        return self.lambda_ @ self.psi @ self.lambda_.T + self.theta

    def implied(self, x_mean: np.ndarray, x_cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Joint model-implied mean and covariance of ``(y, x)``.

        The covariate moments are fixed at their sample values (fixed.x).
        """
        lam, gamma = self.lambda_, self.gamma
        phi = gamma @ x_cov @ gamma.T + self.psi
        s_yy = lam @ phi @ lam.T + self.theta
        s_yx = lam @ gamma @ x_cov
        mean = np.concatenate([lam @ (self.alpha + gamma @ x_mean), x_mean])
        cov = np.block([[s_yy, s_yx], [s_yx.T, x_cov]])
        return mean, cov


def group_matrices(spec: GrowthSpec, structure: Structure, local: np.ndarray) -> GroupMatrices:
    """Model matrices from a group's local parameter vector."""
    p = spec.n_waves
    theta = np.diag(local[:p])
    psi = np.array([[local[p], local[p + 2]], [local[p + 2], local[p + 1]]])
    _, b = structure.split(local)
    return GroupMatrices(
        lambda_=structure.design, theta=theta, psi=psi, alpha=b[:, 0].copy(), gamma=b[:, 1:].copy()
    )
