"""Missing codes are recoded per field, from the schema, with the code's label as reason."""

import numpy as np
import pandas as pd

from ilb_eval.prep import REASON_DTYPE, recode_missing
from ilb_eval.study import Field, TableSchema


def test_declared_codes_become_nan_with_their_label(eap, io_wave):
    raw = io_wave(eap, "t1", ["a", "b", "c"], age=[34.0, -9.0, -1.0], fk_1=[-1.0, 4.0, -9.0])
    values, reasons = recode_missing(raw, eap.wave("t1").table_schema)
    assert values["age"].tolist()[0] == 34.0 and values["age"].isna().tolist() == [False, True, True]
    assert values["fk_1"].isna().tolist() == [True, False, True]
    assert reasons["age"].tolist() == [pd.NA, "keine Antwort", "weiß nicht"]
    assert reasons["fk_1"].tolist() == ["weiß nicht", pd.NA, "keine Antwort"]
    # same shape, index and columns; untouched columns have no reason
    assert reasons.shape == raw.shape and reasons.index.equals(raw.index) and list(reasons) == list(raw)
    assert (reasons.dtypes == REASON_DTYPE).all()
    assert reasons["gender"].isna().all()
    # the input is not modified, the index name survives
    assert raw.loc[3, "age"] == -9.0 and values.index.name == "row"


def test_codes_are_never_guessed_globally(eap, zp, io_wave):
    # -99 is a code in the ZP schemas but not in EAP's: EAP keeps it as a value
    eap_raw = io_wave(eap, "t1", ["a"], age=[-99.0])
    zp_raw = io_wave(zp, "t1", ["a"], age=[-99.0])
    assert recode_missing(eap_raw, eap.wave("t1").table_schema)[0]["age"].tolist() == [-99.0]
    values, reasons = recode_missing(zp_raw, zp.wave("t1").table_schema)
    assert np.isnan(values["age"].iloc[0]) and reasons["age"].iloc[0] == "gesehen, nicht beantwortet"
    # -9 is a code in EAP but a value in ZP
    zp_raw = io_wave(zp, "t1", ["a"], age=[-9.0])
    assert recode_missing(zp_raw, zp.wave("t1").table_schema)[0]["age"].tolist() == [-9.0]


def test_text_fields_and_undeclared_columns(tmp_path):
    schema = TableSchema(
        name="s", wave="t1", primary_key="id", path=tmp_path / "s.table.json",
        fields=(
            Field(name="id", type="string"),
            Field(name="note", type="string", missing_values=(("k.A.", "keine Angabe"),)),
            Field(name="x", type="number", missing_values=((0, "EFS: nicht beantwortet"),)),
        ),
    )
    raw = pd.DataFrame(
        {"id": ["a", "b", "c"], "note": ["k.A.", "text", None], "x": [0.0, 2.5, np.nan], "extra": [-9.0, -9.0, 0.0]},
        index=pd.Index([2, 3, 4], name="row"),
    )
    values, reasons = recode_missing(raw, schema)
    assert values["note"].isna().tolist() == [True, False, True]
    assert reasons["note"].tolist() == ["keine Angabe", pd.NA, pd.NA]  # an empty cell is not a code
    assert values["x"].isna().tolist() == [True, False, True]
    assert reasons["x"].tolist() == ["EFS: nicht beantwortet", pd.NA, pd.NA]
    assert values["extra"].tolist() == [-9.0, -9.0, 0.0]  # not declared: passed through
