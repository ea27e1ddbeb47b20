"""``SemResults.summary()`` against what lavaan 0.6-14 prints for the same fits.

The references in ``tests/fixtures/lavaan/summary`` hold lavaan's
``summary(fit, fit.measures = TRUE, standardized = TRUE)`` of the R code our
``to_lavaan()`` writes (``make_references.py`` there). Every line we print
must be lavaan's line: the same words at the same columns, each number within
one unit of the last printed digit plus the parity tolerance of issue 13
(1e-4 + 2e-3 |ref|). Lines of lavaan we do not print may only be fit measures
the fit does not hold yet (their :class:`FitLine` keys are missing from
``res.fit``). Deliberate differences: the first line (ilb_eval and its
iterations), the optimiser's name, labels that lavaan abbreviates to four
characters (``.p25.`` -> ``.25.``) and our list of warnings at the end.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest
from sem_refs import our_fit, reference

from ilb_eval.sem.summary import FIT_BLOCKS, Summary

SUMMARIES = Path(__file__).resolve().parents[1] / "fixtures" / "lavaan" / "summary"
NAMES = sorted(p.name.removesuffix(".summary.txt") for p in SUMMARIES.glob("*.summary.txt"))
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_LABEL = re.compile(r"\(([^()]+)\)(?=\s|$)")


def _lines(text: str) -> list[str]:
    """Lines without trailing blanks, without leading/trailing empty lines."""
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _skeleton(line: str) -> str:
    """The line with every number and every label replaced by a marker that keeps its right edge."""
    line = _LABEL.sub(lambda m: " " * (len(m.group(0)) - 3) + "(L)", line)
    return _NUMBER.sub(lambda m: " " * (len(m.group(0)) - 1) + "#", line)


def _numbers(line: str) -> list[float]:
    return [float(m.group(0)) for m in _NUMBER.finditer(_LABEL.sub("", line))]


def _words(line: str) -> str:
    """The text of a line without its numbers."""
    return " ".join(_NUMBER.sub(" ", line).split())


def _ours(name: str) -> list[str]:
    # our optimiser's name has as many letters as lavaan's
    lines = _lines(our_fit(name).summary().as_text().replace("  NEWTON\n", "  NLMINB\n"))
    if "Warnings:" in lines:
        lines = lines[: lines.index("Warnings:")]
        while lines and not lines[-1]:
            lines.pop()
    return lines


def _absent_fit_lines(name: str) -> set[str]:
    """Labels of fit-measure lines whose measures this fit does not hold (yet)."""
    fit = our_fit(name).fit
    absent = set()
    for block in FIT_BLOCKS:
        for line in block.lines:
            if line.keys and not line.shown(fit):
                absent.add(line.label)
            if not line.keys and line.shown_with is not None and line.shown_with not in fit:
                absent.add(line.label)
    return {_words(label) for label in absent}
    return absent


def _variance_at_zero(name: str) -> bool:
    """A free variance at an active lower(0) bound: lavaan's robust indices are then not at the
    estimates (test_sem_lavaan_parity compares them with lavaan's at the estimates)."""
    return any(row["free"] > 0 and row["op"] == "~~" and row["lhs"] == row["rhs"]
               and row["est"] == 0 for row in reference(name)["partable"])  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_every_line_is_lavaans(name: str) -> None:
    theirs = _lines((SUMMARIES / f"{name}.summary.txt").read_text())
    ours = _ours(name)
    assert theirs[0].startswith("lavaan 0.6.14 ended normally after")
    assert re.fullmatch(r"ilb_eval \S+ ended normally after \d+ iterations", ours[0])
    absent = _absent_fit_lines(name)
    j = 1
    robust = False  # inside the robust lines of a fit block
    for i, line in enumerate(ours[1:], start=1):
        robust = (robust or line.strip().startswith("Robust")) and bool(line.strip())
        # skip lavaan's lines of measures we do not have, and the spacers before them
        while j < len(theirs) and _skeleton(theirs[j]) != _skeleton(line):
            label = _words(theirs[j])
            assert label in absent or label == "", f"{name}: lavaan line {j + 1} missing: {theirs[j]!r}"
            j += 1
        assert j < len(theirs), f"{name}: our line {i + 1} is not lavaan's: {line!r}"
        ref_numbers, our_numbers = _numbers(theirs[j]), _numbers(line)
        assert len(ref_numbers) == len(our_numbers), (theirs[j], line)
        if robust and _variance_at_zero(name):
            our_numbers = ref_numbers = []
        for ours_value, ref in zip(our_numbers, ref_numbers, strict=True):
            assert abs(ours_value - ref) <= 1e-3 + 1e-4 + 2e-3 * abs(ref), (name, line, theirs[j])
        for ours_label, ref_label in zip(_LABEL.findall(line), _LABEL.findall(theirs[j]),
                                         strict=True):  # fmt: skip
            # lavaan abbreviates labels to 4 characters; we print them whole
            assert ours_label == ref_label or (len(ref_label) == 4 < len(ours_label)), line
        j += 1
    rest = [t for t in theirs[j:] if t.strip()]
    assert all(_words(t) in absent for t in rest), rest


def test_mlr_summary_says_sandwich_and_shows_the_scaled_test() -> None:
    text = our_fit("sem_pd_eq_mlr").summary().as_text()
    assert "  Standard errors                             Sandwich" in text
    assert "  Information bread                           Observed" in text
    assert "Observed information" not in text.replace("Observed information based on", "")
    ml = our_fit("cfa_hs_syntax_ml").summary().as_text()
    assert "  Standard errors                             Standard" in ml


def test_a_measure_added_to_the_fit_gets_its_line() -> None:
    res = our_fit("cfa_hs_syntax_ml")
    assert "SABIC" not in res.summary().as_text() or "bic2" in res.fit
    extended = dataclasses.replace(res, fit={**res.fit, "bic2": 6600.6428, "cfi_robust": 0.8671})
    text = Summary(extended).as_text()
    assert "  Sample-size adjusted Bayesian (SABIC)       6600.643" in text
    assert "\n\n  Robust Comparative Fit Index (CFI)             0.867" in text.replace(
        " " * 54, ""
    )


def test_standard_errors_that_could_not_be_computed_read_na() -> None:
    res = our_fit("cfa_hs_syntax_ml")
    params = res.partable
    free = params["free"] > 0
    params.loc[free, ["se", "z", "pvalue"]] = np.nan
    broken = dataclasses.replace(res, _params=params)
    text = broken.summary().as_text()
    row = next(line for line in text.splitlines() if line.startswith("    x2 "))
    assert row.split() == ["x2", "(a)", "0.409", "NA", "0.452", "0.363"]
    assert "nan" not in text.lower()


def test_not_converged_says_so_and_prints_no_number_as_estimate() -> None:
    res = our_fit("cfa_hs_syntax_ml")
    params = res.partable
    params.loc[params["free"] > 0, ["est", "se", "z", "pvalue", "std_lv", "std_all"]] = np.nan
    fit = {k: (v if k in ("npar", "df", "ntotal") else float("nan")) for k, v in res.fit.items()}
    failed = dataclasses.replace(res, _params=params, fit=fit, converged=False)
    text = failed.summary().as_text()
    assert "did NOT end normally after" in text
    assert "** WARNING ** Estimates below are most likely unreliable" in text
    row = next(line for line in text.splitlines() if line.startswith("    x2 "))
    assert row.split() == ["x2", "(a)", "NA", "NA", "NA", "NA"]
    assert "  Test statistic                                    NA" in text


def test_html_shows_the_same_pieces() -> None:
    res = our_fit("mg_scalar_mlr")
    summary = res.summary()
    page = summary._repr_html_()
    assert page.startswith("<div") and page.endswith("</div>")
    assert "<script" not in page and "<style" not in page
    assert "Group 2 [Grant-White]" in page and "Model Test User Model" in page
    assert "<td style='text-align:right'>171.253</td>" in page  # chisq, as in the text
    assert str(summary) == summary.as_text() == repr(summary)


def test_group_statistics_sum_to_the_test_statistic() -> None:
    res = our_fit("mg_scalar_mlr")
    summary = res.summary()
    lines = summary.as_text().splitlines()
    start = lines.index("  Test statistic for each group:")
    column = -2 if summary.scaled else -1  # the standard statistic
    values = [float(line.split()[column]) for line in lines[start + 1 : start + 3]]
    assert sum(values) == pytest.approx(res.fit["chisq"], abs=2e-3)
