"""Plain-language readings: numbers through the formatting layer, neutral wording when n.s."""

import pytest

from ilb_eval.privacy import CellRule
from ilb_eval.report.text import (
    Effect,
    describe_correlation,
    describe_growth_effect,
    describe_trend,
)

LOWER_START = Effect(-0.2134, 0.06, 0.0009)
FASTER = Effect(0.0912, 0.031, 0.0041)
NS_I = Effect(0.03, 0.05, 0.41)
NS_S = Effect(0.01, 0.02, 0.62)


def test_the_chapter_sentence():
    text = describe_growth_effect("Belastbarkeit", intercept=LOWER_START, slope=FASTER)
    assert text == ("iLB-Teilnehmende starten bei Belastbarkeit niedriger (Unterschied im "
                    "Ausgangsniveau −0,21, p < ,001) und entwickeln sich schneller: Unterschied "
                    "in der Steigung 0,09 pro Welle, p = ,004.")


def test_english_both_significant():
    text = describe_growth_effect("Resilience", intercept=LOWER_START, slope=FASTER, lang="en")
    assert text.startswith("iLB participants start lower in Resilience than the control group")
    assert "difference in slope 0.09 per wave, p = .004." in text


def test_slope_only_and_slower():
    text = describe_growth_effect("Selbstständigkeit", intercept=NS_I, slope=Effect(-0.05, 0.01, 0.002))
    assert text == ("iLB-Teilnehmende entwickeln sich bei Selbstständigkeit langsamer als die "
                    "Kontrollgruppe: Unterschied in der Steigung −0,05 pro Welle, p = ,002.")


@pytest.mark.parametrize("lang", ["de", "en"])
def test_neutral_wording_when_not_significant(lang):
    text = describe_growth_effect("X", intercept=NS_I, slope=NS_S, lang=lang)
    expected = "weder im Ausgangsniveau" if lang == "de" else "do not differ significantly"
    assert expected in text
    for claim in ("schneller", "niedriger", "höher", "faster", "lower", "higher", "kein Effekt", "no effect"):
        assert claim not in text


def test_holm_adjusted_p_decides():
    adjusted = Effect.from_row({"est": 0.09, "se": 0.03, "pvalue": 0.004, "p_holm": 0.08},
                               p_column="p_holm")
    assert describe_growth_effect("X", slope=adjusted) == (
        "Bei X unterscheiden sich iLB-Teilnehmende und die Kontrollgruppe in der Entwicklung "
        "(p = ,080) nicht statistisch signifikant.")


def test_small_groups_are_not_described():
    text = describe_growth_effect("X", slope=Effect(0.09, 0.03, 0.004, n=7))
    assert "weniger als 10 Personen" in text and "0,09" not in text
    assert "0,09" in describe_growth_effect("X", slope=Effect(0.09, 0.03, 0.004, n=7), rule=CellRule(5))


def test_trend_sentences():
    assert describe_trend("Fachkompetenz", Effect(0.15, 0.03, 0.0001)) == (
        "Fachkompetenz nimmt im Mittel zu: 0,15 pro Welle, p < ,001.")
    assert "no statistically significant" in describe_trend("Self-efficacy", NS_S, lang="en")


def test_correlation_sentences():
    assert describe_correlation("Die Unterstützung durch die Führungskraft", "der Entlastung",
                                0.50, 0.001, 120) == (
        "Die Unterstützung durch die Führungskraft hängt hoch mit der Entlastung zusammen "
        "(r = ,50**, n = 120).")
    negative = describe_correlation("A", "B", -0.35, 0.02, 1200, lang="en")
    assert negative == "A is negatively correlated with B, medium (r = −.35*, n = 1,200)."
    assert "weniger als 10" in describe_correlation("A", "B", 0.9, 0.001, 9)
