"""ilb_eval: evaluation of individual learning support (iLB).

Raw survey-wave exports flow through ``ilb_eval.study`` (study definitions),
``ilb_eval.io`` (loading and validation), ``ilb_eval.prep`` (missing codes,
scale scores, linkage, panel) into ``ilb_eval.growth`` (FIML latent growth
curve models) and the report.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ilb_eval")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0+unknown"

from ilb_eval.growth import GrowthModel, GrowthResults, GrowthSpec, fit_growth, lr_test

__all__ = [
    "GrowthModel",
    "GrowthResults",
    "GrowthSpec",
    "__version__",
    "fit_growth",
    "lr_test",
]
