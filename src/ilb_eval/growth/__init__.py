"""Latent growth curve models by full-information maximum likelihood.

The engine reproduces lavaan's ``growth(..., missing = "fiml")`` (ML,
fixed covariates, observed information): see :func:`fit_growth`,
:class:`GrowthModel` and :class:`GrowthSpec`.
"""

from ilb_eval.growth.model import GrowthModel, fit_growth
from ilb_eval.growth.results import GrowthResults, GrowthWarning, LRTest, lr_test
from ilb_eval.growth.spec import GrowthSpec

__all__ = [
    "GrowthModel",
    "GrowthResults",
    "GrowthSpec",
    "GrowthWarning",
    "LRTest",
    "fit_growth",
    "lr_test",
]
