"""Start values as lavaan's ``start = "default"`` chooses them.

Loadings of factors with observed indicators from the FABIN3 estimator
(Hägglund 1982) on the unrestricted (h1) covariance matrix, other loadings 1;
residual variances half the observed variance; factor variances 0.05;
covariances and regressions 0; intercepts of observed variables their h1
means; latent means 0. A start the user gave (``start(v)*x``, ``v?x``) wins.
The optimiser only needs a positive-definite start from which the likelihood
rises; the estimates do not depend on it for identified models.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["fabin3", "start_free"]


def fabin3(cov: np.ndarray) -> np.ndarray:
    """FABIN3 loadings of one factor (first indicator the marker, loading 1).

    Examples
    --------
    >>> lam = np.array([1.0, 0.8, 1.2, 0.5])
    >>> cov = np.outer(lam, lam) * 0.6 + np.diag([0.3, 0.2, 0.4, 0.1])
    >>> fabin3(cov).round(6).tolist()
    [1.0, 0.8, 1.2, 0.5]
    """
    n = cov.shape[0]
    if n < 3:
        return np.ones(n)
    lam = np.ones(n)
    for i in range(1, n):
        rest = [j for j in range(1, n) if j != i] if n > 3 else [j for j in range(1, n) if j != i]
        if n == 3:
            other = rest[0]
            lam[i] = cov[i, other] / cov[0, other] if cov[0, other] != 0 else 1.0
            continue
        s23 = cov[i, rest]
        s31 = cov[rest, 0]
        try:
            tmp = np.linalg.solve(cov[np.ix_(rest, rest)], s31)
            lam[i] = float(s23 @ tmp) / float(s31 @ tmp)
        except np.linalg.LinAlgError:
            lam[i] = float(s23 @ s31) / float(s31 @ s31)
    lower_psi = 0.1 * cov[0, 0]
    bound = np.sqrt(np.diag(cov) / lower_psi) if lower_psi > 0 else np.full(n, np.inf)
    lam = np.clip(lam, -bound, bound)
    lam[~np.isfinite(lam)] = 1.0
    return lam


def start_free(
    table: pd.DataFrame,
    n_free: int,
    group_moments: Sequence[tuple[tuple[str, ...], np.ndarray, np.ndarray]],
    lv_names: Sequence[str],
) -> np.ndarray:
    """Start values of the free vector.

    Parameters
    ----------
    table
        The parameter table.
    n_free
        Length of the free vector.
    group_moments
        Per group: names of the observed variables, their h1 means and h1
        covariance matrix (joint, covariates included).
    lv_names
        Latent variables.

    Returns
    -------
    numpy.ndarray
        Start values; rows sharing a free index get the mean of their starts.
    """
    lv = set(lv_names)
    total = np.zeros(n_free)
    count = np.zeros(n_free)
    body = table[table["block"] > 0]
    for g, (names, mean, cov) in enumerate(group_moments, start=1):
        pos = {v: i for i, v in enumerate(names)}
        rows = body[body["group"] == g]
        loadings = {}
        for f, part in rows[rows["op"] == "=~"].groupby("lhs", sort=False):
            indicators = list(part["rhs"])
            if any(v in lv or v not in pos for v in indicators):
                continue
            idx = [pos[v] for v in indicators]
            lam = fabin3(cov[np.ix_(idx, idx)])
            fixed = part["free"].to_numpy() == 0
            marker = np.flatnonzero(fixed & (part["ustart"].to_numpy() != 0))
            if len(marker) and marker[0] != 0:
                order = [marker[0], *[i for i in range(len(idx)) if i != marker[0]]]
                lam_m = fabin3(cov[np.ix_([idx[i] for i in order], [idx[i] for i in order])])
                lam = np.empty(len(idx))
                lam[order] = lam_m * float(part["ustart"].to_numpy()[marker[0]])
            elif len(marker):
                lam = lam * float(part["ustart"].to_numpy()[marker[0]])
            for v, value in zip(indicators, lam, strict=True):
                loadings[(f, v)] = float(value)
        for lhs, op, rhs, free, ustart in zip(
            rows["lhs"], rows["op"], rows["rhs"], rows["free"], rows["ustart"], strict=True
        ):
            if free == 0:
                continue
            if not np.isnan(ustart):
                value = float(ustart)
            elif op == "=~":
                value = loadings.get((lhs, rhs), 1.0)
            elif op == "~~" and lhs == rhs:
                value = 0.05 if lhs in lv else 0.5 * float(cov[pos[lhs], pos[lhs]])
            elif op == "~1":
                value = 0.0 if lhs in lv else float(mean[pos[lhs]])
            else:
                value = 0.0
            total[free - 1] += value
            count[free - 1] += 1.0
    return total / np.maximum(count, 1.0)
