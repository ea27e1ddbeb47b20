"""Preparation of survey waves for analysis (the ``ilb_eval.prep`` layer).

Plain functions, tidy DataFrames in and out, index = spreadsheet row numbers
per wave (docs/DESIGN.md):

* :func:`recode_missing` -- declared missing codes -> NaN, the code's label as reason;
* :func:`scale_items`, :func:`score_scales` -- reverse keying, mean of valid items
  with the minimum-valid rule;
* :func:`code_covariate`, :func:`person_values`, :func:`ilb_group` -- binary
  covariates, time-constant values (conflicts reported), iLB group;
* :func:`link_waves` -- persons across waves by the pseudonymous identifier,
  exact then one-character tolerant; the identifier never leaves that module;
* :func:`build_panel` -> :class:`Panel` (wide, long, linkage, exclusions, ...),
  :func:`growth_data` -- the columns one growth model needs;
* :func:`reliability` -- alpha with Feldt interval and omega per scale and wave.

>>> import pandas as pd
>>> from ilb_eval.study import load_study
>>> zp = load_study("ZP")
>>> def wave(name, codes):
...     data = {f.name: [4.0] * len(codes) for f in zp.wave(name).table_schema.fields}
...     data.update(code=codes, age=[45.0] * len(codes), gender=[2.0] * len(codes), abschluss=[2.0] * len(codes))
...     return pd.DataFrame(data, index=pd.Index(range(2, 2 + len(codes)), name="row"))
>>> panel = build_panel(zp, {"t1": wave("t1", ["KM0312"]), "t3": wave("t3", ["km 0312"]),
...                          "t4": wave("t4", ["KM0313"])})
>>> growth_data(panel, "fachkompetenz")
   person   t1   t3   t4  age40  female  degree  ilb
0       1  3.5  3.5  3.5    1.0     1.0     1.0    1
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
    "REASON_DTYPE",
    "RELIABILITY_COLUMNS",
    "Linkage",
    "Panel",
    "PersonValues",
    "build_panel",
    "code_covariate",
    "cronbach_alpha",
    "feldt_interval",
    "first_per_person",
    "growth_data",
    "ilb_group",
    "link_waves",
    "normalise_code",
    "omega_total",
    "person_values",
    "recode_missing",
    "reliability",
    "scale_items",
    "score_scales",
]
