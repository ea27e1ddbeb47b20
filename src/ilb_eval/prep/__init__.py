"""Preparation of survey waves for analysis (the ``ilb_eval.prep`` layer).

Plain functions, tidy DataFrames in and out, index = spreadsheet row numbers
per wave: declared missing codes -> NaN with the code's label as the reason,
reverse keying and scale scores with a minimum-valid rule, linkage of the
waves by the pseudonymous identifier (which never leaves the linkage module).
"""

from ilb_eval.prep.covariates import (
    PersonValues,
    code_covariate,
    first_per_person,
    ilb_group,
    person_values,
)
from ilb_eval.prep.linkage import LINKAGE_COLUMNS, Linkage, link_waves, normalise_code
from ilb_eval.prep.missing import REASON_DTYPE, recode_missing
from ilb_eval.prep.panel import EXCLUSION_REASONS, Panel, build_panel, growth_data
from ilb_eval.prep.reliability import (
    RELIABILITY_COLUMNS,
    cronbach_alpha,
    feldt_interval,
    omega_total,
    reliability,
)
from ilb_eval.prep.scales import scale_items, score_scales

__all__ = [
    "EXCLUSION_REASONS",
    "LINKAGE_COLUMNS",
    "Panel",
    "PersonValues",
    "build_panel",
    "code_covariate",
    "cronbach_alpha",
    "feldt_interval",
    "first_per_person",
    "growth_data",
    "ilb_group",
    "person_values",
    "REASON_DTYPE",
    "RELIABILITY_COLUMNS",
    "Linkage",
    "link_waves",
    "normalise_code",
    "omega_total",
    "recode_missing",
    "reliability",
    "scale_items",
    "score_scales",
]
