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
    values = frame.copy()
    reasons = pd.DataFrame(pd.NA, index=frame.index, columns=frame.columns, dtype=REASON_DTYPE)
    declared = {f.name: f for f in schema.fields}
    for column in frame.columns:
        field = declared.get(column)
        if field is None or not field.missing_values:
            continue
        series = frame[column]
        label = pd.Series(pd.NA, index=frame.index, dtype=REASON_DTYPE)
        hit = np.zeros(len(series), dtype=bool)
        for code, code_label in field.missing_values:
            if field.is_numeric:
                numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                mask = numbers == float(code)
            else:
                mask = (series.astype(REASON_DTYPE) == str(code)).fillna(False).to_numpy(dtype=bool)
            mask &= ~hit  # the first declared code wins if two are equal
            label[mask] = code_label
            hit |= mask
        if hit.any():
            values[column] = series.mask(hit)
            reasons[column] = label
    return values, reasons
