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
    declared = {f.name: f for f in schema.fields}
    reason = np.full(frame.shape, None, dtype=object)
    columns = list(frame.columns)
    numeric = [j for j, c in enumerate(columns) if c in declared and declared[c].is_numeric and declared[c].missing_values]
    text = [j for j, c in enumerate(columns) if c in declared and not declared[c].is_numeric and declared[c].missing_values]
    if numeric:
        block = frame.iloc[:, numeric].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        codes = {float(code) for j in numeric for code in declared[columns[j]].missing_codes}
        for code in sorted(codes):
            labels = np.array(
                [next((lab for v, lab in declared[columns[j]].missing_values if float(v) == code), None) for j in numeric],
                dtype=object,
            )
            has_code = np.array([label is not None for label in labels])
            mask = (block == code) & has_code[None, :]
            reason[:, numeric] = np.where(mask, labels[None, :], reason[:, numeric])
    for j in text:
        series = frame.iloc[:, j].astype(REASON_DTYPE)
        for code, code_label in reversed(declared[columns[j]].missing_values):  # the first declared code wins
            mask = (series == str(code)).fillna(False).to_numpy(dtype=bool)
            reason[mask, j] = code_label
    recoded = pd.DataFrame(reason, index=frame.index, columns=frame.columns).notna()
    reasons = pd.DataFrame(reason, index=frame.index, columns=frame.columns).astype(REASON_DTYPE)
    touched = [c for c in columns if recoded[c].any()]
    values = frame.copy()
    if touched:
        values[touched] = frame[touched].mask(recoded[touched])
    return values, reasons
