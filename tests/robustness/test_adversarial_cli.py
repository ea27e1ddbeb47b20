"""Adversarial inputs and faults through the command line (issue 18, items 3, 4, 5, 7): every attempt of
``adversarial.py`` must end without a traceback, with the expected exit code, one line per problem in
the user's words, no raw control character, no planted personal data and unchanged inputs."""

from __future__ import annotations

import json

import adversarial
import pytest

ATTEMPTS = {attempt.name: attempt for attempt in adversarial.ATTEMPTS}


@pytest.mark.parametrize("name", list(ATTEMPTS))
def test_attempt(tmp_path, name):
    outcome = adversarial.run_attempt(ATTEMPTS[name], tmp_path)
    assert outcome.failures == [], (outcome.failures, outcome.stderr[-2000:], outcome.stdout[-2000:])


def test_every_class_of_issue_18_is_tried():
    categories = {a.category for a in adversarial.ATTEMPTS}
    assert categories == {"file system", "formats", "messages", "personal data", "rows lost"}
    names = " | ".join(ATTEMPTS)
    for wanted in ("cannot be listed", "symbolic link loop", "a folder", "disk full while writing the manifest",
                   "not writable", "read-only", "an existing file", "the data file itself", "Excel workbook",
                   "gzip", "SPSS", "PDF", "German Excel", "NUL byte", "phone number", "e-mail", "names as",
                   "zero-width", "link to nobody"):
        assert wanted in names, wanted


def test_invisible_and_fullwidth_codes_link_the_same_persons(tmp_path):
    outcome = adversarial.run_attempt(ATTEMPTS["person codes with zero-width spaces and fullwidth letters"],
                                      tmp_path)
    summary = json.loads(outcome.stdout)
    study = next(key for key in summary if isinstance(summary[key], dict) and "persons" in summary[key])
    # 24 persons answered t1, t3 and t4: linked despite the invisible and fullwidth characters
    assert summary[study]["persons"] == adversarial.catalogue.N
    assert summary[study]["records_per_wave"] == {"t1": 24, "t3": 24, "t4": 24}


def test_a_phone_number_in_a_numeric_field_is_described_not_quoted(tmp_path):
    outcome = adversarial.run_attempt(ATTEMPTS["a phone number typed into a numeric field"], tmp_path)
    line = adversarial.first_line(outcome, "OUT_OF_RANGE")
    assert "column 'age', row 5 (1 in all)" in line and "found a 11-digit number (1 row)" in line


def test_control_characters_are_shown_escaped(tmp_path):
    outcome = adversarial.run_attempt(ATTEMPTS["a NUL byte and an escape sequence in a column name"], tmp_path)
    assert "fk_1\\x00\\x1b[2J" in outcome.stdout


def test_docs_list_every_attempt():
    docs = (adversarial.Path(__file__).resolve().parents[2] / "docs" / "BAD_INPUT.md").read_text(encoding="utf-8")
    missing = [a.name for a in adversarial.ATTEMPTS if f"| {a.category} | {a.name} |" not in docs]
    assert missing == [], "regenerate the table: python tests/robustness/adversarial.py"
