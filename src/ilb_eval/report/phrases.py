"""Phrases generated from the study definition: waves, time scores, samples, control variables.

Every sentence of the report that names waves, time scores, samples or
model variables builds them here from :class:`~ilb_eval.study.Study`, in
German and English, so that a study with other waves (``t1, t2, t5, t9``,
two or four of them) or without a control group reads correctly.

Examples
--------
>>> from ilb_eval.study import load_study
>>> eap = load_study("EAP")
>>> wave_list(eap, "de"), time_scores(eap, "en")
('t1, t3 und t4', 't1 = 0, t3 = 2, t4 = 3')
>>> number_word(3, "de"), number_word(14, "en")
('drei', '14')
"""

from __future__ import annotations

from collections.abc import Sequence

from ilb_eval.formatting import Lang, format_number
from ilb_eval.study import Study

__all__ = ["INVARIANCE_WORDS", "controls", "joined", "number_word", "samples", "slope_unit", "time_scores", "wave_list",
           "wave_span"]

#: Names of the invariance levels, comparisons and decisions in the report languages (section, appendix, figure).
INVARIANCE_WORDS = {
    "de": {"none": "keine", "configural": "konfigural", "metric": "metrisch", "scalar": "skalar",
           "strict": "strikt", "waves": "Wellen", "groups": "iLB/Kontrolle", "held": "gilt",
           "not held": "gilt nicht", "reference": "Basis", "not tested": "nicht geprüft"},
    "en": {"none": "none", "configural": "configural", "metric": "metric", "scalar": "scalar",
           "strict": "strict", "waves": "waves", "groups": "iLB/control", "held": "holds",
           "not held": "does not hold", "reference": "baseline", "not tested": "not tested"},
}

_NUMBERS = {
    "de": ("null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf",
           "zwölf"),
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
           "twelve"),
}


def joined(items: Sequence[str], lang: Lang) -> str:
    """``a, b und c`` / ``a, b and c`` (one item as it is, none as ``""``).

    >>> joined(["EAP", "ZP"], "de"), joined(["a", "b", "c"], "en"), joined(["x"], "de")
    ('EAP und ZP', 'a, b and c', 'x')
    """
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (" und " if lang == "de" else " and ") + items[-1]


def number_word(n: int, lang: Lang) -> str:
    """A small whole number as a word (up to twelve), larger ones as digits."""
    return _NUMBERS[lang][n] if 0 <= n < len(_NUMBERS[lang]) else str(n)


def wave_list(study: Study, lang: Lang) -> str:
    """The study's waves in order: ``t1, t3 und t4``."""
    return joined(list(study.wave_names), lang)


def wave_span(study: Study, lang: Lang) -> str:
    """From the first to the last wave: ``von t1 bis t4`` / ``from t1 to t4``.

    >>> from ilb_eval.study import load_study
    >>> wave_span(load_study("ZP"), "de")
    'von t1 bis t4'
    """
    first, last = study.wave_names[0], study.wave_names[-1]
    return f"von {first} bis {last}" if lang == "de" else f"from {first} to {last}"


def time_scores(study: Study, lang: Lang) -> str:
    """Each wave with its time score: ``t1 = 0, t3 = 2, t4 = 3`` (numbers in the language's style)."""
    return ", ".join(f"{w.name} = {format_number(w.time_score, 0 if float(w.time_score).is_integer() else 2, lang)}"
                     for w in study.waves)


def slope_unit(study: Study, lang: Lang) -> str:
    """What one step of the slope is: ``pro Welle`` when the study counts time in waves, else ``pro Zeiteinheit``.

    >>> from ilb_eval.study import load_study
    >>> slope_unit(load_study("EAP"), "en")
    'per wave'
    """
    waves = "welle" in study.time_unit.get("de", "").lower() or "wave" in study.time_unit.get("en", "").lower()
    if lang == "de":
        return "pro Welle" if waves else "pro Zeiteinheit"
    return "per wave" if waves else "per time unit"


def samples(names: Sequence[str], lang: Lang) -> str:
    """``der Stichprobe EAP`` / ``der Stichproben EAP und ZP`` (English: ``of the sample(s) ...``).

    >>> samples(["EAP"], "de"), samples(["EAP", "ZP"], "en")
    ('der Stichprobe EAP', 'of the samples EAP and ZP')
    """
    many = len(names) > 1
    if lang == "de":
        return f"der Stichprobe{'n' if many else ''} {joined(list(names), lang)}"
    return f"of the sample{'s' if many else ''} {joined(list(names), lang)}"


def controls(study: Study, lang: Lang) -> str:
    """The control variables of the conditional models by their labels (``keine``/``none`` without any)."""
    names = [c.label[lang] for c in study.covariates]
    return ", ".join(names) if names else ("keine" if lang == "de" else "none")
