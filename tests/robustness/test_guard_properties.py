"""Hypothesis: the message and person-code rules of issue 18 hold for any text, not only the examples.

* ``printable``: no control, format or separator character survives, and it is idempotent;
* ``Problem.one_line`` with any file or column name is one printable line;
* the io column check with any header: every message printable;
* ``normalise_person_code``: idempotent, no whitespace or format character left, and the
  invisible/compatibility variants of a code give the same key;
* ``personal_data_kind`` never fails, and self-generated codes are never taken for personal data;
* ``os_error_line``: one line for every errno.
"""

from __future__ import annotations

import errno
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from ilb_eval.exceptions import Problem, printable
from ilb_eval.files import os_error_line
from ilb_eval.io.privacy import normalise_person_code, personal_data_kind, unusual_code
from ilb_eval.io.table import RawTable
from ilb_eval.io.validation import check_columns
from ilb_eval.study import load_study

INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
SCHEMA = load_study("EAP").wave("t1").table_schema
FAST = settings(max_examples=150, deadline=None, derandomize=True)


def visible(text: str) -> bool:
    return all(unicodedata.category(c) not in INVISIBLE and (c == " " or unicodedata.category(c) != "Zs")
               for c in text)


@FAST
@given(st.text())
def test_printable_leaves_nothing_invisible_and_is_idempotent(text):
    shown = printable(text)
    assert visible(shown)
    assert printable(shown) == shown
    if visible(text):
        assert shown == text  # visible text is never changed


@FAST
@given(st.text(min_size=1), st.text(min_size=1), st.text())
def test_one_line_is_one_printable_line(file, column, message):
    line = Problem(code="X", message=message, file=file, column=column, rows=(2, 3), fix="do it").one_line()
    assert "\n" not in line and "\r" not in line and visible(line)


@FAST
@given(st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=8))
def test_any_header_gives_printable_messages(names):
    raw = RawTable(file="eap_t1.csv", sha256="", header=["code", *names])
    for problem in check_columns(raw, SCHEMA, person_id="code"):
        assert visible(problem.one_line())


codes = st.from_regex(r"[A-Z]{2}[0-9]{2}[A-Z]{2}", fullmatch=True)


@FAST
@given(st.text())
def test_normalised_codes_are_stable_keys(text):
    key = normalise_person_code(text)
    assert normalise_person_code(key) == key
    assert not any(c.isspace() or unicodedata.category(c) == "Cf" for c in key)
    personal_data_kind(text)  # never raises
    unusual_code(key)


@FAST
@given(codes, st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", " ", "\u00a0"]),
       st.integers(0, 6))
def test_invisible_and_fullwidth_variants_give_the_same_key(code, invisible, at):
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in code)
    variants = [code, code.lower(), code[:at] + invisible + code[at:], fullwidth, f"  {code}\t"]
    assert {normalise_person_code(v) for v in variants} == {code.lower()}
    assert unusual_code(code.lower()) is None


@FAST
@given(codes)
def test_self_generated_codes_are_not_personal_data(code):
    assert personal_data_kind(code) is None and personal_data_kind(code.lower()) is None


def test_every_errno_gives_one_line():
    for number in sorted(errno.errorcode):
        line = os_error_line(OSError(number, "message", "/data/some\nfile\x00.csv"))
        assert line.startswith("[FILE_SYSTEM] ") and line.endswith(".") and "\n" not in line and visible(line)
