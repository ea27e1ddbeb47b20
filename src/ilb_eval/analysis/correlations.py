"""Manager support and learning culture / time conditions at t3 (EAP iLB users).

Pearson (default, as the chapter) or Spearman, two-sided p, 95 % interval,
pairwise n and the chapter's verbal bands, through :func:`ilb_eval.stats.correlate`.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from ilb_eval.prep import Panel
from ilb_eval.privacy import CellRule, mask_small
from ilb_eval.stats import correlate
from ilb_eval.study import Study

__all__ = ["correlation_data", "manager_correlations"]


def correlation_data(study: Study, panel: Panel) -> tuple[pd.DataFrame, str, list[str], str] | None:
    """The persons, x column, y columns and wave of the correlation block (``None`` if absent)."""
    blocks = study.item_blocks
    if "manager_support" not in blocks or "learning_culture" not in blocks:
        return None
    wave = blocks["manager_support"].waves[0]
    x = f"{blocks['manager_support'].fields[0]}_{wave}"
    ys = [f"{f}_{wave}" for f in blocks["learning_culture"].fields if f"{f}_{wave}" in panel.wide]
    if x not in panel.wide or not ys:
        return None
    data = panel.wide
    if blocks["manager_support"].users_only:
        data = data.loc[data["ilb"] == 1]
    return data[[x, *ys]].astype(float), x, ys, wave


def manager_correlations(study: Study, panel: Panel, rule: CellRule,
                         method: Literal["pearson", "spearman"] = "pearson") -> pd.DataFrame:
    """Correlations of manager support with each learning-culture / time-condition item.

    Returns
    -------
    DataFrame
        The columns of :func:`ilb_eval.stats.correlate` (x, y, method, n, r,
        ci_lower, ci_upper, pvalue, band_de, band_en) with ``x``/``y`` as
        field names without the wave suffix, plus ``wave`` and ``suppressed``
        (pairwise n below the minimum cell size: n, r, interval and p set to NaN).
    """
    found = correlation_data(study, panel)
    columns = ["x", "y", "method", "n", "r", "ci_lower", "ci_upper", "pvalue", "band_de", "band_en",
               "wave", "suppressed"]
    if found is None:
        return pd.DataFrame(columns=columns)
    data, x, ys, wave = found
    table = correlate(data, x, ys, method=method)
    table["x"] = table["x"].str.removesuffix(f"_{wave}")
    table["y"] = table["y"].str.removesuffix(f"_{wave}")
    table["wave"] = wave
    table["suppressed"] = ~table["n"].map(rule.allows)
    table = mask_small(table, rule, "n", ["r", "ci_lower", "ci_upper", "pvalue"])
    table.loc[table["suppressed"], ["band_de", "band_en"]] = ""
    return table[columns]
