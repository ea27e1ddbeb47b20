"""E-values for unmeasured confounding (VanderWeele & Ding 2017).

The E-value of a risk ratio ``RR >= 1`` is ``RR + sqrt(RR (RR - 1))``: the
minimum strength of association, on the risk-ratio scale, that an unmeasured
confounder would need with both the treatment and the outcome (conditional on
the measured covariates) to explain the estimate away. For ``RR < 1`` the
reciprocal is used. The E-value of the confidence interval is that of the
limit closer to 1, and 1 when the interval contains 1.

For a continuous outcome the paper converts a standardised mean difference
``d`` (mean difference / outcome SD) approximately to a risk ratio,
``RR = exp(0.91 d)``, with interval ``exp(0.91 d -+ 1.78 SE(d))`` (as the
authors' R package EValue, ``evalues.MD``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["EValue", "evalue_rr", "evalue_smd"]


@dataclass(frozen=True)
class EValue:
    """Risk ratio (or its approximation), its interval and the E-values.

    ``rr_lower``/``rr_upper``/``evalue_ci`` are None when no interval was given.
    """

    rr: float
    rr_lower: float | None
    rr_upper: float | None
    evalue: float
    evalue_ci: float | None


def _evalue_of(rr: float) -> float:
    if rr < 1.0:
        rr = 1.0 / rr
    return rr + math.sqrt(rr * (rr - 1.0))


def evalue_rr(rr: float, lower: float | None = None, upper: float | None = None) -> EValue:
    """E-values of a risk ratio and (optionally) of its confidence interval.

    Examples
    --------
    The paper's examples: breastfeeding and infant death, RR 3.9 (1.8, 8.7),
    and a protective estimate, RR 0.80 (0.71, 0.91):

    >>> result = evalue_rr(3.9, 1.8, 8.7)
    >>> round(result.evalue, 2), round(result.evalue_ci, 2)
    (7.26, 3.0)
    >>> result = evalue_rr(0.80, 0.71, 0.91)
    >>> round(result.evalue, 2), round(result.evalue_ci, 2)
    (1.81, 1.43)
    """
    if not rr > 0:
        raise ValueError(f"a risk ratio must be positive, got {rr}")
    evalue_ci = None
    if lower is not None and upper is not None:
        if not 0 < lower <= upper:
            raise ValueError(f"the interval ({lower}, {upper}) is not an interval of positive ratios")
        if lower <= 1.0 <= upper:
            evalue_ci = 1.0
        else:
            evalue_ci = _evalue_of(lower if rr > 1.0 else upper)
    return EValue(rr=rr, rr_lower=lower, rr_upper=upper, evalue=_evalue_of(rr), evalue_ci=evalue_ci)


def evalue_smd(d: float, se: float | None = None) -> EValue:
    """E-values of a standardised mean difference via ``RR = exp(0.91 d)``.

    Examples
    --------
    ``d = 0.5`` with ``SE = 0.25`` (the example of EValue's ``evalues.MD``):
    RR ``exp(.455) = 1.576``, interval ``(exp(.010), exp(.900))``, which
    excludes 1 just barely:

    >>> result = evalue_smd(0.5, 0.25)
    >>> round(result.rr, 4), round(result.rr_lower, 4), round(result.evalue, 4), round(result.evalue_ci, 4)
    (1.5762, 1.0101, 2.5291, 1.1108)
    """
    rr = math.exp(0.91 * d)
    if se is None:
        return evalue_rr(rr)
    if se < 0:
        raise ValueError(f"a standard error cannot be negative, got {se}")
    return evalue_rr(rr, math.exp(0.91 * d - 1.78 * se), math.exp(0.91 * d + 1.78 * se))
