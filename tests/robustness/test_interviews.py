"""The coded interview table (issue 18, item 5): an interviews.csv saved by German Excel
(Windows-1252, semicolons) passed validate but crashed the report; it is now read by the wave
readers, and every bad table is an InputError that validate reports before any analysis."""

from __future__ import annotations

import pandas as pd
import pytest

from ilb_eval.analysis.ilb_feedback import interview_categories
from ilb_eval.exceptions import InputError
from ilb_eval.io.interviews import interview_problems, read_interviews
from ilb_eval.resources import example_dir


@pytest.fixture
def shipped():
    return pd.read_csv(example_dir() / "interviews.csv", encoding="utf-8")


@pytest.mark.parametrize("encoding, sep, lineterminator", [("cp1252", ";", "\r\n"), ("utf-8-sig", ";", "\r\n"),
                                                           ("utf-8", "\t", "\n"), ("cp1252", ",", "\r\n")])
def test_any_excel_export_reads_as_the_shipped_table(tmp_path, shipped, encoding, sep, lineterminator):
    assert shipped["category"].str.contains("ä").any()  # umlauts: the bytes differ between the encodings
    (tmp_path / "interviews.csv").write_bytes(
        shipped.to_csv(sep=sep, index=False, lineterminator=lineterminator).encode(encoding))
    pd.testing.assert_frame_equal(interview_categories(tmp_path), interview_categories(example_dir()))
    assert [p.code for p in interview_problems(tmp_path) if p.severity != "note"] == []


def test_bad_tables_are_input_errors_naming_column_and_rows(tmp_path, shipped):
    path = tmp_path / "interviews.csv"
    shipped.drop(columns="mentions").to_csv(path, index=False)
    with pytest.raises(InputError) as caught:
        read_interviews(path)
    assert [(p.code, p.column) for p in caught.value.problems] == [("MISSING_COLUMN", "mentions")]
    bad = shipped.astype({"mentions": object})
    bad.loc[[1, 4], "mentions"] = ["viele", -2]
    bad.to_csv(path, index=False)
    (problem,) = interview_problems(tmp_path)
    assert (problem.code, problem.column, problem.rows) == ("WRONG_TYPE", "mentions", (3, 6))
    assert "viele" not in problem.one_line()
    path.write_bytes(b"PK\x03\x04" + bytes(30))
    assert [p.code for p in interview_problems(tmp_path)] == ["WRONG_FORMAT"]


def test_no_table_is_no_problem(tmp_path):
    assert interview_problems(tmp_path) == [] and interview_categories(tmp_path).empty
