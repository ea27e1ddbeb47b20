"""Structural equation models by full-information maximum likelihood, driven by lavaan syntax.

The entry points are named, and defaulted, as lavaan's: :func:`cfa`,
:func:`sem` and :func:`growth` fit a model written in lavaan's model syntax to
a data frame with missing values by FIML (``missing = "fiml"``), with
lavaan's options (groups and equality constraints across groups, ML or MLR,
sampling weights, clusters). Every number they print is tested against
lavaan 0.6-14. The result is a :class:`SemResults`.
"""

from ilb_eval.sem.api import cfa, growth, sem
from ilb_eval.sem.compare import LRTest, WaldTest, lr_test, wald_test
from ilb_eval.sem.modindices import modindices
from ilb_eval.sem.options import ModelOptions
from ilb_eval.sem.predict import predict
from ilb_eval.sem.residuals import residuals
from ilb_eval.sem.results import SemResults
from ilb_eval.sem.score import ScoreTest, score_test
from ilb_eval.sem.status import FitStatus, FitWarning
from ilb_eval.sem.syntax import ModelSyntaxError, parse_model

__all__ = [
    "FitStatus",
    "FitWarning",
    "LRTest",
    "ModelOptions",
    "ModelSyntaxError",
    "ScoreTest",
    "SemResults",
    "WaldTest",
    "cfa",
    "growth",
    "lr_test",
    "modindices",
    "parse_model",
    "predict",
    "residuals",
    "score_test",
    "sem",
    "wald_test",
]
