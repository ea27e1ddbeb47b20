"""The decision rule of the invariance ladder: when does a level hold?

- **Configural** holds when the model converges and fits acceptably: CFI ≥
  :data:`CONFIGURAL_CFI` and RMSEA ≤ :data:`CONFIGURAL_RMSEA` (a model
  without degrees of freedom fits perfectly by construction and holds when
  it converges). An inadmissible solution (a negative variance, factor
  correlations across waves slightly above 1, as a stable construct
  measured at close waves gives) is reported in the row's note but does not
  decide.
- **Metric, scalar, strict** hold unless the fit worsens from the level
  before by Chen's (2007) criteria: a drop of CFI of :data:`DELTA_CFI` or
  more (ΔCFI ≤ −.010), "supplemented by" a rise of RMSEA of
  :data:`DELTA_RMSEA` or more (ΔRMSEA ≥ .015), indicates non-invariance.
  Both changes must reach their bound: RMSEA alone is unstable in models
  with few degrees of freedom (Kenny, Kaniskan & McCoach 2015) and would
  reject the four-item one-factor models of the multi-group ladder on
  trivial differences. (Chen's alternative supplement, ΔSRMR, is not
  used, so that one pair of indices decides every level.)

The fit indices are lavaan's *robust* CFI and RMSEA of the MLR fit
(``cfi_robust``, ``rmsea_robust``: Brosseau-Liard, Savalei & Li 2012;
Brosseau-Liard & Savalei 2014; with lavaan's FIML correction). They estimate
the same population quantities as the normal-theory indices under
non-normality, which the "scaled" indices (the scaled χ² put into the
normal-theory formula) do not. Where a robust index cannot be computed for
one of the two models, both models' scaled indices are used and the row
says so.

The scaled likelihood-ratio test (Satorra-Bentler 2001, lavaan's default
for MLR) is reported beside the changes of fit but does not decide: with
the sample sizes of an evaluation (hundreds to thousands) it rejects
differences too small to matter (Chen 2007; Cheung & Rensvold 2002;
Putnick & Bornstein 2016).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

from ilb_eval.exceptions import IlbEvalError
from ilb_eval.sem import SemResults, lr_test

__all__ = [
    "CONFIGURAL_CFI",
    "CONFIGURAL_RMSEA",
    "DELTA_CFI",
    "DELTA_RMSEA",
    "Comparison",
    "compare_levels",
    "configural_holds",
    "fit_indices",
]

#: Smallest CFI of an acceptable configural model.
CONFIGURAL_CFI = 0.90
#: Largest RMSEA of an acceptable configural model.
CONFIGURAL_RMSEA = 0.08
#: Largest drop of CFI from one level to the next (Chen 2007).
DELTA_CFI = 0.010
#: Largest rise of RMSEA from one level to the next (Chen 2007).
DELTA_RMSEA = 0.015


def _finite(value: Any) -> bool:
    return value is not None and isinstance(value, int | float) and math.isfinite(float(value))


def fit_indices(fit: SemResults, kind: str = "robust") -> tuple[float, float]:
    """``(CFI, RMSEA)`` of a fit: ``kind`` ``"robust"`` or ``"scaled"`` (NaN when absent)."""
    cfi = fit.fit.get(f"cfi_{kind}", math.nan)
    rmsea = fit.fit.get(f"rmsea_{kind}", math.nan)
    return float(cfi), float(rmsea)


def _indices_pair(restricted: SemResults, general: SemResults) -> tuple[str, tuple[float, float], tuple[float, float]]:
    """The index kind both fits have (robust first) and both pairs of (CFI, RMSEA)."""
    for kind in ("robust", "scaled"):
        a, b = fit_indices(restricted, kind), fit_indices(general, kind)
        if all(_finite(v) for v in (*a, *b)):
            return kind, a, b
    return "robust", fit_indices(restricted, "robust"), fit_indices(general, "robust")


def configural_holds(fit: SemResults) -> tuple[bool, str, str]:
    """Whether a configural model holds, the index kind used and the reason when it does not.

    Returns
    -------
    tuple
        ``(held, kind, reason)``; ``reason`` is empty when held.
    """
    if not fit.converged:
        return False, "robust", "the configural model did not converge"
    if int(fit.fit.get("df", 0)) == 0:
        return True, "robust", ""
    kind = "robust"
    cfi, rmsea = fit_indices(fit, kind)
    if not (_finite(cfi) and _finite(rmsea)):
        kind = "scaled"
        cfi, rmsea = fit_indices(fit, kind)
    if not (_finite(cfi) and _finite(rmsea)):
        return False, kind, "the fit indices of the configural model could not be computed"
    poor = ([f"CFI {cfi:.3f} < {CONFIGURAL_CFI:.2f}"] if cfi < CONFIGURAL_CFI else []) + (
        [f"RMSEA {rmsea:.3f} > {CONFIGURAL_RMSEA:.2f}"] if rmsea > CONFIGURAL_RMSEA else [])
    if poor:
        return False, kind, f"the configural model fits poorly ({', '.join(poor)})"
    return True, kind, ""


@dataclass(frozen=True)
class Comparison:
    """One step of the ladder: a restricted level against the level before.

    Attributes
    ----------
    held
        Whether the restricted level holds by the decision rule.
    index
        ``"robust"`` or ``"scaled"``: the CFI/RMSEA used.
    delta_cfi, delta_rmsea
        Restricted minus general model.
    chisq_diff, df_diff, pvalue
        Scaled likelihood-ratio test (Satorra-Bentler 2001); NaN when it
        cannot be computed (``notes`` says why).
    notes
        Warnings of the test, or why there is no test.
    """

    held: bool
    index: str
    delta_cfi: float
    delta_rmsea: float
    chisq_diff: float = math.nan
    df_diff: int = 0
    pvalue: float = math.nan
    notes: tuple[str, ...] = field(default=())


def compare_levels(restricted: SemResults, general: SemResults) -> Comparison:
    """Compare a restricted invariance level with the level before it.

    Parameters
    ----------
    restricted, general
        Converged fits of the same data (``general`` the less restricted one).

    Returns
    -------
    Comparison
    """
    kind, (cfi_r, rmsea_r), (cfi_g, rmsea_g) = _indices_pair(restricted, general)
    delta_cfi, delta_rmsea = cfi_r - cfi_g, rmsea_r - rmsea_g
    notes: list[str] = []
    worse = delta_cfi <= -DELTA_CFI + 1e-12 and delta_rmsea >= DELTA_RMSEA - 1e-12
    held = _finite(delta_cfi) and _finite(delta_rmsea) and not worse
    if not (_finite(delta_cfi) and _finite(delta_rmsea)):
        notes.append("the changes of CFI and RMSEA could not be computed; the level is not taken as held")
    chisq, df, p = math.nan, int(restricted.fit.get("df", 0)) - int(general.fit.get("df", 0)), math.nan
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            test = lr_test(restricted, general)
        chisq, df, p = test.chisq_diff, test.df_diff, test.pvalue
        notes += [w.message for w in test.warnings]
    except IlbEvalError as error:
        notes.append("no likelihood-ratio test: " + "; ".join(error.lines))
    return Comparison(bool(held), kind, delta_cfi, delta_rmsea, chisq, df, p, tuple(notes))
