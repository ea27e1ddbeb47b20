"""Data-check notes in the report: German texts keyed by problem code, English fallback."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

import ilb_eval
from ilb_eval.formatting import format_count
from ilb_eval.io.codes import SEVERITY
from ilb_eval.report.build import build_report
from ilb_eval.report.document import Bullets, Heading, Paragraph
from ilb_eval.report.problems import PROBLEM_TEXTS_DE, problem_text

pytestmark = pytest.mark.filterwarnings("ignore::ilb_eval.exceptions.IlbEvalWarning")

SRC = Path(ilb_eval.__file__).parent


def _emitted_codes() -> set[str]:
    """Every problem code of the io layer (make_problem refuses codes outside SEVERITY) and of prep.

    prep builds problems as ``Problem(code="X", ...)`` or from ``(mask, "X", text)`` tuples
    (linkage); both patterns are read from the source.
    """
    codes = set(SEVERITY)
    for path in sorted((SRC / "prep").glob("*.py")) + sorted((SRC / "io").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r'\bcode="([A-Z][A-Z0-9_]+)"', text))
        codes |= set(re.findall(r'Problem\(\s*"([A-Z][A-Z0-9_]+)"', text))
        codes |= set(re.findall(r'\(\w+,\s*"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)",\s*"', text))
    return codes


def test_every_code_the_io_and_prep_layers_emit_has_a_german_text():
    codes = _emitted_codes()
    # the search finds the codes that reach the report today (prep) and the io catalogue
    assert {"ILB_USE_UNKNOWN", "CONFLICTING_VALUES", "MISSING_CODE", "DUPLICATE_CODE", "UNLINKED_WAVE",
            "EMPTY_SCALE", "TOLERANCE_CAPPED", "UNEXPECTED_COLUMN", "OUT_OF_RANGE"} <= codes
    missing = sorted(codes - set(PROBLEM_TEXTS_DE))
    assert missing == []
    assert all(text and text == text.strip() for text in PROBLEM_TEXTS_DE.values())


def _data_notes(content) -> tuple[list[str], list[str]]:
    """The bullets under the data-check heading, and the note paragraphs after them."""
    for s in content.report.sections:
        blocks = s.blocks
        for k, block in enumerate(blocks):
            if isinstance(block, Heading) and block.text in ("Hinweise der Datenprüfung", "Notes from the data checks"):
                bullets = blocks[k + 1]
                assert isinstance(bullets, Bullets)
                notes = [b.text for b in blocks[k + 2:] if isinstance(b, Paragraph)]
                return list(bullets.items), notes
    return [], []


def test_german_report_prints_the_german_text_with_column_and_rows_per_file(run):
    records = [p for p in run.results.studies["EAP"].problem_records if p["code"] == "ILB_USE_UNKNOWN"]
    assert records, "the example study has persons without an answer on iLB use"
    bullets, notes = _data_notes(build_report(run.results, lang="de"))
    (line,) = [b for b in bullets if "ILB_USE_UNKNOWN" in b]
    assert line.startswith(f"EAP: ILB_USE_UNKNOWN: {PROBLEM_TEXTS_DE['ILB_USE_UNKNOWN']} "
                           f"(Spalte „{records[0]['column']}“)")
    files = ", ".join(p["file"] for p in records)
    assert line.endswith(f"({files}; betroffene Zeilen: {format_count(sum(p['rows'] for p in records), 'de')})")
    assert "never answered" not in " ".join(bullets)
    assert not any("englisch" in n for n in notes)


def test_english_report_keeps_the_english_messages(run):
    bullets, _ = _data_notes(build_report(run.results, lang="en"))
    records = [p for p in run.results.studies["EAP"].problem_records if p["code"] == "ILB_USE_UNKNOWN"]
    (line,) = [b for b in bullets if "ILB_USE_UNKNOWN" in b]
    assert line == f"EAP: ILB_USE_UNKNOWN: {records[0]['message']} ({', '.join(p['file'] for p in records)})"


def test_unknown_code_falls_back_to_english_and_says_so(run):
    eap = run.results.studies["EAP"]
    record = {"code": "BRAND_NEW", "message": "a new kind of problem", "file": "eap_t3.csv", "column": None,
              "rows": 0, "severity": "warning"}
    changed = dataclasses.replace(eap, problem_records=(*eap.problem_records, record))
    results = dataclasses.replace(run.results, studies={**run.results.studies, "EAP": changed})
    bullets, notes = _data_notes(build_report(results, lang="de"))
    assert "EAP: BRAND_NEW: a new kind of problem (eap_t3.csv)" in bullets
    assert any("ohne deutsche Fassung" in n for n in notes)
    assert problem_text("BRAND_NEW", "a new kind of problem", "de") == ("a new kind of problem", False)


def test_small_row_counts_are_suppressed(run):
    eap = run.results.studies["EAP"]
    record = {"code": "MISSING_CODE", "message": "has no person identifier", "file": "eap_t3.csv",
              "column": "code", "rows": 3, "severity": "warning"}
    changed = dataclasses.replace(eap, problem_records=(record,))
    results = dataclasses.replace(run.results, studies={**run.results.studies, "EAP": changed})
    bullets, _ = _data_notes(build_report(results, lang="de"))
    assert f"EAP: MISSING_CODE: {PROBLEM_TEXTS_DE['MISSING_CODE']} (Spalte „code“) (eap_t3.csv; betroffene Zeilen: •)" in bullets
