"""Selection adjustment: weights that make a control group comparable to the treated, and balance diagnostics.

iLB is taken up voluntarily, so users and non-users differ before iLB starts.
This package estimates each person's weight from what was measured before
(demographics, programme, baseline scale scores) and shows whether the
weights achieve balance:

* :func:`estimate_weights`: entropy balancing (default, exact balance of the
  means; Hainmueller 2012), inverse-probability weights from a logistic
  propensity model (statsmodels), overlap weights; ATT (default) or ATE;
  optional trimming -> :class:`WeightingResult` (weights, propensity scores,
  balance table, effective sample sizes, warnings);
* :func:`balance_table`, :func:`effective_sample_size`: cobalt's conventions
  (SMD standardiser per estimand, unweighted; variance ratios for continuous
  covariates; Kish's ESS);
* :func:`evalue_rr`, :func:`evalue_smd`: sensitivity to unmeasured
  confounding (VanderWeele & Ding 2017).

Bad input (a treatment that is not 0/1, a covariate constant within a
group, missing covariate values, groups that do not overlap) raises
:class:`~ilb_eval.exceptions.InputError` with one problem each and its fix.
"""

from ilb_eval.weighting.diagnostics import (
    SMD_THRESHOLD,
    balance_table,
    effective_sample_size,
)
from ilb_eval.weighting.entropy import entropy_balance
from ilb_eval.weighting.estimate import (
    DEFAULT_ESTIMAND,
    DEFAULT_METHOD,
    ESTIMANDS,
    METHODS,
    WeightingResult,
    estimate_weights,
    trim_weights,
)
from ilb_eval.weighting.evalue import EValue, evalue_rr, evalue_smd
from ilb_eval.weighting.propensity import fit_propensity, ipw_weights, overlap_weights

__all__ = [
    "DEFAULT_ESTIMAND",
    "DEFAULT_METHOD",
    "ESTIMANDS",
    "METHODS",
    "SMD_THRESHOLD",
    "EValue",
    "WeightingResult",
    "balance_table",
    "effective_sample_size",
    "entropy_balance",
    "estimate_weights",
    "evalue_rr",
    "evalue_smd",
    "fit_propensity",
    "ipw_weights",
    "overlap_weights",
    "trim_weights",
]
