"""The completely standardized solution (lavaan's ``std.all``).

Latent and observed variables are scaled by their model-implied total
standard deviations; covariates by their sample standard deviations (N
denominator, as fixed.x stores them):

- loading ``f =~ y``: ``lambda * sd(f) / sd(y)``;
- regression ``f ~ x``: ``gamma * sd(x) / sd(f)``;
- variance ``a ~~ a``: ``var / sd(a)^2`` (a residual variance over the total
  variance);
- covariance ``a ~~ b``: ``cov / sqrt(var_a var_b)`` with the (residual)
  variances of the same table (absolute values), i.e. a residual correlation;
- mean or intercept ``a ~1``: ``value / sd(a)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ilb_eval.growth.matrices import GroupMatrices
from ilb_eval.growth.partable import FACTORS

__all__ = ["std_all"]


def _safe_sd(var: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.where(var > 0, np.sqrt(np.abs(var)), np.nan)


def std_all(
    table: pd.DataFrame,
    matrices: Sequence[GroupMatrices],
    x_moments: Sequence[tuple[np.ndarray, np.ndarray]],
    outcomes: Sequence[str],
    covariates: Sequence[str],
) -> np.ndarray:
    """``std.all`` for every row of ``table`` (NaN where a variance is <= 0).

    Parameters
    ----------
    table
        Parameter table with estimates in ``est``.
    matrices
        Model matrices per group.
    x_moments
        Sample mean and covariance (N denominator) of the covariates per group.
    outcomes, covariates
        Variable names in model order.

    Returns
    -------
    numpy.ndarray
    """
    sds: list[dict[str, float]] = []
    for mats, (_, x_cov) in zip(matrices, x_moments, strict=True):
        phi = mats.gamma @ x_cov @ mats.gamma.T + mats.psi
        sd_f = _safe_sd(np.diag(phi))
        sd_y = _safe_sd(np.diag(mats.lambda_ @ phi @ mats.lambda_.T + mats.theta))
        sd_x = _safe_sd(np.diag(x_cov))
        names = dict(zip(FACTORS, sd_f, strict=True))
        names.update(zip(outcomes, sd_y, strict=True))
        names.update(zip(covariates, sd_x, strict=True))
        sds.append(names)
    variances = {
        (lhs, int(group)): est
        for lhs, op, rhs, group, est in zip(
            table["lhs"], table["op"], table["rhs"], table["group"], table["est"], strict=True
        )
        if op == "~~" and lhs == rhs
    }
    out = np.full(len(table), np.nan)
    rows = zip(table["lhs"], table["op"], table["rhs"], table["group"], table["est"], strict=True)
    for row, (lhs, op, rhs, group, est) in enumerate(rows):
        sd = sds[int(group) - 1]
        if op == "=~":
            out[row] = est * sd[lhs] / sd[rhs]
        elif op == "~":
            out[row] = est * sd[rhs] / sd[lhs]
        elif op == "~~" and lhs == rhs:
            out[row] = est / (sd[lhs] * sd[rhs])
        elif op == "~~":
            # absolute values as lavaan (a Heywood case keeps a finite correlation)
            product = abs(variances[(lhs, int(group))] * variances[(rhs, int(group))])
            out[row] = est / np.sqrt(product) if product > 0 else np.nan
        elif op == "~1":
            out[row] = est / sd[lhs]
    return out
