"""Short plain-language readings of results, German and English.

All numbers go through :mod:`ilb_eval.formatting`. The wording is neutral
when a difference is not significant ("no statistically significant
difference"), never "no effect". Significance is ``p ≤ alpha``; pass
Holm-adjusted p-values where several dimensions are tested.

Examples
--------
>>> slope = Effect(estimate=0.0912, se=0.031, pvalue=0.0041)
>>> intercept = Effect(estimate=-0.21, se=0.06, pvalue=0.0005)
>>> describe_growth_effect("Belastbarkeit", intercept=intercept, slope=slope)
'iLB-Teilnehmende starten bei Belastbarkeit niedriger (Unterschied im Ausgangsniveau −0,21, p < ,001) und entwickeln sich schneller: Unterschied in der Steigung 0,09 pro Welle, p = ,004.'
>>> describe_growth_effect("Resilience", slope=slope, lang="en")
'iLB participants develop faster in Resilience than the control group: difference in slope 0.09 per wave, p = .004.'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ilb_eval.formatting import Lang, format_count, format_number, format_p, format_r
from ilb_eval.privacy import CellRule
from ilb_eval.stats.correlation import correlation_band

__all__ = ["Effect", "describe_correlation", "describe_growth_effect", "describe_trend"]


@dataclass(frozen=True)
class Effect:
    """One estimated effect: estimate, standard error, p-value and the persons behind it.

    Build it from a parameter-table row with :meth:`from_row`.
    """

    estimate: float
    se: float
    pvalue: float
    n: int | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, float], *, n: int | None = None,
                 p_column: str = "pvalue") -> Effect:
        """From a mapping with ``est`` (or ``estimate``), ``se`` and ``pvalue``
        (or another p column, e.g. a Holm-adjusted ``p_holm``).

        >>> Effect.from_row({"est": 0.09, "se": 0.03, "pvalue": 0.004}).estimate
        0.09
        """
        estimate = row["est"] if "est" in row else row["estimate"]
        return cls(float(estimate), float(row["se"]), float(row[p_column]), n)


_DE_UNIT = "pro Welle"
_EN_UNIT = "per wave"


def _significant(effect: Effect | None, alpha: float) -> bool:
    return effect is not None and effect.pvalue == effect.pvalue and effect.pvalue <= alpha


def _suppressed(effects: tuple[Effect | None, ...], rule: CellRule) -> bool:
    return any(e is not None and e.n is not None and not rule.allows(e.n) for e in effects)


def describe_growth_effect(
    label: str,
    *,
    intercept: Effect | None = None,
    slope: Effect | None = None,
    lang: Lang = "de",
    group: str | None = None,
    reference: str | None = None,
    time_unit: str | None = None,
    alpha: float = 0.05,
    decimals: int = 2,
    rule: CellRule | None = None,
) -> str:
    """One sentence on how a group differs from the reference in start and development.

    Parameters
    ----------
    label:
        The dimension, e.g. "Belastbarkeit".
    intercept, slope:
        The group's effect on the intercept (``i ~ ilb``) and on the slope
        (``s ~ ilb``); either may be omitted.
    group, reference:
        Who is compared: default "iLB-Teilnehmende" / "der Kontrollgruppe"
        ("iLB participants" / "the control group").
    time_unit:
        Unit of the slope, default "pro Welle" / "per wave" (one step of the
        time score).
    alpha:
        Significance level (use Holm-adjusted p-values for several dimensions).
    decimals:
        Decimals of the printed estimates.
    rule:
        Minimum cell size rule: an effect whose ``n`` is below it is not
        described.

    Examples
    --------
    >>> describe_growth_effect("Fachkompetenz", intercept=Effect(0.05, 0.06, 0.41),
    ...                        slope=Effect(0.01, 0.02, 0.62))
    'Bei Fachkompetenz unterscheiden sich iLB-Teilnehmende und die Kontrollgruppe weder im Ausgangsniveau (p = ,410) noch in der Entwicklung (p = ,620) statistisch signifikant.'
    >>> describe_growth_effect("Selbstständigkeit", intercept=Effect(-0.2, 0.05, 0.001),
    ...                        slope=Effect(0.02, 0.02, 0.3))
    'iLB-Teilnehmende starten bei Selbstständigkeit niedriger als die Kontrollgruppe (Unterschied im Ausgangsniveau −0,20, p = ,001); in der Entwicklung unterscheiden sie sich nicht statistisch signifikant (p = ,300).'
    >>> describe_growth_effect("Autonomy", intercept=Effect(-0.2, 0.05, 0.001),
    ...                        slope=Effect(0.02, 0.02, 0.3), lang="en")
    'iLB participants start lower in Autonomy than the control group (difference in intercept −0.20, p = .001); their development does not differ significantly (p = .300).'
    """
    rule = rule or CellRule()
    de = lang == "de"
    group = group or ("iLB-Teilnehmende" if de else "iLB participants")
    reference = reference or ("die Kontrollgruppe" if de else "the control group")
    unit = time_unit or (_DE_UNIT if de else _EN_UNIT)
    if _suppressed((intercept, slope), rule):
        k = format_count(rule.min_cell_size, lang)
        return (f"{label}: nicht berichtet, da die Angaben auf weniger als {k} Personen beruhen."
                if de else f"{label}: not reported because it rests on fewer than {k} persons.")
    i_sig, s_sig = _significant(intercept, alpha), _significant(slope, alpha)

    def num(effect: Effect) -> str:
        return format_number(effect.estimate, decimals, lang)

    def p(effect: Effect) -> str:
        return format_p(effect.pvalue, lang)

    start = ""
    if i_sig:
        assert intercept is not None
        lower = intercept.estimate < 0
        if de:
            compare = "" if s_sig else f" als {reference}"
            start = (f"starten bei {label} {'niedriger' if lower else 'höher'}{compare} "
                     f"(Unterschied im Ausgangsniveau {num(intercept)}, {p(intercept)})")
        else:
            start = (f"start {'lower' if lower else 'higher'} in {label} than {reference} "
                     f"(difference in intercept {num(intercept)}, {p(intercept)})")
    develop = ""
    if s_sig:
        assert slope is not None
        faster = slope.estimate > 0
        if de:
            develop = (f"entwickeln sich {'schneller' if faster else 'langsamer'}: Unterschied in "
                       f"der Steigung {num(slope)} {unit}, {p(slope)}")
        else:
            develop = (f"develop {'faster' if faster else 'more slowly'}: difference in slope "
                       f"{num(slope)} {unit}, {p(slope)}")

    if i_sig and s_sig:
        return f"{group} {start} und {develop}." if de else f"{group} {start} and {develop}."
    if s_sig:
        assert slope is not None
        if de:
            return (f"{group} entwickeln sich bei {label} "
                    f"{'schneller' if slope.estimate > 0 else 'langsamer'} als {reference}: "
                    f"Unterschied in der Steigung {num(slope)} {unit}, {p(slope)}.")
        return (f"{group} develop {'faster' if slope.estimate > 0 else 'more slowly'} in {label} "
                f"than {reference}: difference in slope {num(slope)} {unit}, {p(slope)}.")
    if i_sig:
        if slope is None:
            return f"{group} {start}."
        if de:
            return (f"{group} {start}; in der Entwicklung unterscheiden sie sich "
                    f"nicht statistisch signifikant ({p(slope)}).")
        return (f"{group} {start}; their development does not differ significantly "
                f"({p(slope)}).")
    parts_de, parts_en = [], []
    if intercept is not None:
        parts_de.append(f"im Ausgangsniveau ({p(intercept)})")
        parts_en.append(f"in their starting level ({p(intercept)})")
    if slope is not None:
        parts_de.append(f"in der Entwicklung ({p(slope)})")
        parts_en.append(f"in their development ({p(slope)})")
    if de:
        joined = (f"weder {parts_de[0]} noch {parts_de[1]}" if len(parts_de) == 2
                  else f"{parts_de[0]} nicht" if parts_de else "nicht")
        return (f"Bei {label} unterscheiden sich {group} und {reference} {joined} "
                f"statistisch signifikant.")
    joined = (f"either {parts_en[0]} or {parts_en[1]}" if len(parts_en) == 2
              else parts_en[0] if parts_en else "")
    return (f"In {label}, {group} and {reference} do not differ significantly {joined}".rstrip()
            + ".")


def describe_trend(label: str, slope: Effect, *, lang: Lang = "de", time_unit: str | None = None,
                   alpha: float = 0.05, decimals: int = 2, rule: CellRule | None = None) -> str:
    """One sentence on the average change of one sample (no control group, e.g. ZP).

    >>> describe_trend("Gesprächsführung", Effect(0.12, 0.03, 0.0002))
    'Gesprächsführung nimmt im Mittel zu: 0,12 pro Welle, p < ,001.'
    >>> describe_trend("Self-efficacy", Effect(0.01, 0.02, 0.5), lang="en")
    'Self-efficacy shows no statistically significant average change (0.01 per wave, p = .500).'
    """
    rule = rule or CellRule()
    de = lang == "de"
    unit = time_unit or (_DE_UNIT if de else _EN_UNIT)
    if _suppressed((slope,), rule):
        k = format_count(rule.min_cell_size, lang)
        return (f"{label}: nicht berichtet, da die Angaben auf weniger als {k} Personen beruhen."
                if de else f"{label}: not reported because it rests on fewer than {k} persons.")
    value = f"{format_number(slope.estimate, decimals, lang)} {unit}, {format_p(slope.pvalue, lang)}"
    if _significant(slope, alpha):
        up = slope.estimate > 0
        if de:
            return f"{label} nimmt im Mittel {'zu' if up else 'ab'}: {value}."
        return f"{label} {'increases' if up else 'decreases'} on average: {value}."
    if de:
        return f"{label} verändert sich im Mittel nicht statistisch signifikant ({value})."
    return f"{label} shows no statistically significant average change ({value})."


def describe_correlation(x_label: str, y_label: str, r: float, pvalue: float, n: int, *,
                         lang: Lang = "de", alpha: float = 0.05,
                         rule: CellRule | None = None) -> str:
    """One sentence on a correlation with the chapter's verbal band.

    >>> describe_correlation("Die Unterstützung durch die Führungskraft",
    ...                      "der offenen Lernkultur im Team", 0.75, 0.0001, 120)
    'Die Unterstützung durch die Führungskraft hängt sehr hoch mit der offenen Lernkultur im Team zusammen (r = ,75**, n = 120).'
    >>> describe_correlation("Support by the manager", "release time", 0.12, 0.19, 120, lang="en")
    'Support by the manager and release time are not significantly correlated (r = .12, n = 120).'
    """
    rule = rule or CellRule()
    de = lang == "de"
    if not rule.allows(n):
        k = format_count(rule.min_cell_size, lang)
        return (f"Nicht berichtet: beruht auf weniger als {k} Personen." if de
                else f"Not reported: based on fewer than {k} persons.")
    stats = f"r = {format_r(r, pvalue, lang)}, n = {format_count(n, lang)}"
    significant = pvalue == pvalue and pvalue <= alpha
    if significant:
        band = correlation_band(r, lang)
        if de:
            direction = "" if r > 0 else " negativ"
            return f"{x_label} hängt {band}{direction} mit {y_label} zusammen ({stats})."
        direction = "positively" if r > 0 else "negatively"
        return f"{x_label} is {direction} correlated with {y_label}, {band} ({stats})."
    if de:
        return f"{x_label} und {y_label} hängen nicht statistisch signifikant zusammen ({stats})."
    return f"{x_label} and {y_label} are not significantly correlated ({stats})."
