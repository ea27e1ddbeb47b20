"""Study definitions: the study is data, not code (DECISIONS 3).

A study definition (``data/schemas/<sample>.study.json``) names the waves and
their export files, the person identifier, how the iLB group is derived, the
covariates, the scales and the item blocks. Each wave file is described by a
table schema (``<sample>_<wave>.table.json``). Both are validated against the
JSON Schema profiles in ``data/schemas/profile/`` when loaded. No analysis code
names a survey column: it asks the :class:`Study`.

>>> from ilb_eval.study import load_study
>>> eap = load_study("EAP")
>>> [w.name for w in eap.waves], [w.time_score for w in eap.waves]
(['t1', 't3', 't4'], [0.0, 2.0, 3.0])
>>> eap.scale("belastbarkeit").label["en"]
'Resilience'
"""

from ilb_eval.study.definition import (
    Covariate,
    Field,
    IlbUse,
    ItemBlock,
    PersonId,
    Scale,
    Study,
    TableSchema,
    Wave,
    available_studies,
    coverage_warnings,
    load_study,
)

__all__ = [
    "Covariate",
    "Field",
    "IlbUse",
    "ItemBlock",
    "PersonId",
    "Scale",
    "Study",
    "TableSchema",
    "Wave",
    "available_studies",
    "coverage_warnings",
    "load_study",
]
