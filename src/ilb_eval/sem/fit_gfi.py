"""lavaan's GFI (and the moments it is computed from) for incomplete data.

``GFI_g = 1 - d' V d / s' V s`` per group, averaged with weights ``N_g / N``:
``s`` are lavaan's "sample statistics" of ``(y, x)`` (means and ``vech`` of
the covariance matrix), ``d = s - (mu, vech Sigma)`` their residuals from the
implied moments and ``V`` lavaan's expected information of the incomplete
data at the implied covariance matrix (:func:`~ilb_eval.sem.h1_information.
expected_information`), on the moments that are modelled (the covariates'
own moments have no weight).

With ``missing = "fiml"`` and no sampling weights, lavaan's sample statistics
are not the EM estimates: they are the available-case means and the
pairwise-complete covariances (each pair's own means, divisor ``n_ij - 1``)
multiplied by ``(N - 1) / N`` (:func:`pairwise_moments`). With sampling
weights they are the EM estimates.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ilb_eval.sem.data import GroupData
from ilb_eval.sem.h1_information import (
    expected_information,
    joint_patterns,
    kept_moments,
    vech_indices,
)

__all__ = ["gfi", "pairwise_moments"]

Moments = tuple[np.ndarray, np.ndarray]


def pairwise_moments(group: GroupData) -> Moments:
    """Available-case means and pairwise-complete covariances of ``(y, x)`` (R's ``use="pairwise"``).

    The covariances are rescaled to the divisor of the group size as lavaan
    does: ``cov_ij (N - 1) / N``.

    Examples
    --------
    >>> from ilb_eval.sem.data import prepare_data
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, None], "b": [2.0, None, 4.0, 5.0]})
    >>> mean, cov = pairwise_moments(prepare_data(frame, ["a", "b"], []).groups[0])
    >>> mean.round(4).tolist(), cov.round(4).tolist()
    ([2.0, 3.6667], [[0.75, 1.5], [1.5, 1.75]])
    """
    p, q = group.y.shape[1], group.x.shape[1]
    size = p + q
    patterns = joint_patterns(list(group.patterns), p, q)
    count = np.zeros((size, size))
    total = np.zeros((size, size))  # sum of variable i over rows with i and j observed
    for pat in patterns:
        o = pat.observed
        count[np.ix_(o, o)] += pat.n
        total[np.ix_(o, o)] += pat.n * pat.mean[:, None]
    pooled = total / np.where(count > 0, count, 1.0)  # mean of i over the rows of pair (i, j)
    cross = np.zeros((size, size))
    for pat in patterns:
        o = pat.observed
        gap = pat.mean[:, None] - pooled[np.ix_(o, o)]  # gap[i, j]: mean of i minus pair mean
        cross[np.ix_(o, o)] += pat.cross + pat.n * gap * gap.T
    cov = np.zeros((size, size))
    cov[:p, :p] = cross[:p, :p] / (count[:p, :p] - 1.0)
    cov[:p, p:] = cross[:p, p:] / (count[:p, p:] - 1.0)
    cov[p:, :p] = cov[:p, p:].T
    n = group.n
    cov *= (n - 1.0) / n
    cov[p:, p:] = group.x_cov
    mean = np.concatenate([np.diag(pooled)[:p], group.x_mean])
    return mean, cov


def gfi(
    groups: Sequence[GroupData], observed: Sequence[Moments], implied: Sequence[Moments]
) -> float:
    """Goodness-of-fit index over groups.

    Parameters
    ----------
    groups
        The data of each group.
    observed
        lavaan's sample moments of each group (:func:`pairwise_moments`, or
        the EM moments with sampling weights).
    implied
        Model-implied mean and covariance of ``(y, x)`` per group.

    Returns
    -------
    float
        The index, NaN where the implied moments of a group are singular
        (a covariate given twice).
    """
    values, sizes = [], []
    for data, (m, s), (mu, sigma) in zip(groups, observed, implied, strict=True):
        p, q = data.y.shape[1], data.x.shape[1]
        rows, cols = vech_indices(p + q)
        kept = kept_moments(p, q)
        patterns = joint_patterns(list(data.patterns), p, q)
        try:
            weight = expected_information(patterns, sigma, data.n_weighted)[np.ix_(kept, kept)]
        except np.linalg.LinAlgError:  # singular implied moments (a covariate given twice)
            return float("nan")
        obs = np.concatenate([m, s[rows, cols]])[kept]
        diff = obs - np.concatenate([mu, sigma[rows, cols]])[kept]
        values.append(1.0 - (diff @ weight @ diff) / (obs @ weight @ obs))
        sizes.append(data.n_weighted)
    share = np.asarray(sizes, dtype=float) / float(np.sum(sizes))
    return float(share @ np.asarray(values))
