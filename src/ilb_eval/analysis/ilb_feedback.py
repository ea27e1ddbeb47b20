"""Feedback of iLB users: satisfaction, improvement wishes, benefit, acceleration, reuse, interviews.

Per person the last valid answer over the block's waves is used for
satisfaction, improvement wishes and reuse (a person answering at t3 and t4
counts once); benefit and acceleration are shown per wave (t3, t4) as in
figure 4 of the chapter. Shares go through
:meth:`ilb_eval.privacy.CellRule.share` (numerator, complement and base must
reach the minimum cell size; otherwise NaN = suppressed), means need ``n``
persons at the minimum cell size, and a count below it is itself NaN.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ilb_eval.io.interviews import INTERVIEW_COLUMNS, INTERVIEW_FILE, read_interviews
from ilb_eval.prep import Panel
from ilb_eval.privacy import CellRule, mask_small, protect_partition
from ilb_eval.study import Study

__all__ = ["acceleration", "benefit", "interview_categories", "reuse", "satisfaction"]


def _users(study: Study, panel: Panel, users_only: bool) -> pd.DataFrame:
    wide = panel.wide
    return wide.loc[wide["ilb"] == 1] if users_only else wide


def _last(frame: pd.DataFrame, field: str, waves: tuple[str, ...]) -> pd.Series:
    columns = [f"{field}_{w}" for w in waves if f"{field}_{w}" in frame]
    if not columns:
        return pd.Series(dtype=float)
    return frame[columns].astype(float).ffill(axis=1).iloc[:, -1].dropna()


def _share(rule: CellRule, values: pd.Series, hit: pd.Series) -> float:
    share = rule.share(int(hit.sum()), int(len(values)))
    return np.nan if share is None else share


def satisfaction(study: Study, panel: Panel, rule: CellRule) -> pd.DataFrame:
    """Satisfaction per aspect (mean, t-based 95 % interval on 1..5) and share wishing improvement.

    Returns columns ``sample``, ``aspect`` (field), ``label_de``, ``label_en``,
    ``mean``, ``ci_lower``, ``ci_upper``, ``n``, ``share_improve``, ``n_improve``.
    """
    blocks = study.item_blocks
    if "satisfaction" not in blocks:
        return pd.DataFrame()
    block = blocks["satisfaction"]
    users = _users(study, panel, block.users_only)
    wishes = {item.aspect: item.field for item in blocks["improvement_wish"].items} if "improvement_wish" in blocks else {}
    rows = []
    for item in block.items:
        values = _last(users, item.field, block.waves)
        n: float = int(len(values))
        mean = lower = upper = np.nan
        if rule.allows(n) and n > 1:
            mean = float(values.mean())
            half = float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n))
            lower, upper = max(mean - half, 1.0), min(mean + half, 5.0)
        share, n_improve = np.nan, 0
        if item.field in wishes:
            wish = _last(users, wishes[item.field], blocks["improvement_wish"].waves)
            n_improve = int(len(wish))
            share = _share(rule, wish, wish == 1)
        rows.append({"sample": study.name, "aspect": item.field, "label_de": item.label["de"],
                     "label_en": item.label["en"], "mean": mean, "ci_lower": lower, "ci_upper": upper,
                     "n": n, "share_improve": share, "n_improve": n_improve})
    frame = mask_small(pd.DataFrame(rows), rule, "n", ["mean", "ci_lower", "ci_upper"])
    return mask_small(frame, rule, "n_improve", ["share_improve"])


def benefit(study: Study, panel: Panel, rule: CellRule) -> pd.DataFrame:
    """Share agreeing (at least the block's ``agree_at_least``) per benefit item and wave.

    Returns columns ``sample``, ``aspect``, ``label_de``, ``label_en``, ``wave``, ``share``, ``n``.
    """
    if "benefit" not in study.item_blocks:
        return pd.DataFrame()
    block = study.item_blocks["benefit"]
    users = _users(study, panel, block.users_only)
    threshold = block.agree_at_least if block.agree_at_least is not None else 4
    rows = []
    for item in block.items:
        for wave in block.waves:
            column = f"{item.field}_{wave}"
            if column not in users:
                continue
            values = users[column].astype(float).dropna()
            rows.append({"sample": study.name, "aspect": item.field, "label_de": item.label["de"],
                         "label_en": item.label["en"], "wave": wave,
                         "share": _share(rule, values, values >= threshold), "n": int(len(values))})
    return mask_small(pd.DataFrame(rows), rule, "n", ["share"])


def acceleration(study: Study, panel: Panel, rule: CellRule) -> pd.DataFrame:
    """Shares of "slower", "no effect", "faster" per wave.

    The categories of a wave add up to the persons answering, so a category
    below the minimum cell size takes a second one with it
    (:func:`ilb_eval.privacy.protect_partition`).

    Returns columns ``sample``, ``wave``, ``category`` (code), ``label_de``,
    ``label_en``, ``share``, ``n`` (persons answering; NaN = suppressed).
    """
    if "acceleration" not in study.item_blocks:
        return pd.DataFrame()
    block = study.item_blocks["acceleration"]
    item = block.items[0]
    users = _users(study, panel, block.users_only)
    rows = []
    for wave in block.waves:
        column = f"{item.field}_{wave}"
        if column not in users:
            continue
        values = users[column].astype(float).dropna()
        counts = {code: int((values == float(code)).sum()) for code in item.categories}
        hidden = protect_partition(counts, rule)
        n = float(len(values)) if rule.allows(len(values)) else np.nan
        for code, label in item.categories.items():
            share = np.nan if code in hidden or np.isnan(n) else counts[code] / len(values)
            rows.append({"sample": study.name, "wave": wave, "category": code, "label_de": label["de"],
                         "label_en": label["en"], "share": share, "n": n})
    return pd.DataFrame(rows)


def reuse(study: Study, panel: Panel, rule: CellRule) -> dict[str, float | int | str]:
    """Share of iLB users whose last valid answer says they would use iLB again (``n`` NaN when below the rule)."""
    if "reuse" not in study.item_blocks:
        return {"sample": study.name, "share": np.nan, "n": 0}
    block = study.item_blocks["reuse"]
    values = _last(_users(study, panel, block.users_only), block.fields[0], block.waves)
    n = int(len(values))
    return {"sample": study.name, "share": _share(rule, values, values == 1), "n": n if rule.allows(n) else np.nan}


def interview_categories(data_dir: str | Path) -> pd.DataFrame:
    """Coded interview categories (``interviews.csv`` beside the wave files; empty if absent).

    Only the coded table is read (category, sample, mentions), never
    interview text; :func:`ilb_eval.io.interviews.read_interviews` reads it
    (UTF-8 or Windows-1252, any delimiter) and raises an InputError for a bad file.
    Returns columns ``category``, ``sample``, ``mentions``.
    """
    path = Path(data_dir) / INTERVIEW_FILE
    if not path.is_file():
        return pd.DataFrame(columns=list(INTERVIEW_COLUMNS))
    return read_interviews(path)
