"""The status record of a fit: can its numbers be trusted?

One :class:`FitStatus` per fit collects what a researcher (and the report)
must see before reading estimates: convergence, the largest gradient, the
smallest eigenvalue of the information matrix, improper solutions (negative
variances, a non-positive-definite factor covariance matrix) per group, the
lowest pairwise coverage of the waves, the rows dropped and why, and whether
multiple starts agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ilb_eval.sem.patterns import Pattern

__all__ = ["LOW_COVERAGE_LIMIT", "FitStatus", "FitWarning", "coverage_matrix"]

#: lavaan warns when some pair of variables is observed together for fewer than 10% of cases.
LOW_COVERAGE_LIMIT = 0.10


def coverage_matrix(patterns: Sequence[Pattern], p: int) -> np.ndarray:
    """Share of persons observed on both outcomes of each pair (lavaan's coverage).

    Examples
    --------
    >>> from ilb_eval.sem.patterns import pattern_stats
    >>> y = np.array([[1.0, np.nan], [2.0, 3.0], [4.0, 5.0], [np.nan, 1.0]])
    >>> coverage_matrix(pattern_stats(y, np.empty((4, 0))), 2)
    array([[0.75, 0.5 ],
           [0.5 , 0.75]])
    """
    counts = np.zeros((p, p))
    total = 0
    for pat in patterns:
        mask = np.zeros(p)
        mask[pat.observed] = 1.0
        counts += pat.n * np.outer(mask, mask)
        total += pat.n
    return counts / max(total, 1)


@dataclass(frozen=True)
class FitWarning:
    """One statistical warning of a fit: a stable ``code`` and a ``message``.

    Codes: ``NOT_CONVERGED``, ``NEG_LV_VARIANCE``, ``NEG_OV_VARIANCE``,
    ``NONPD_LV_COV``, ``INFO_SINGULAR``, ``ROWS_DROPPED``, ``ZERO_COVERAGE``,
    ``LOW_COVERAGE``, ``LOCAL_OPTIMUM``, ``ZERO_WEIGHTS``.
    """

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """``{"code": ..., "message": ...}``."""
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class FitStatus:
    """Diagnostics of one fit (stored on the results as ``status``).

    Attributes
    ----------
    converged
        Whether the optimiser converged.
    iterations
        Iterations of the reported solution.
    max_abs_gradient
        Largest absolute gradient of the log-likelihood at the solution.
    min_information_eigenvalue
        Smallest eigenvalue of the observed information matrix (minus the
        Hessian); near 0 or negative: not identified or not a maximum.
    negative_ov_variances, negative_lv_variances
        Per group label, the observed (latent) variables with a negative variance.
    lv_cov_not_pd
        Per group label, whether the factor covariance matrix is not
        positive definite.
    min_pairwise_coverage
        Smallest share of persons observed on both variables of a pair, over
        pairs and groups.
    rows_dropped
        Rows left out, by reason.
    n_starts
        Extra perturbed starts run.
    starts_agree
        Whether they reached the reported maximum (no LOCAL_OPTIMUM).
    warnings
        Codes of the fit's warnings, in order.
    """

    converged: bool
    iterations: int
    max_abs_gradient: float
    min_information_eigenvalue: float
    negative_ov_variances: Mapping[str, tuple[str, ...]]
    negative_lv_variances: Mapping[str, tuple[str, ...]]
    lv_cov_not_pd: Mapping[str, bool]
    min_pairwise_coverage: float
    rows_dropped: Mapping[str, int]
    n_starts: int = 0
    starts_agree: bool = True
    warnings: tuple[str, ...] = field(default=())

    @property
    def proper(self) -> bool:
        """Converged, no negative variance, PD factor covariance, starts agree."""
        return (
            self.converged
            and not any(self.negative_ov_variances.values())
            and not any(self.negative_lv_variances.values())
            and not any(self.lv_cov_not_pd.values())
            and self.starts_agree
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary (JSON-ready after NaN -> None)."""
        return {
            "converged": bool(self.converged),
            "proper": bool(self.proper),
            "iterations": int(self.iterations),
            "max_abs_gradient": float(self.max_abs_gradient),
            "min_information_eigenvalue": float(self.min_information_eigenvalue),
            "negative_ov_variances": {k: list(v) for k, v in self.negative_ov_variances.items()},
            "negative_lv_variances": {k: list(v) for k, v in self.negative_lv_variances.items()},
            "lv_cov_not_pd": {k: bool(v) for k, v in self.lv_cov_not_pd.items()},
            "min_pairwise_coverage": float(self.min_pairwise_coverage),
            "rows_dropped": {k: int(v) for k, v in self.rows_dropped.items()},
            "n_starts": int(self.n_starts),
            "starts_agree": bool(self.starts_agree),
            "warnings": list(self.warnings),
        }
