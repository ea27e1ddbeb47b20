"""Weights for a treated and a control group, with their balance diagnostics.

:func:`estimate_weights` checks the data, fits the logistic propensity model
(always: its scores show the overlap), computes the weights of the chosen
method, optionally trims them, normalises them and measures balance.

Normalisation (the weights' scale does not change any weighted mean; it
makes the column readable and is what lavaan's ``sampling.weights`` expects
up to its own rescaling to the sample size):

* ATT: every treated person keeps weight 1; the control weights sum to the
  number of treated persons (the weighted control group stands for them);
* ATE: each group's weights sum to the whole sample size;
* ATO (overlap weights): ``1 - e`` and ``e`` as they are (at the
  maximum-likelihood fit both groups' weights have the same sum).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ilb_eval.exceptions import InputError, SpecError, WeightingWarning
from ilb_eval.privacy import DEFAULT_MIN_CELL_SIZE
from ilb_eval.weighting.checks import check_weighting_input, no_overlap_problem
from ilb_eval.weighting.diagnostics import (
    SMD_THRESHOLD,
    balance_table,
    effective_sample_size,
    is_binary,
)
from ilb_eval.weighting.entropy import EntropyBalancingError, entropy_balance
from ilb_eval.weighting.propensity import (
    SeparationError,
    fit_propensity,
    ipw_weights,
    overlap_weights,
)

__all__ = ["DEFAULT_ESTIMAND", "DEFAULT_METHOD", "ESTIMANDS", "METHODS", "WeightingResult", "estimate_weights", "trim_weights"]

#: Weighting methods: entropy balancing, inverse-probability and overlap weights.
METHODS = ("entropy", "ipw", "overlap")
#: Estimands a user can ask for (overlap weights always estimate the ATO).
ESTIMANDS = ("ATT", "ATE")
DEFAULT_METHOD = "entropy"
DEFAULT_ESTIMAND = "ATT"

#: A weighted group whose effective sample size falls below this share of its size is flagged.
LOW_ESS_SHARE = 0.1
#: Variance ratios outside [1 / VR_LIMIT, VR_LIMIT] after weighting are flagged.
VR_LIMIT = 2.0


@dataclass(frozen=True)
class WeightingResult:
    """Weights, propensity scores and balance of one weighting run.

    Attributes
    ----------
    weights:
        One weight per row of the input (same index), named ``"weight"``.
    propensity:
        Logistic propensity scores ``P(treated | covariates)`` (every method).
    treated:
        Boolean treated indicator per row.
    method, estimand:
        ``"entropy"``/``"ipw"``/``"overlap"``; ``"ATT"``/``"ATE"``/``"ATO"``.
    balance:
        :func:`~ilb_eval.weighting.diagnostics.balance_table` of the covariates.
    n, ess:
        Persons and Kish effective sample size per group (``"treated"``,
        ``"control"``), after weighting.
    warnings:
        Statistical warnings (also emitted as :class:`~ilb_eval.exceptions.WeightingWarning`).
    """

    weights: pd.Series
    propensity: pd.Series
    treated: pd.Series
    method: str
    estimand: str
    covariates: tuple[str, ...]
    moments: int
    trim: float | None
    balance: pd.DataFrame
    n: dict[str, int]
    ess: dict[str, float]
    warnings: tuple[str, ...] = field(default=())

    @property
    def max_abs_smd(self) -> float:
        """Largest |SMD| after weighting."""
        return float(self.balance["smd_after"].abs().max())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: settings, group sizes, ESS and the ``balance`` list (NaN -> None).

        Each ``balance`` entry holds the covariate, its type, the group means,
        ``smd_before``, ``smd_after``, ``variance_ratio_before``,
        ``variance_ratio_after`` and the effective sample size per group.
        """
        ess = {group: _plain(value) for group, value in self.ess.items()}
        entries = []
        for row in self.balance.to_dict("records"):
            entry = {key: _plain(value) for key, value in row.items() if key != "sd_denominator"}
            entry["effective_sample_size"] = dict(ess)
            entries.append(entry)
        return {
            "method": self.method, "estimand": self.estimand, "moments": self.moments, "trim": self.trim,
            "covariates": list(self.covariates), "n": dict(self.n), "effective_sample_size": ess,
            "smd_threshold": SMD_THRESHOLD, "balance": entries, "warnings": list(self.warnings),
        }


def _plain(value: Any) -> Any:
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def trim_weights(weights: np.ndarray, trimmed: np.ndarray, at: float) -> np.ndarray:
    """Cap the weights of the ``trimmed`` units at their ``at`` quantile (as WeightIt's ``trim``).

    The quantile is R's type 3 (the nearest order statistic), computed over the
    trimmed units only (for the ATT: the controls; treated weights stay 1).

    Examples
    --------
    >>> w = np.array([1.0, 1.0, 0.5, 1.0, 2.0, 9.0])
    >>> trim_weights(w, np.array([False, False, True, True, True, True]), 0.75).tolist()
    [1.0, 1.0, 0.5, 1.0, 2.0, 2.0]
    """
    if not 0.5 <= at < 1.0:
        raise ValueError(f"trim quantile must be in [0.5, 1), got {at}")
    w = np.asarray(weights, dtype=float).copy()
    mask = np.asarray(trimmed, dtype=bool)
    cap = float(np.quantile(w[mask], at, method="closest_observation"))
    w[mask] = np.minimum(w[mask], cap)
    return w


def _constraint_matrix(x: np.ndarray, moments: int, binary: list[bool]) -> np.ndarray:
    if moments == 1:
        return x
    squares = [x[:, j] ** 2 for j in range(x.shape[1]) if not binary[j]]
    return np.column_stack([x, *squares]) if squares else x


def _entropy_weights(c: np.ndarray, treated: np.ndarray, estimand: str) -> np.ndarray:
    w = np.ones(c.shape[0])
    if estimand == "ATT":
        w[~treated] = entropy_balance(c[~treated], c[treated].mean(axis=0)).weights
    else:
        target = c.mean(axis=0)
        for group in (True, False):
            w[treated == group] = entropy_balance(c[treated == group], target).weights
    return w


def _normalise(w: np.ndarray, treated: np.ndarray, estimand: str) -> np.ndarray:
    w = w.copy()
    n1, n = int(treated.sum()), treated.shape[0]
    if estimand == "ATT":
        w[treated] = 1.0
        w[~treated] *= n1 / w[~treated].sum()
    elif estimand == "ATE":
        for group in (True, False):
            w[treated == group] *= n / w[treated == group].sum()
    return w


def _warnings(balance: pd.DataFrame, n: dict[str, int], ess: dict[str, float], estimand: str) -> list[str]:
    notes = []
    off = balance.loc[balance["smd_after"].abs() >= SMD_THRESHOLD]
    if len(off):
        names = ", ".join(f"{r.covariate} ({r.smd_after:+.2f})" for r in off.itertuples())
        notes.append(f"balance not reached: |SMD| >= {SMD_THRESHOLD} after weighting for {names}")
    vr = balance["variance_ratio_after"]
    wide = balance.loc[vr.notna() & ((vr > VR_LIMIT) | (vr < 1.0 / VR_LIMIT))]
    if len(wide):
        names = ", ".join(f"{r.covariate} ({r.variance_ratio_after:.2f})" for r in wide.itertuples())
        notes.append(f"variance ratio outside [{1 / VR_LIMIT:g}, {VR_LIMIT:g}] after weighting for {names}")
    weighted_groups = ("control",) if estimand == "ATT" else ("treated", "control")
    for group in weighted_groups:
        if ess[group] < LOW_ESS_SHARE * n[group]:
            notes.append(
                f"few {group} persons carry the weight: effective sample size {ess[group]:.1f} of {n[group]}"
            )
    return notes


def estimate_weights(
    data: pd.DataFrame,
    treatment: str,
    covariates: Sequence[str],
    *,
    method: str = DEFAULT_METHOD,
    estimand: str | None = None,
    moments: int = 1,
    trim: float | None = None,
    file: str | None = None,
    min_cell_size: int = DEFAULT_MIN_CELL_SIZE,
) -> WeightingResult:
    """Weights that make the control group (ATT) or both groups (ATE) comparable on the covariates.

    Parameters
    ----------
    data:
        One row per person: a 0/1 ``treatment`` column and numeric covariates
        measured before treatment, without missing values.
    treatment:
        Column name of the treatment (1 = treated, e.g. iLB users; 0 = control).
    covariates:
        Columns to balance (and to predict treatment in the propensity model).
    method:
        ``"entropy"`` (default; entropy balancing, exact balance of the means,
        Hainmueller 2012), ``"ipw"`` (inverse probability of treatment from a
        logistic regression) or ``"overlap"`` (overlap weights, estimand ATO).
    estimand:
        ``"ATT"`` (default: weight the controls to the treated) or ``"ATE"``;
        must be left out for overlap weights (their estimand is the ATO).
    moments:
        1 balances means; 2 (entropy balancing only) also the second moments
        of continuous covariates, i.e. their variances.
    trim:
        If given (e.g. 0.99), weights above this quantile of the weighted
        groups' weights are set to it (after trimming, balance is no longer exact).
    file:
        File name used in problem messages.
    min_cell_size:
        Smallest group size accepted (disclosure rule).

    Raises
    ------
    InputError
        Bad input (see :func:`~ilb_eval.weighting.checks.check_weighting_input`)
        or ``NO_OVERLAP`` when the covariates separate the groups.
    SpecError
        An unknown method, estimand or moments value, or an estimand for overlap weights.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> score = rng.normal(3.5, 0.6, 400)
    >>> ilb = (rng.random(400) < 1 / (1 + np.exp(2 * (score - 3.5) + 1))).astype(int)
    >>> data = pd.DataFrame({"ilb": ilb, "score_t1": score, "degree": rng.integers(0, 2, 400)})
    >>> result = estimate_weights(data, "ilb", ["score_t1", "degree"])
    >>> result.estimand, result.n
    ('ATT', {'treated': 129, 'control': 271})
    >>> result.balance.set_index("covariate")[["smd_before", "smd_after"]].abs().round(3)
               smd_before  smd_after
    covariate
    score_t1        1.014        0.0
    degree          0.000        0.0
    >>> round(float(result.weights[data["ilb"] == 0].sum()), 6), round(result.ess["control"], 1)
    (129.0, 100.3)
    """
    if method not in METHODS:
        raise SpecError(f"unknown weighting method {method!r}; use one of {', '.join(METHODS)}")
    if method == "overlap":
        if estimand not in (None, "ATO"):
            raise SpecError("overlap weights estimate the ATO (the overlap population); leave the estimand out")
        estimand = "ATO"
    else:
        estimand = DEFAULT_ESTIMAND if estimand is None else estimand
        if estimand not in ESTIMANDS:
            raise SpecError(f"unknown estimand {estimand!r}; use ATT or ATE")
    if moments not in (1, 2) or (moments == 2 and method != "entropy"):
        raise SpecError("moments must be 1, or 2 with entropy balancing")
    covariates = tuple(covariates)
    treated = check_weighting_input(data, treatment, covariates, file=file, min_cell_size=min_cell_size)
    x = data.loc[:, list(covariates)].apply(pd.to_numeric).to_numpy(dtype=float)
    try:
        model = fit_propensity(x, treated)
        if method == "entropy":
            binary = [is_binary(x[:, j]) for j in range(x.shape[1])]
            raw = _entropy_weights(_constraint_matrix(x, moments, binary), treated, estimand)
        elif method == "ipw":
            raw = ipw_weights(model.scores, treated, estimand)
        else:
            raw = overlap_weights(model.scores, treated)
    except (SeparationError, EntropyBalancingError):
        raise InputError([no_overlap_problem(data, treatment, covariates, treated, file)]) from None
    if trim is not None:
        weighted = ~treated if estimand == "ATT" else np.ones_like(treated)
        raw = trim_weights(raw, weighted, trim)
    w = _normalise(raw, treated, estimand)
    frame = data.loc[:, list(covariates)].apply(pd.to_numeric).assign(**{"__treated": treated.astype(float)})
    balance = balance_table(frame, "__treated", covariates, w, estimand=estimand)
    n = {"treated": int(treated.sum()), "control": int((~treated).sum())}
    ess = {"treated": effective_sample_size(w[treated]), "control": effective_sample_size(w[~treated])}
    notes = _warnings(balance, n, ess, estimand)
    for note in notes:
        warnings.warn(note, WeightingWarning, stacklevel=2)
    index = data.index
    return WeightingResult(
        weights=pd.Series(w, index=index, name="weight"),
        propensity=pd.Series(model.scores, index=index, name="propensity"),
        treated=pd.Series(treated, index=index, name=treatment),
        method=method, estimand=estimand, covariates=covariates, moments=moments, trim=trim,
        balance=balance, n=n, ess=ess, warnings=tuple(notes),
    )
