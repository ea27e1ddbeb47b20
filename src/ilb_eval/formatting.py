"""The one formatting layer for numbers in tables, figures and texts.

German style by default (decimal comma, thousands dot, no leading zero for
statistics bounded by 1: ``r = ,75**``, ``p = ,004``), English with
``lang="en"``. Never depends on the process locale. Computations never round;
only this module turns numbers into text.

>>> format_number(1234.5678, 2)
'1.234,57'
>>> format_number(1234.5678, 2, lang="en")
'1,234.57'
>>> format_p(0.0041)
'p = ,004'
>>> format_p(0.00001, lang="en")
'p < .001'
>>> format_r(0.7512, p=0.003)
',75**'
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Literal

__all__ = [
    "MISSING",
    "SUPPRESSED",
    "Lang",
    "format_bounded",
    "format_count",
    "format_date",
    "format_interval",
    "format_number",
    "format_p",
    "format_percent",
    "format_plain",
    "format_r",
    "stars",
]

Lang = Literal["de", "en"]

#: Shown where a value is not available (not estimable, no data).
MISSING = "–"
#: Shown where a value is suppressed because it rests on too few persons.
SUPPRESSED: dict[str, str] = {"de": "•", "en": "•"}

_SEPARATORS: dict[str, tuple[str, str]] = {"de": (",", "."), "en": (".", ",")}


def _is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _check_lang(lang: str) -> tuple[str, str]:
    try:
        return _SEPARATORS[lang]
    except KeyError:
        raise ValueError(f"lang must be 'de' or 'en', got {lang!r}") from None


def format_number(value: float | None, decimals: int = 2, lang: Lang = "de", *, sign: bool = False) -> str:
    """A number with ``decimals`` places, thousands grouped, in the language's style.

    >>> format_number(-0.5, 1)
    '−0,5'
    >>> format_number(float("nan"))
    '–'
    >>> format_number(0.09, 2, sign=True)
    '+0,09'
    """
    decimal_mark, thousands = _check_lang(lang)
    if _is_missing(value):
        return MISSING
    assert value is not None
    text = f"{abs(value):,.{decimals}f}"
    rounded_zero = float(text.replace(",", "")) == 0.0
    text = text.replace(",", "\0").replace(".", decimal_mark).replace("\0", thousands)
    if value < 0 and not rounded_zero:
        return "−" + text  # typographic minus
    return ("+" + text) if sign and not rounded_zero else text


def format_count(value: int | float | None, lang: Lang = "de") -> str:
    """A count with thousands grouping: ``2.467`` (de), ``2,467`` (en).

    >>> format_count(2467)
    '2.467'
    """
    return format_number(value, 0, lang)


def format_bounded(value: float | None, decimals: int = 2, lang: Lang = "de") -> str:
    """A statistic bounded by 1 (r, p, β, CFI) without the leading zero.

    >>> format_bounded(0.512)
    ',51'
    >>> format_bounded(-0.0312, 3, lang="en")
    '−.031'
    >>> format_bounded(1.0)
    '1,00'
    """
    text = format_number(value, decimals, lang)
    if text.startswith("0") and len(text) > 1:
        return text[1:]
    if text.startswith("−0"):
        return "−" + text[2:]
    return text


def format_p(p: float | None, lang: Lang = "de", *, decimals: int = 3, prefix: bool = True) -> str:
    """A p-value in APA style: ``p = ,004``, ``p < ,001``.

    >>> format_p(0.0312, prefix=False)
    ',031'
    """
    if _is_missing(p):
        return ("p = " if prefix else "") + MISSING
    assert p is not None
    threshold = 10.0**-decimals
    if p < threshold:
        body = "< " + format_bounded(threshold, decimals, lang)
        return ("p " if prefix else "") + body
    body = format_bounded(p, decimals, lang)
    return ("p = " if prefix else "") + body


def stars(p: float | None) -> str:
    """Significance stars as in the study chapter: ``**`` for p ≤ .01, ``*`` for p ≤ .05.

    >>> stars(0.004), stars(0.03), stars(0.2)
    ('**', '*', '')
    """
    if _is_missing(p):
        return ""
    assert p is not None
    return "**" if p <= 0.01 else "*" if p <= 0.05 else ""


def format_r(r: float | None, p: float | None = None, lang: Lang = "de", decimals: int = 2) -> str:
    """A correlation without leading zero, with stars when ``p`` is given."""
    return format_bounded(r, decimals, lang) + (stars(p) if not _is_missing(r) else "")


def format_percent(share: float | None, decimals: int = 0, lang: Lang = "de") -> str:
    """A share (0..1) as a percentage: ``72 %`` (de, with a thin space), ``72%`` (en).

    >>> format_percent(0.7234)
    '72\u202f%'
    >>> format_percent(0.7234, 1, lang="en")
    '72.3%'
    """
    if _is_missing(share):
        return MISSING
    assert share is not None
    number = format_number(share * 100.0, decimals, lang)
    return number + ("\u202f%" if lang == "de" else "%")


def format_interval(lower: float | None, upper: float | None, decimals: int = 2, lang: Lang = "de",
                    *, bounded: bool = False) -> str:
    """A confidence interval: ``[0,12; 0,34]`` (de uses ';' because ',' is the decimal mark).

    >>> format_interval(0.123, 0.346, lang="en")
    '[0.12, 0.35]'
    >>> format_interval(0.61, 0.82, bounded=True)
    '[,61; ,82]'
    """
    fmt = format_bounded if bounded else format_number
    sep = "; " if lang == "de" else ", "
    return f"[{fmt(lower, decimals, lang)}{sep}{fmt(upper, decimals, lang)}]"


def format_plain(value: float | None, decimals: int = 3) -> str:
    """A number as R's ``sprintf("%.3f")`` writes it, for console output that reads like lavaan's.

    ASCII minus, ``.`` as decimal mark, no grouping, ``NA`` where the value is
    missing, ``Inf``/``-Inf`` for infinities (R's spelling); a negative value
    that rounds to zero keeps its sign, as in R (``-0.000``).

    >>> format_plain(-0.0304), format_plain(6585.1094), format_plain(float("nan"))
    ('-0.030', '6585.109', 'NA')
    >>> format_plain(-0.0001), format_plain(float("-inf")), format_plain(2.5, 1)
    ('-0.000', '-Inf', '2.5')
    """
    if _is_missing(value):
        return "NA"
    assert value is not None
    number = float(value)
    if math.isinf(number):
        return "Inf" if number > 0 else "-Inf"
    return f"{number:.{decimals}f}"


_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


def format_date(value: _dt.date, lang: Lang = "de") -> str:
    """A calendar date: ``21.11.2026`` (de), ``21 November 2026`` (en).

    >>> import datetime
    >>> format_date(datetime.date(2026, 3, 5)), format_date(datetime.date(2026, 3, 5), "en")
    ('05.03.2026', '5 March 2026')
    """
    _check_lang(lang)
    if lang == "de":
        return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"
    return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year:04d}"
