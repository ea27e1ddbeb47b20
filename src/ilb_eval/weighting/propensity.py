"""The propensity model (logistic regression by statsmodels) and the weights built from it.

``e(x) = P(treated | x)`` is estimated by a binomial GLM with logit link and
an intercept (statsmodels, maximum likelihood). From it:

* inverse-probability weights: ATT ``1`` (treated) and ``e / (1 - e)``
  (controls); ATE ``1 / e`` and ``1 / (1 - e)``;
* overlap weights (Li, Morgan & Zaslavsky 2018): ``1 - e`` (treated) and
  ``e`` (controls); their estimand is the ATO. At the maximum-likelihood fit
  they balance every covariate of the model exactly (the score equations of
  the logistic regression are these balance conditions).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import PerfectSeparationError, PerfectSeparationWarning

__all__ = ["PropensityModel", "SeparationError", "fit_propensity", "ipw_weights", "overlap_weights"]

#: Fitted probabilities this close to 0 or 1 count as (quasi-)complete separation.
SEPARATION_LIMIT = 1e-8


class SeparationError(ValueError):
    """The covariates predict the treatment perfectly: the groups do not overlap."""


@dataclass(frozen=True)
class PropensityModel:
    """A fitted logistic propensity model.

    Attributes
    ----------
    scores:
        Estimated ``P(treated | x)`` per unit.
    params, bse:
        Intercept first, then one coefficient per covariate column, and their
        standard errors (statsmodels' ML standard errors).
    converged:
        Whether statsmodels' IRLS converged.
    """

    scores: np.ndarray
    params: np.ndarray
    bse: np.ndarray
    converged: bool


def fit_propensity(covariates: np.ndarray, treated: np.ndarray) -> PropensityModel:
    """Fit ``logit P(treated) = b0 + x' b`` by maximum likelihood (statsmodels GLM).

    Parameters
    ----------
    covariates:
        ``n x k`` matrix (no intercept column; one is added).
    treated:
        0/1 (or boolean) vector of length ``n``.

    Raises
    ------
    SeparationError
        When the covariates separate the groups (statsmodels detects perfect
        separation, or fitted probabilities reach 0 or 1).

    Examples
    --------
    >>> x = np.array([[0.0], [1.0], [2.0], [3.0], [1.5], [2.5]])
    >>> model = fit_propensity(x, np.array([0, 0, 1, 1, 1, 0]))
    >>> bool(np.all((model.scores > 0) & (model.scores < 1))), model.params.shape
    (True, (2,))
    """
    d = np.asarray(treated, dtype=float)
    design = sm.add_constant(np.asarray(covariates, dtype=float), has_constant="add")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = sm.GLM(d, design, family=sm.families.Binomial()).fit()
        except PerfectSeparationError as error:  # older statsmodels raise instead of warning
            raise SeparationError(str(error)) from None
    scores = np.asarray(result.fittedvalues, dtype=float)
    separated = any(issubclass(w.category, PerfectSeparationWarning) for w in caught)
    if separated or np.any(scores < SEPARATION_LIMIT) or np.any(scores > 1 - SEPARATION_LIMIT):
        raise SeparationError("the covariates predict group membership perfectly for some units")
    return PropensityModel(
        scores=scores,
        params=np.asarray(result.params, dtype=float),
        bse=np.asarray(result.bse, dtype=float),
        converged=bool(result.converged),
    )


def ipw_weights(scores: np.ndarray, treated: np.ndarray, estimand: str) -> np.ndarray:
    """Inverse-probability weights for the ATT or ATE (not normalised).

    Examples
    --------
    >>> ipw_weights(np.array([0.5, 0.2, 0.75]), np.array([1, 0, 0]), "ATT").tolist()
    [1.0, 0.25, 3.0]
    >>> ipw_weights(np.array([0.5, 0.2, 0.75]), np.array([1, 0, 0]), "ATE").tolist()
    [2.0, 1.25, 4.0]
    """
    e = np.asarray(scores, dtype=float)
    t = np.asarray(treated).astype(bool)
    if estimand == "ATT":
        return np.where(t, 1.0, e / (1.0 - e))
    if estimand == "ATE":
        return np.where(t, 1.0 / e, 1.0 / (1.0 - e))
    raise ValueError(f"inverse-probability weights need estimand ATT or ATE, got {estimand!r}")


def overlap_weights(scores: np.ndarray, treated: np.ndarray) -> np.ndarray:
    """Overlap weights ``1 - e`` (treated) and ``e`` (controls).

    Examples
    --------
    >>> overlap_weights(np.array([0.5, 0.2, 0.8]), np.array([1, 0, 0])).tolist()
    [0.5, 0.2, 0.8]
    """
    e = np.asarray(scores, dtype=float)
    return np.where(np.asarray(treated).astype(bool), 1.0 - e, e)
