"""The formatting layer: German and English number style, independent of the locale."""

import locale

import pytest

from ilb_eval.formatting import (
    MISSING,
    format_bounded,
    format_count,
    format_interval,
    format_number,
    format_p,
    format_percent,
    format_plain,
    format_r,
    stars,
)


@pytest.mark.parametrize(
    ("value", "decimals", "lang", "expected"),
    [
        (2467, 0, "de", "2.467"),
        (2467, 0, "en", "2,467"),
        (1234567.891, 2, "de", "1.234.567,89"),
        (0.005, 2, "de", "0,01"),  # round half to even of the binary value 0.005000000000000000104 -> up
        (-0.004, 2, "de", "0,00"),  # rounds to zero: no minus sign on a printed zero
        (-3.14159, 3, "en", "−3.142"),
        (float("nan"), 2, "de", MISSING),
        (None, 2, "en", MISSING),
    ],
)
def test_format_number(value, decimals, lang, expected):
    assert format_number(value, decimals, lang) == expected


def test_bounded_statistics_drop_the_leading_zero():
    # the chapter prints r = ,75** and ,51**
    assert format_r(0.75, p=0.001) == ",75**"
    assert format_r(0.51, p=0.01) == ",51**"  # p <= .01 gives two stars
    assert format_r(0.51, p=0.02, lang="en") == ".51*"
    assert format_bounded(-0.25, 2) == "−,25"
    assert format_bounded(0.931, 3, "en") == ".931"


@pytest.mark.parametrize(
    ("p", "lang", "expected"),
    [(0.004, "de", "p = ,004"), (0.0004, "de", "p < ,001"), (0.5, "en", "p = .500"), (float("nan"), "de", "p = –")],
)
def test_format_p(p, lang, expected):
    assert format_p(p, lang) == expected


def test_stars_thresholds():
    assert [stars(p) for p in (0.01, 0.0100001, 0.05, 0.051)] == ["**", "*", "*", ""]


def test_percent_and_interval():
    assert format_percent(0.88) == "88\u202f%"
    assert format_percent(0.375, 1, "en") == "37.5%"
    assert format_interval(-0.12, 0.3456, 2, "de") == "[−0,12; 0,35]"
    assert format_count(1737, "en") == "1,737"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="lang must be 'de' or 'en'"):
        format_number(1.0, 1, "fr")


def test_process_locale_is_ignored():
    before = locale.setlocale(locale.LC_NUMERIC)
    try:
        try:
            locale.setlocale(locale.LC_NUMERIC, "de_DE.UTF-8")
        except locale.Error:
            locale.setlocale(locale.LC_NUMERIC, "C")
        assert format_number(1234.5, 1, "en") == "1,234.5"
        assert format_number(1234.5, 1, "de") == "1.234,5"
    finally:
        locale.setlocale(locale.LC_NUMERIC, before)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-0.0304, "-0.030"),  # R: sprintf("%.3f", -0.0304)
        (-0.0001, "-0.000"),  # R keeps the sign of a negative number that rounds to zero
        (0.0005, "0.001"),  # binary 0.000500000000000000010 rounds up, as in R
        (6585.1094, "6585.109"),
        (-11305.2524, "-11305.252"),
        (float("nan"), "NA"),
        (None, "NA"),
        (float("inf"), "Inf"),
    ],
)
def test_plain_numbers_are_written_as_r_writes_them(value, expected):
    assert format_plain(value) == expected
