"""Model matrices of one group, the implied moments and their derivatives.

The engine writes every model in one reticular-action (RAM) form. The modelled
variables ``v = [y; eta]`` (the p observed outcomes and the m latent
variables) satisfy

``v = alpha + B v + Gamma x + zeta``, ``Cov(zeta) = Phi``,

where ``B`` holds loadings (``f =~ y``: ``B[y, f]``) and regressions among
modelled variables (``a ~ b``: ``B[a, b]``), ``Gamma`` the regressions on the
fixed covariates ``x``, ``Phi`` the (residual) variances and covariances and
``alpha`` the intercepts and latent means. With ``A = (I - B)^-1`` and
``T`` the first p rows of ``A``, the outcomes given the covariates have

``Sigma = T Phi T'``, ``M = [T alpha, T Gamma]`` (intercepts and slopes),

which is all the likelihood (:mod:`ilb_eval.sem.fiml`) needs. Filling the
matrices is a scatter of the free parameters through index arrays built once;
the gradient in the parameters is a handful of matrix products, and the
Jacobians (for the information matrix and casewise scores) are built per
parameter type with no Python loop over parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilb_eval.exceptions import SpecError

__all__ = ["GroupModel", "GroupState", "build_group_model"]

#: Matrix codes of a parameter entry.
PHI, BETA, ALPHA, GAMMA = 0, 1, 2, 3


@dataclass(frozen=True)
class GroupState:
    """One group's matrices at a parameter vector, and the derived quantities."""

    beta: np.ndarray
    phi: np.ndarray
    alpha: np.ndarray
    gamma: np.ndarray
    a: np.ndarray  # (I - B)^-1, d x d
    sigma: np.ndarray  # p x p conditional covariance of y
    mean_coef: np.ndarray  # p x k: [T alpha, T Gamma]

    @property
    def t(self) -> np.ndarray:
        """The outcome rows of ``A``."""
        return self.a[: self.sigma.shape[0]]


@dataclass(frozen=True)
class GroupModel:
    """Fixed structure of one group: variable order, fixed values, free entries.

    Attributes
    ----------
    y_names, lv_names, x_names
        Modelled observed variables, latent variables, fixed covariates.
    fixed
        Fixed parts of (Phi, B, alpha, Gamma).
    kind, row, col, index
        One entry per free matrix element: matrix code, position and the
        0-based index of the free parameter that fills it (several elements
        may share one parameter).
    """

    y_names: tuple[str, ...]
    lv_names: tuple[str, ...]
    x_names: tuple[str, ...]
    fixed: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    kind: np.ndarray
    row: np.ndarray
    col: np.ndarray
    index: np.ndarray

    @property
    def p(self) -> int:
        """Number of modelled observed variables."""
        return len(self.y_names)

    @property
    def d(self) -> int:
        """Number of modelled variables (observed and latent)."""
        return len(self.y_names) + len(self.lv_names)

    @property
    def k(self) -> int:
        """Columns of ``z = [1, x]``."""
        return 1 + len(self.x_names)

    def state(self, free: np.ndarray) -> GroupState | None:
        """The matrices and implied moments at the free parameters (None: I - B singular)."""
        phi, beta, alpha, gamma = (m.copy() for m in self.fixed)
        values = free[self.index]
        for code, matrix in ((PHI, phi), (BETA, beta), (GAMMA, gamma)):
            sel = self.kind == code
            matrix[self.row[sel], self.col[sel]] = values[sel]
        sel = self.kind == PHI
        phi[self.col[sel], self.row[sel]] = values[sel]
        sel = self.kind == ALPHA
        alpha[self.row[sel]] = values[sel]
        try:
            a = np.linalg.inv(np.eye(self.d) - beta)
        except np.linalg.LinAlgError:
            return None
        t = a[: self.p]
        sigma = t @ phi @ t.T
        sigma = 0.5 * (sigma + sigma.T)
        mean_coef = np.column_stack([t @ alpha, t @ gamma])
        return GroupState(beta, phi, alpha, gamma, a, sigma, mean_coef)

    def gradient(self, state: GroupState, d_sigma: np.ndarray, d_mean: np.ndarray) -> np.ndarray:
        """Gradient in the free matrix entries from ``dlogl/dSigma`` and ``dlogl/dM``.

        Returns one value per entry (see :attr:`kind`); entries sharing a free
        parameter are summed by the caller.
        """
        t, a = state.t, state.a
        h = t.T @ d_sigma @ t  # d x d
        w = a @ state.phi @ t.T  # d x p
        c = np.column_stack([a @ state.alpha, a @ state.gamma])  # d x k
        tm = t.T @ d_mean  # d x k
        out = np.empty(len(self.kind))
        r, s = self.row, self.col
        sel = self.kind == PHI
        out[sel] = np.where(r[sel] == s[sel], 1.0, 2.0) * h[r[sel], s[sel]]
        sel = self.kind == BETA
        out[sel] = 2.0 * (t.T @ d_sigma @ w.T)[r[sel], s[sel]] + (tm @ c.T)[r[sel], s[sel]]
        sel = self.kind == ALPHA
        out[sel] = tm[r[sel], 0]
        sel = self.kind == GAMMA
        out[sel] = tm[r[sel], 1 + s[sel]]
        return out

    def jacobians(self, state: GroupState) -> tuple[np.ndarray, np.ndarray]:
        """``dSigma`` (n_entries, p, p) and ``dM`` (n_entries, p, k) per free entry."""
        t, a = state.t, state.a
        p, k, n = self.p, self.k, len(self.kind)
        j_sigma = np.zeros((n, p, p))
        j_mean = np.zeros((n, p, k))
        r, s = self.row, self.col
        sel = np.flatnonzero(self.kind == PHI)
        if sel.size:
            ti, tj = t[:, r[sel]].T, t[:, s[sel]].T  # (n_sel, p)
            outer = ti[:, :, None] * tj[:, None, :]
            both = outer + outer.transpose(0, 2, 1)
            same = r[sel] == s[sel]
            both[same] *= 0.5
            j_sigma[sel] = both
        sel = np.flatnonzero(self.kind == BETA)
        if sel.size:
            w = a @ state.phi @ t.T  # d x p
            c = np.column_stack([a @ state.alpha, a @ state.gamma])  # d x k
            ti = t[:, r[sel]].T  # (n_sel, p)
            outer = ti[:, :, None] * w[s[sel]][:, None, :]
            j_sigma[sel] = outer + outer.transpose(0, 2, 1)
            j_mean[sel] = ti[:, :, None] * c[s[sel]][:, None, :]
        sel = np.flatnonzero(self.kind == ALPHA)
        if sel.size:
            j_mean[sel, :, 0] = t[:, r[sel]].T
        sel = np.flatnonzero(self.kind == GAMMA)
        if sel.size:
            j_mean[sel, :, 1 + s[sel]] = t[:, r[sel]].T
        return j_sigma, j_mean

    def total_moments(
        self, state: GroupState, x_mean: np.ndarray, x_cov: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Mean and covariance of ``[y; eta; x]`` (all variables, covariates at their moments)."""
        a = state.a
        ag = a @ state.gamma
        cov_v = a @ state.phi @ a.T + ag @ x_cov @ ag.T
        cov_vx = ag @ x_cov
        mean_v = a @ state.alpha + ag @ x_mean
        mean = np.concatenate([mean_v, x_mean])
        cov = np.block([[cov_v, cov_vx], [cov_vx.T, x_cov]])
        return mean, 0.5 * (cov + cov.T)


def build_group_model(
    table: pd.DataFrame,
    group: int,
    y_names: Sequence[str],
    lv_names: Sequence[str],
    x_names: Sequence[str],
) -> GroupModel:
    """The fixed structure of group ``group`` (1-based) from the parameter table.

    Raises
    ------
    SpecError
        A covariance between a fixed covariate and a modelled variable, or a
        fixed covariate regressed on something (use ``fixed_x=False``).
    """
    y_names, lv_names, x_names = tuple(y_names), tuple(lv_names), tuple(x_names)
    pos = {v: i for i, v in enumerate(y_names + lv_names)}
    xpos = {v: i for i, v in enumerate(x_names)}
    d, q = len(pos), len(xpos)
    phi, beta, alpha, gamma = np.zeros((d, d)), np.zeros((d, d)), np.zeros(d), np.zeros((d, q))
    kinds, rows, cols, index = [], [], [], []
    body = table[(table["group"] == group) & (table["block"] > 0)]
    for lhs, op, rhs, free, ustart, exo in zip(
        body["lhs"], body["op"], body["rhs"], body["free"], body["ustart"], body["exo"],
        strict=True,
    ):  # fmt: skip
        if exo:
            continue
        if op == "=~":
            code, i, j = BETA, pos[rhs], pos[lhs]
        elif op == "~":
            if rhs in xpos:
                if lhs in xpos:
                    raise SpecError(
                        f"'{lhs} ~ {rhs}' regresses one fixed covariate on another. Use "
                        "fixed_x=False to model the covariates."
                    )
                code, i, j = GAMMA, pos[lhs], xpos[rhs]
            else:
                code, i, j = BETA, pos[lhs], pos[rhs]
        elif op == "~~":
            if lhs in xpos or rhs in xpos:
                raise SpecError(
                    f"'{lhs} ~~ {rhs}' involves the fixed covariate "
                    f"'{lhs if lhs in xpos else rhs}'; covariates are fixed (fixed_x=True) and "
                    "have no covariances with modelled variables. Remove the line or use "
                    "fixed_x=False."
                )
            code, i, j = PHI, pos[lhs], pos[rhs]
        elif op == "~1":
            if lhs in xpos:
                continue
            code, i, j = ALPHA, pos[lhs], 0
        else:
            continue
        if free > 0:
            kinds.append(code)
            rows.append(i)
            cols.append(j)
            index.append(int(free) - 1)
            continue
        value = 0.0 if np.isnan(ustart) else float(ustart)
        if code == PHI:
            phi[i, j] = phi[j, i] = value
        elif code == BETA:
            beta[i, j] = value
        elif code == GAMMA:
            gamma[i, j] = value
        else:
            alpha[i] = value
    return GroupModel(
        y_names=y_names,
        lv_names=lv_names,
        x_names=x_names,
        fixed=(phi, beta, alpha, gamma),
        kind=np.array(kinds, dtype=int),
        row=np.array(rows, dtype=int),
        col=np.array(cols, dtype=int),
        index=np.array(index, dtype=int),
    )
