"""Declared missing-value codes -> NaN, with the code's label kept as the reason.

Missing codes are never guessed globally ("all negatives are missing" breaks
exports whose scales use 0 or negative values): each field's codes come from
its table schema (``missingValues`` with labels).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ilb_eval.study import TableSchema

__all__ = ["REASON_DTYPE", "recode_missing"]

#: dtype of the reason frame: text with ``pd.NA`` where nothing was recoded.
REASON_DTYPE = pd.StringDtype(na_value=pd.NA)


def _equals(series: pd.Series, code: float | str, numeric: bool) -> np.ndarray:
    """Where ``series`` holds ``code`` (numbers compared as floats, text as text)."""
    if numeric:
        return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan) == float(code)
    return (series.astype(REASON_DTYPE) == str(code)).fillna(False).to_numpy(dtype=bool)


def recode_missing(frame: pd.DataFrame, schema: TableSchema) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace each field's declared missing codes by NaN and record why.

    Parameters
    ----------
    frame
        One wave as the io layer delivers it: the declared columns, numeric
        fields as float64 with the missing codes still present, index = the
        spreadsheet row number (``"row"``).
    schema
        The wave's table schema; only the codes it declares for a field are
        recoded in that field. Columns the schema does not declare are passed
        through unchanged.

    Returns
    -------
    values, reasons
        ``values`` is a copy of ``frame`` with the codes replaced by NaN (numeric
        fields) or NA (text fields). ``reasons`` has the same shape, index and
        columns, dtype ``string``; it holds the code's label (e.g.
        ``"keine Antwort"``) where a code was recoded and NA elsewhere (also
        where a value was already empty in the export).

    Examples
    --------
    >>> import pandas as pd
    >>> from ilb_eval.study import load_study
    >>> schema = load_study("EAP").wave("t1").table_schema
    >>> raw = pd.DataFrame({"age": [34.0, -9.0, -1.0]}, index=pd.Index([2, 3, 4], name="row"))
    >>> values, reasons = recode_missing(raw, schema)
    >>> values["age"].tolist()
    [34.0, nan, nan]
    >>> reasons["age"].tolist()
    [<NA>, 'keine Antwort', 'weiß nicht']
    """
    declared = {f.name: f for f in schema.fields}
    n = len(frame)
    values: dict[str, pd.Series] = {}
    reasons: dict[str, object] = {}
    for column in frame.columns:
        series = frame[column]
        field = declared.get(column)
        which = np.full(n, -1, dtype=np.int64)  # index of the declared code found, -1 for none
        if field is not None:
            for i, code in enumerate(field.missing_codes):
                which[_equals(series, code, field.is_numeric) & (which < 0)] = i  # the first declared code wins
        hit = which >= 0
        if hit.any():
            labels = np.array([label for _, label in field.missing_values] + [None], dtype=object)
            values[column] = series.mask(hit)
            reasons[column] = pd.array(labels[which], dtype=REASON_DTYPE)  # -1 picks None
        else:
            values[column] = series
            reasons[column] = pd.array(np.full(n, None, dtype=object), dtype=REASON_DTYPE)
    return (
        pd.DataFrame(values, index=frame.index, columns=frame.columns),
        pd.DataFrame(reasons, index=frame.index, columns=frame.columns),
    )
