"""Fuzzing in the suite (short): mutated and random bytes into the loaders and validators, mutated
study definitions and table schemas into ``load_study``. Only the package's own errors
(:class:`~ilb_eval.exceptions.IlbEvalError`) may escape, every input answers within
``fuzz_harness.TIME_LIMIT`` seconds, and no input file is changed. The long run:
``python benchmarks/fuzz_loaders.py --minutes N``. (tests/io/test_fuzz.py fuzzes ``read_wave``
alone on .csv/.sav/.xlsx bytes.)
"""

from __future__ import annotations

import random

import fuzz_harness
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SHORT = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    return fuzz_harness.Fixture.create(tmp_path_factory.mktemp("fuzz"))


@pytest.mark.parametrize("target", fuzz_harness.TARGETS)
@SHORT
@given(seed=st.integers(0, 2**63 - 1))
def test_only_own_errors_escape_and_nothing_hangs(fixture, target, seed):
    outcome = fixture.run(target, random.Random(seed))
    assert outcome == "ok" or outcome.endswith("Error")


def test_mutators_really_mutate():
    rng = random.Random(1)
    data = b"code;fk_1\r\nA;1\r\n"
    assert any(fuzz_harness.mutate_bytes(data, rng) != data for _ in range(5))
    document = {"a": [1, 2], "b": {"c": "x"}}
    assert any(fuzz_harness.mutate_json(document, rng) != document for _ in range(5))
    assert document == {"a": [1, 2], "b": {"c": "x"}}


def test_a_hang_is_caught():
    import time

    with pytest.raises(fuzz_harness.Hang):
        with fuzz_harness.time_limit(0.2):
            time.sleep(2)
