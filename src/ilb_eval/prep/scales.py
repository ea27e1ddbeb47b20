"""Reverse keying and scale scores (mean of the valid items, minimum-valid rule)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ilb_eval.exceptions import InputError, Problem
from ilb_eval.study import Scale, Study

__all__ = ["scale_items", "score_scales"]


def scale_items(values: pd.DataFrame, scale: Scale) -> pd.DataFrame:
    """The scale's items of one wave, reverse-keyed where the study says so.

    A reverse-keyed item ``x`` becomes ``lo + hi - x`` with the scale's range
    ``(lo, hi)``. Values must already be free of missing codes (see
    :func:`ilb_eval.prep.recode_missing`).

    Raises
    ------
    InputError
        When an item column is absent, or a valid value lies outside the
        scale's range (a missing code the schema does not declare, or a
        recoded scale); one :class:`~ilb_eval.exceptions.Problem` per item.

    Examples
    --------
    >>> import pandas as pd
    >>> from ilb_eval.study import load_study
    >>> scale = load_study("EAP").scale("belastbarkeit")
    >>> items = pd.DataFrame({"be_1": [5.0], "be_2": [4.0], "be_3": [4.0], "be_4": [2.0]})
    >>> scale_items(items, scale).iloc[0].tolist()
    [5.0, 4.0, 4.0, 4.0]
    """
    lo, hi = scale.range
    problems = []
    absent = [item for item in scale.items if item not in values.columns]
    if absent:
        raise InputError(
            [
                Problem(
                    code="MISSING_COLUMN",
                    message=f"items of scale '{scale.name}' are missing",
                    column=item,
                    expected="the columns the table schema declares",
                    found="no such column",
                    fix="pass the wave as the io layer returns it",
                )
                for item in absent
            ]
        )
    items = values.loc[:, list(scale.items)].astype(float)
    array = items.to_numpy()
    outside = ~np.isnan(array) & ((array < lo) | (array > hi))
    for j in np.flatnonzero(outside.any(axis=0)):
        rows = items.index[outside[:, j]]
        problems.append(
            Problem(
                code="OUT_OF_RANGE",
                message=f"item of scale '{scale.name}' has values outside the scale range",
                column=scale.items[j],
                rows=tuple(int(r) for r in rows),
                expected=f"{lo:g} to {hi:g} or a declared missing code",
                found=f"{len(rows)} values outside",
                fix="declare the missing codes in the table schema or correct the export",
            )
        )
    if problems:
        raise InputError(problems)
    for item in scale.reverse:
        items[item] = lo + hi - items[item]
    return items


def score_scales(values: pd.DataFrame, study: Study, wave: str) -> pd.DataFrame:
    """Scale scores of one wave: the mean of the valid items, if enough are valid.

    A person's score is the mean of the valid (non-missing) items after reverse
    keying when at least ``scale.min_valid`` items are valid, and NaN
    otherwise. Only scales measured at ``wave`` are scored.

    Parameters
    ----------
    values
        The wave after :func:`ilb_eval.prep.recode_missing` (no missing codes
        left), index = row numbers.
    study, wave
        The study definition and the wave's name.

    Returns
    -------
    DataFrame
        One column per scale, same index as ``values``. ``attrs["scale_counts"]``
        holds one record (dict) per scale, ready for ``pd.DataFrame``: ``scale``, ``wave``, ``n_rows``,
        ``n_scored``, ``n_below_min_valid`` (rows with fewer than ``min_valid``
        valid items, empty ones included) and ``n_no_items`` (rows with no valid
        item of the scale).

    Examples
    --------
    >>> import pandas as pd
    >>> from ilb_eval.study import load_study
    >>> eap = load_study("EAP")
    >>> items = [item for scale in eap.scales for item in scale.items]
    >>> values = pd.DataFrame(float("nan"), index=pd.Index([2, 3], name="row"), columns=items)
    >>> values.loc[2, ["be_1", "be_2", "be_3", "be_4"]] = [5.0, 4.0, 3.0, 2.0]  # be_4 reversed: 4
    >>> values.loc[3, ["be_1", "be_4"]] = [4.0, 1.0]  # 2 valid items < min_valid 3
    >>> scores = score_scales(values, eap, "t1")
    >>> scores["belastbarkeit"].tolist()
    [4.0, nan]
    >>> pd.DataFrame(scores.attrs["scale_counts"]).set_index("scale").loc["belastbarkeit", "n_below_min_valid"]
    np.int64(1)
    """
    measured = [s for s in study.scales if wave in s.waves]
    scores: dict[str, pd.Series] = {}
    counts = []
    for scale in measured:
        items = scale_items(values, scale).to_numpy(dtype=float)
        valid = np.isfinite(items)
        n_valid = valid.sum(axis=1)
        sums = np.where(valid, items, 0.0).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = sums / n_valid
        enough = n_valid >= scale.min_valid
        scores[scale.name] = pd.Series(np.where(enough, mean, np.nan), index=values.index, dtype=float)
        counts.append(
            {
                "scale": scale.name,
                "wave": wave,
                "n_rows": len(values),
                "n_scored": int(enough.sum()),
                "n_below_min_valid": int((~enough).sum()),
                "n_no_items": int((n_valid == 0).sum()),
            }
        )
    result = pd.DataFrame(scores, index=values.index)
    result.attrs["scale_counts"] = counts
    return result
