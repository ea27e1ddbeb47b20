"""The evaluation pipeline as library functions (also for notebooks).

Modules, one job each:

``sample``
    Persons per wave and group, attrition flow, demographics.
``models``
    Growth models per competence dimension, each fitted in isolation
    (failed-model records), implied and observed means, LR tests.
``effects``
    iLB effects on intercept and slope across dimensions, raw and adjusted p.
``sensitivity``
    Variants of the conditional models and their iLB slope effect under ML and MLR.
``correlations``
    Manager support with learning-culture and time-condition items (t3).
``ilb_feedback``
    Satisfaction, improvement wishes, benefit, acceleration, reuse, interviews.
``conditions``
    Delivery mode and time conditions among iLB users and growth.
``pipeline``
    :func:`run_analysis` -> :class:`AnalysisResults` (everything above).
"""

from ilb_eval.analysis.models import ModelRecord, fit_isolated
from ilb_eval.analysis.pipeline import AnalysisResults, AnalysisSettings, StudyResults, run_analysis

__all__ = ["AnalysisResults", "AnalysisSettings", "ModelRecord", "StudyResults", "fit_isolated", "run_analysis"]
