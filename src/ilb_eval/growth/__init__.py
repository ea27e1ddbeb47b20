"""Latent growth curve models by full-information maximum likelihood.

The engine reproduces lavaan's ``growth(..., missing = "fiml")`` (ML,
fixed covariates, observed information; MLR with sandwich SEs and the
Yuan-Bentler scaled test): see :func:`fit_growth`, :class:`GrowthModel` and
:class:`GrowthSpec`. Around a fit: :func:`wald_test`, :func:`mean_trajectories`,
:func:`factor_scores`, :func:`fit_variants`; every result has a
:class:`FitStatus` record.
"""

from ilb_eval.growth.model import GrowthModel, fit_growth
from ilb_eval.growth.results import GrowthResults, GrowthWarning, LRTest, lr_test
from ilb_eval.growth.spec import GrowthSpec
from ilb_eval.growth.trajectories import factor_scores, mean_trajectories
from ilb_eval.growth.variants import fit_variants
from ilb_eval.growth.wald import WaldTest, wald_test
from ilb_eval.sem.status import FitStatus

__all__ = [
    "FitStatus",
    "GrowthModel",
    "GrowthResults",
    "GrowthSpec",
    "GrowthWarning",
    "LRTest",
    "WaldTest",
    "factor_scores",
    "fit_growth",
    "fit_variants",
    "lr_test",
    "mean_trajectories",
    "wald_test",
]
