"""Wave frames in the shape the io layer delivers them, built from the study definition."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from ilb_eval.study import Study, load_study


def make_io_wave(study: Study, wave: str, codes: Sequence[str], **columns: Sequence[float]) -> pd.DataFrame:
    """A wave as ``ilb_eval.io`` returns it: every declared column in schema order.

    Numeric fields are float64 (missing codes kept as values), the identifier is
    text, the index is the spreadsheet row number (header = row 1) named "row".
    Fields not given in ``columns`` get a valid default (first category, the
    minimum, or 3), so that rows are answered unless a test says otherwise.
    """
    schema = study.wave(wave).table_schema
    n = len(codes)
    data: dict[str, object] = {}
    for field in schema.fields:
        if field.name == study.person_id.field:
            data[field.name] = pd.array(list(codes), dtype="str")
        elif field.name in columns:
            data[field.name] = np.asarray(columns[field.name], dtype=np.float64)
        elif field.is_numeric:
            if field.categories:
                default = float(field.categories[0][0])
            elif field.minimum is not None:
                default = float(max(field.minimum, 30.0 if field.name == "age" else field.minimum))
            else:
                default = 3.0
            data[field.name] = np.full(n, default)
        else:
            data[field.name] = pd.array([""] * n, dtype="str")
    unknown = set(columns) - set(schema.field_names)
    if unknown:
        raise KeyError(f"not fields of {wave}: {sorted(unknown)}")
    return pd.DataFrame(data, index=pd.Index(np.arange(2, 2 + n), name="row"))


@pytest.fixture(scope="session")
def io_wave():
    """The builder :func:`make_io_wave`, as a fixture."""
    return make_io_wave


@pytest.fixture
def study_copy(tmp_path):
    """Write a modified copy of a shipped study definition and its table schemas; load it.

    ``study_copy("eap", change)`` copies ``eap.study.json`` and ``eap_*.table.json``
    into ``tmp_path``, calls ``change(study_document, tables)`` (``tables`` maps
    file name -> document; add entries to create new schemas) and loads the result.
    """
    import json

    from ilb_eval.resources import schemas_dir

    def make(sample: str, change) -> Study:
        study_doc = json.loads((schemas_dir() / f"{sample}.study.json").read_text(encoding="utf-8"))
        tables = {
            p.name: json.loads(p.read_text(encoding="utf-8")) for p in schemas_dir().glob(f"{sample}_*.table.json")
        }
        change(study_doc, tables)
        for name, document in tables.items():
            (tmp_path / name).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        path = tmp_path / f"{sample}.study.json"
        path.write_text(json.dumps(study_doc, ensure_ascii=False), encoding="utf-8")
        return load_study(path)

    return make
