"""Fuzzing: random and mutated bytes into read_wave; only InputError may escape."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilb_eval.exceptions import InputError
from ilb_eval.io import WaveTable, read_wave
from ilb_eval.study import load_study

EAP = load_study("EAP")
ZP = load_study("ZP")
DECLARED = EAP.wave("t1")
UNDECLARED = dataclasses.replace(DECLARED, dialect={})
FUZZ = settings(max_examples=60, deadline=5000, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def read_or_input_error(data: bytes, wave, name: str = "eap_t1.csv", study=EAP) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            table = read_wave(path, wave, study=study)
        except InputError as error:
            assert error.problems and all(p.code and p.message for p in error.problems)
        else:
            assert isinstance(table, WaveTable)
        assert path.read_bytes() == data


@FUZZ
@given(data=st.binary(max_size=600), declared=st.booleans())
def test_random_bytes(data, declared):
    read_or_input_error(data, DECLARED if declared else UNDECLARED)


_mutation = st.tuples(
    st.sampled_from(["replace", "insert", "delete", "truncate"]),
    st.floats(0, 1, allow_nan=False),
    st.sampled_from([b'"', b";", b",", b"\t", b"\r", b"\n", b"\x00", b"\xe4", b"\xef\xbb\xbf", b"-99", b"x", b""]),
)


def mutate(data: bytes, mutations) -> bytes:
    for kind, where, chunk in mutations:
        at = int(where * len(data))
        if kind == "replace":
            data = data[:at] + chunk + data[at + len(chunk):]
        elif kind == "insert":
            data = data[:at] + chunk + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + 1 + len(chunk):]
        else:
            data = data[:at]
    return data


@FUZZ
@given(mutations=st.lists(_mutation, min_size=1, max_size=6), declared=st.booleans(), seed=st.integers(0, 50))
def test_mutated_valid_csv(wavefiles, mutations, declared, seed):
    frame = wavefiles.make_frame(DECLARED, n=5, seed=seed)
    valid = wavefiles.csv_bytes(frame, delimiter=";", decimal=",", encoding="cp1252")
    read_or_input_error(mutate(valid, mutations), DECLARED if declared else UNDECLARED)


@pytest.mark.parametrize("suffix", [".sav", ".xlsx"])
def test_truncated_binary_exports(tmp_path, wavefiles, suffix):
    wave = dataclasses.replace(ZP.wave("t1"), file="zp_t1" + suffix)
    frame = wavefiles.make_frame(wave, n=6, seed=1)
    valid = wavefiles.write_wave(frame, tmp_path / wave.file, wave).read_bytes()
    for cut in sorted({0, 100, len(valid) // 2, len(valid) - 10}):
        read_or_input_error(valid[:cut], wave, name=wave.file, study=ZP)


def test_a_crash_of_the_sav_reader_is_a_problem_not_a_crash(tmp_path, wavefiles, monkeypatch):
    """readstat segfaults on some damaged files (found by fuzzing); the worker process isolates it."""
    from ilb_eval.io import sav_reader

    crashing = tmp_path / "crash.py"
    crashing.write_text("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n")
    monkeypatch.setattr(sav_reader, "_WORKER", crashing)
    wave = ZP.wave("t1")
    path = wavefiles.write_wave(wavefiles.make_frame(wave, n=3), tmp_path / "zp_t1.sav", wave)
    with pytest.raises(InputError) as caught:
        read_wave(path, wave, study=ZP)
    (problem,) = caught.value.problems
    assert problem.code == "UNREADABLE_FILE" and "crashed" in problem.message


@settings(max_examples=30, deadline=5000, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.lists(st.tuples(st.floats(0, 1, allow_nan=False), st.integers(0, 255)), min_size=1, max_size=6))
def test_mutated_xlsx(wavefiles, changes):
    wave = dataclasses.replace(ZP.wave("t1"), file="zp_t1.xlsx")
    with tempfile.TemporaryDirectory() as folder:
        valid = bytearray(wavefiles.write_xlsx(wavefiles.make_frame(wave, n=4), Path(folder) / wave.file).read_bytes())
    for where, byte in changes:
        valid[int(where * (len(valid) - 1))] = byte
    read_or_input_error(bytes(valid), wave, name=wave.file, study=ZP)
