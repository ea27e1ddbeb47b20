"""Hypothesis: valid frames written in any CSV dialect load back identical."""

from __future__ import annotations

import csv
import dataclasses
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilb_eval.io import read_wave
from ilb_eval.io.privacy import normalise_person_code, personal_data_kind
from ilb_eval.study import load_study

EAP = load_study("EAP")
WAVE = EAP.wave("t1")

_code_chars = st.characters(codec="cp1252", exclude_categories=("Cc", "Cs"))
# any cp1252 text that is a usable code: not empty after normalisation, not a name, phone number or e-mail
_codes = st.text(alphabet=_code_chars, min_size=1, max_size=8).filter(
    lambda s: normalise_person_code(s) != "" and personal_data_kind(s) is None)


@st.composite
def written_waves(draw):
    n = draw(st.integers(1, 12))
    codes = draw(st.lists(_codes, min_size=n, max_size=n, unique_by=normalise_person_code))
    encoding = draw(st.sampled_from(["utf-8", "cp1252"]))
    dialect = {
        "delimiter": draw(st.sampled_from([",", ";", "\t"])),
        "decimal": draw(st.sampled_from([".", ","])),
        "encoding": encoding,
        "bom": encoding == "utf-8" and draw(st.booleans()),
        "quoting": draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
        "lineterminator": draw(st.sampled_from(["\r\n", "\n", "\r"])),
    }
    # Windows-1252 is only read when declared; the rest is declared at random.
    declared = {"encoding": "windows-1252"} if encoding == "cp1252" else {}
    for key in ("delimiter", "decimal"):
        if draw(st.booleans()):
            declared[key] = dialect[key]
    return draw(st.integers(0, 2**16)), n, codes, dialect, declared


@settings(max_examples=50, deadline=5000, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(written_waves())
def test_any_dialect_round_trips(wavefiles, case):
    seed, n, codes, dialect, declared = case
    wave = dataclasses.replace(WAVE, dialect=declared)
    frame = wavefiles.make_frame(wave, n=n, seed=seed)
    frame["code"] = pd.Series(codes, index=frame.index, dtype="str")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "eap_t1.csv"
        path.write_bytes(wavefiles.csv_bytes(frame, **dialect))
        table = read_wave(path, wave, study=EAP)
    pd.testing.assert_frame_equal(table.frame, frame, check_dtype=False)
    assert table.dialect.delimiter == dialect["delimiter"]
    assert table.dialect.bom == dialect["bom"]
    assert table.dialect.encoding == ("windows-1252" if dialect["encoding"] == "cp1252" else "utf-8")
