"""Measurement invariance of a study's scales and growth of the latent construct (issue 15).

Does a competence scale mean the same after iLB? For every scale with two
items or more the package writes the lavaan syntax of the invariance ladder
(configural, metric, scalar, strict) across the waves and, in a study with a
control group, across iLB users and controls at the first wave; fits each
level by FIML with MLR; compares consecutive levels by the changes of the
robust CFI and RMSEA (Chen 2007) and the scaled likelihood-ratio test; and
searches partial scalar invariance by score tests where full scalar
invariance fails. Scales that reach (partial) scalar invariance get a
second-order ("curve-of-factors") growth model: growth of the construct
rather than of the scale mean.

- :func:`study_invariance`: everything for one study (the analysis pipeline's entry).
- :func:`longitudinal_invariance`, :func:`group_invariance`: one ladder.
- :func:`second_order_growth`: the growth model on the invariant measurement model.
- :mod:`~ilb_eval.invariance.syntax`: the models as lavaan syntax.
- :mod:`~ilb_eval.invariance.decision`: the decision rule.
"""

from ilb_eval.invariance.decision import Comparison, compare_levels
from ilb_eval.invariance.ladder import (
    HELD,
    InvarianceResult,
    LevelRow,
    group_invariance,
    longitudinal_invariance,
    max_freed_items,
)
from ilb_eval.invariance.second_order import SecondOrderGrowth, growth_for, second_order_growth
from ilb_eval.invariance.spec import MeasurementSpec, item_data, measurement_spec
from ilb_eval.invariance.study import StudyInvariance, study_invariance
from ilb_eval.invariance.syntax import LEVELS, longitudinal_syntax, second_order_syntax, wave_syntax

__all__ = [
    "HELD",
    "LEVELS",
    "Comparison",
    "InvarianceResult",
    "LevelRow",
    "MeasurementSpec",
    "SecondOrderGrowth",
    "StudyInvariance",
    "compare_levels",
    "group_invariance",
    "growth_for",
    "item_data",
    "longitudinal_invariance",
    "longitudinal_syntax",
    "max_freed_items",
    "measurement_spec",
    "second_order_growth",
    "second_order_syntax",
    "study_invariance",
    "wave_syntax",
]
