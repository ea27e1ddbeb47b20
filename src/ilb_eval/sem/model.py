"""A model bound to data: the FIML objective and its derivatives in the estimated parameters.

:class:`SemModel` ties together the parameter table
(:mod:`~ilb_eval.sem.partable`), the matrices of each group
(:mod:`~ilb_eval.sem.representation`), the data and its missing-data
patterns (:mod:`~ilb_eval.sem.data`) and the linear equality constraints
(:mod:`~ilb_eval.sem.constraints`). It evaluates the log-likelihood of the
outcomes given the covariates, summed over groups (with sampling weights: the
weighted sum), its analytic gradient, the expected information, the observed
Hessian (central differences of the gradient) and the casewise scores, all in
the estimated parameters ``theta``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ilb_eval.sem.constraints import LabelSpace, Reparameterisation
from ilb_eval.sem.data import SemData
from ilb_eval.sem.estimate import Evaluation
from ilb_eval.sem.fiml import casewise_scores, moment_information, moment_logl
from ilb_eval.sem.options import ModelOptions
from ilb_eval.sem.partable import ParTable
from ilb_eval.sem.representation import GroupModel, GroupState

__all__ = ["SemModel"]


@dataclass(frozen=True)
class SemModel:
    """A parameter table bound to prepared data.

    Attributes
    ----------
    partable
        The parameter table.
    options
        The model options.
    data
        The prepared groups.
    groups
        The matrix structure of each group.
    space
        Labels and defined parameters as functions of the free vector.
    reparam
        ``free = K theta + k0`` (explicit linear equality constraints).
    """

    partable: ParTable
    options: ModelOptions
    data: SemData
    groups: tuple[GroupModel, ...]
    space: LabelSpace
    reparam: Reparameterisation

    @property
    def n_free(self) -> int:
        """Length of the free vector."""
        return self.partable.n_free

    @property
    def n_theta(self) -> int:
        """Number of estimated parameters (lavaan's ``npar``)."""
        return self.reparam.n_theta

    def states(self, theta: np.ndarray) -> list[GroupState] | None:
        """Matrices of every group at ``theta`` (None where ``I - B`` is singular)."""
        free = self.reparam.free(theta)
        out = []
        for group in self.groups:
            state = group.state(free)
            if state is None:
                return None
            out.append(state)
        return out

    def _free_gradient(self, group: GroupModel, entries: np.ndarray) -> np.ndarray:
        return np.bincount(group.index, weights=entries, minlength=self.n_free)

    def jacobian(self, group: GroupModel, state: GroupState) -> np.ndarray:
        """Derivative of one group's moment coordinates in ``theta``.

        Returns
        -------
        numpy.ndarray
            (n_theta, p (p + 1) / 2 + p k): vech of ``Sigma``, then the entries of ``M``.
        """
        j_sigma, j_mean = group.jacobians(state)
        rows, cols = np.triu_indices(group.p)
        entries = np.concatenate(
            [j_sigma[:, rows, cols], j_mean.reshape(len(j_mean), -1)], axis=1
        )
        free = np.zeros((self.n_free, entries.shape[1]))
        np.add.at(free, group.index, entries)
        return self.reparam.k.T @ free

    def moment_jacobians(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per group ``dSigma/dtheta`` (n_theta, p, p) and ``dM/dtheta`` (n_theta, p, k)."""
        states = self.states(theta)
        assert states is not None
        out = []
        for group, state in zip(self.groups, states, strict=True):
            j_sigma, j_mean = group.jacobians(state)
            free_sigma = np.zeros((self.n_free, group.p, group.p))
            free_mean = np.zeros((self.n_free, group.p, group.k))
            np.add.at(free_sigma, group.index, j_sigma)
            np.add.at(free_mean, group.index, j_mean)
            k = self.reparam.k
            out.append((np.tensordot(k.T, free_sigma, axes=1), np.tensordot(k.T, free_mean, axes=1)))
        return out

    def evaluate(self, theta: np.ndarray, order: int = 0) -> Evaluation:
        """Log-likelihood at ``theta``; gradient (order >= 1); expected information (order 2)."""
        states = self.states(theta)
        if states is None:
            return Evaluation(logl=-np.inf)
        logl = 0.0
        grad_free = np.zeros(self.n_free)
        info = np.zeros((self.n_theta, self.n_theta)) if order >= 2 else None
        for group, state, data in zip(self.groups, states, self.data.groups, strict=True):
            moments = moment_logl(state.sigma, state.mean_coef, data.blocks, min(order, 1))
            if not np.isfinite(moments.logl):
                return Evaluation(logl=-np.inf)
            logl += moments.logl
            if order >= 1:
                assert moments.d_sigma is not None and moments.d_mean is not None
                entries = group.gradient(state, moments.d_sigma, moments.d_mean)
                grad_free += self._free_gradient(group, entries)
            if info is not None:
                jac = self.jacobian(group, state)
                weights = moment_information(
                    state.sigma, state.mean_coef, data.blocks, observed=False
                )
                info += jac @ weights @ jac.T
        if order == 0:
            return Evaluation(logl=logl)
        gradient = self.reparam.k.T @ grad_free
        return Evaluation(logl=logl, gradient=gradient, information=info)

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        """Analytic gradient of the log-likelihood in ``theta``."""
        evaluation = self.evaluate(theta, 1)
        if evaluation.gradient is None:
            return np.full(self.n_theta, np.nan)
        return evaluation.gradient

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        """Observed Hessian of the log-likelihood in ``theta``.

        ``J' H_m J`` (through the moments) is analytic
        (:func:`~ilb_eval.sem.fiml.moment_information`); the part with
        the second derivatives of the moments is the central difference of the
        gradient with ``dlogl/dSigma`` and ``dlogl/dM`` held at their values at
        ``theta``, which needs no pass over the data.
        """
        states = self.states(theta)
        if states is None:
            return np.full((self.n_theta, self.n_theta), np.nan)
        hess = np.zeros((self.n_theta, self.n_theta))
        derivatives = []
        for group, state, data in zip(self.groups, states, self.data.groups, strict=True):
            moments = moment_logl(state.sigma, state.mean_coef, data.blocks, 1)
            derivatives.append((moments.d_sigma, moments.d_mean))
            jac = self.jacobian(group, state)
            hess -= jac @ moment_information(
                state.sigma, state.mean_coef, data.blocks, observed=True
            ) @ jac.T

        def frozen_gradient(point: np.ndarray) -> np.ndarray:
            free = self.reparam.free(point)
            grad = np.zeros(self.n_free)
            for group, (d_sigma, d_mean) in zip(self.groups, derivatives, strict=True):
                state = group.state(free)
                assert state is not None
                grad += self._free_gradient(group, group.gradient(state, d_sigma, d_mean))
            return self.reparam.k.T @ grad

        second = np.empty_like(hess)
        for j in range(self.n_theta):
            h = 1e-5 * max(1.0, abs(float(theta[j])))
            up, down = theta.copy(), theta.copy()
            up[j] += h
            down[j] -= h
            second[:, j] = (frozen_gradient(up) - frozen_gradient(down)) / (2.0 * h)
        hess += 0.5 * (second + second.T)
        return hess

    def scores(self, theta: np.ndarray) -> np.ndarray:
        """Casewise scores in ``theta`` (persons of all groups stacked, weighted by their weight).

        Their column sums are the gradient; rows are in group order, within a
        group in data order.
        """
        states = self.states(theta)
        assert states is not None
        blocks = []
        for group, state, data in zip(self.groups, states, self.data.groups, strict=True):
            block = casewise_scores(
                state.sigma, state.mean_coef, data.y, data.x, data.blocks,
                self.jacobian(group, state),
            )
            if data.weights is not None:
                block *= data.weights[:, None]
            blocks.append(block)
        return np.vstack(blocks)
