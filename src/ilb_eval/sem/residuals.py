"""Raw residuals of the moments, as lavaan's ``resid(fit)`` (``type = "raw"``).

With missing data lavaan's sample moments are those of the unrestricted
model h1 (the saturated FIML fit, :mod:`~ilb_eval.sem.h1`); the residuals are
h1's covariance matrix and means minus the model-implied ones
(:meth:`~ilb_eval.sem.results.SemResults.implied`), per group, the fixed
covariates included (their residuals are 0).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from ilb_eval.sem.results import SemResults

__all__ = ["residuals"]


def residuals(res: SemResults) -> dict[str, dict[str, pd.DataFrame | pd.Series]]:
    """Unrestricted (h1) minus model-implied covariance matrix and means, per group label.

    Examples
    --------
    >>> from ilb_eval.sem import growth
    >>> from ilb_eval.datasets import load_example_growth_data
    >>> data = load_example_growth_data("belastbarkeit")
    >>> res = growth("i =~ 1*t1 + 1*t3 + 1*t4; s =~ 0*t1 + 2*t3 + 3*t4", data)
    >>> residuals(res)[""]["mean"].round(3).to_dict()
    {'t1': 0.002, 't3': -0.012, 't4': 0.014}
    """
    implied = res.implied()
    out: dict[str, dict[str, pd.DataFrame | pd.Series]] = {}
    for group, saturated, data in zip(res.model.groups, res.saturated, res.model.data.groups,
                                      strict=True):  # fmt: skip
        mean, cov = saturated.joint_moments(data.x_mean, data.x_cov)
        names = list(group.y_names + group.x_names)
        fitted = implied[data.label]
        order = list(fitted["mean"].index)
        h1_cov = pd.DataFrame(cov, index=names, columns=names).loc[order, order]
        h1_mean = pd.Series(mean, index=names).loc[order]
        out[data.label] = {"cov": h1_cov - fitted["cov"], "mean": h1_mean - fitted["mean"]}
    return out
