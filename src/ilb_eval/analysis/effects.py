"""The iLB effects on intercept and slope across all dimensions, with adjusted p-values.

Taken from the conditional EAP model of each dimension (rows ``i ~ ilb`` and
``s ~ ilb`` of the engine's parameter table, unchanged), and adjusted for
multiple testing over the family of all dimensions times the two factors
(Holm by default, Benjamini-Hochberg selectable).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from ilb_eval.analysis.models import DimensionModels
from ilb_eval.stats import adjust_pvalues

__all__ = ["EFFECT_COLUMNS", "ilb_effects"]

EFFECT_COLUMNS = ("dimension", "factor", "estimate", "se", "z", "pvalue", "p_adjusted", "ci_lower",
                  "ci_upper", "std_all", "n", "status")


def ilb_effects(models: Mapping[str, DimensionModels], adjust: Literal["holm", "bh"] = "holm",
                covariate: str = "ilb") -> pd.DataFrame:
    """One row per dimension and factor (``i``, ``s``) with raw and adjusted p.

    A dimension whose conditional model failed keeps its rows with NaN
    estimates and the model status; its p-values do not enter the family.

    Returns
    -------
    DataFrame
        Columns :data:`EFFECT_COLUMNS`; ``p_adjusted`` by ``adjust``.
    """
    rows = []
    for dim, m in models.items():
        record = m.records.get("conditional")
        for factor in ("i", "s"):
            row = {c: np.nan for c in EFFECT_COLUMNS}
            row.update(dimension=dim, factor=factor, status="missing" if record is None else record.status)
            if record is not None and record.ok:
                params = record.results.params
                hit = params[(params["lhs"] == factor) & (params["op"] == "~") & (params["rhs"] == covariate)]
                if not hit.empty:
                    r = hit.iloc[0]
                    row.update(estimate=float(r["est"]), se=float(r["se"]), z=float(r["z"]),
                               pvalue=float(r["pvalue"]), ci_lower=float(r["ci_lower"]),
                               ci_upper=float(r["ci_upper"]), std_all=float(r["std_all"]), n=record.n)
            rows.append(row)
    frame = pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))
    if len(frame):
        frame["p_adjusted"] = adjust_pvalues(frame["pvalue"].to_numpy(float), adjust)
    return frame
