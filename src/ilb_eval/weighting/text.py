"""The balance table of a weighting run as plain text (German or English).

Numbers become text only through :mod:`ilb_eval.formatting`.
"""

from __future__ import annotations

from ilb_eval.formatting import Lang, format_count, format_number
from ilb_eval.weighting.diagnostics import SMD_THRESHOLD
from ilb_eval.weighting.estimate import WeightingResult

__all__ = ["METHOD_LABELS", "balance_text"]

#: Names of the methods as the texts use them.
METHOD_LABELS: dict[str, dict[str, str]] = {
    "entropy": {"de": "Entropy Balancing", "en": "entropy balancing"},
    "ipw": {"de": "inverse Wahrscheinlichkeitsgewichte (logistisches Propensity-Modell)",
            "en": "inverse probability weights (logistic propensity model)"},
    "overlap": {"de": "Overlap-Gewichte (logistisches Propensity-Modell)",
                "en": "overlap weights (logistic propensity model)"},
}

_TEXT = {
    "de": {
        "title": "Gewichtung: {method}, Schätzgröße {estimand}",
        "groups": "Behandelte: {n1} (effektiv {e1}); Kontrollen: {n0} (effektiv {e0})",
        "trim": "Gewichte über dem {q}-Quantil gekappt",
        "header": ("Kovariate", "Typ", "SMD vorher", "SMD nachher", "VR vorher", "VR nachher"),
        "binary": "binär", "continuous": "stetig",
        "note": "SMD: standardisierte Mittelwertdifferenz (Behandelte − Kontrollen) / {sd}; "
                "Ziel |SMD| < {t}. VR: Varianzverhältnis Behandelte / Kontrollen (nur stetige Kovariaten).",
        "sd": {"ATT": "SD der Behandelten", "ATE": "gepoolte SD", "ATO": "gewichtete SD der Gesamtstichprobe"},
        "warning": "Warnung: {text}",
    },
    "en": {
        "title": "Weighting: {method}, estimand {estimand}",
        "groups": "Treated: {n1} (effective {e1}); controls: {n0} (effective {e0})",
        "trim": "weights above the {q} quantile capped",
        "header": ("covariate", "type", "SMD before", "SMD after", "VR before", "VR after"),
        "binary": "binary", "continuous": "continuous",
        "note": "SMD: standardised mean difference (treated - controls) / {sd}; target |SMD| < {t}. "
                "VR: variance ratio treated / controls (continuous covariates only).",
        "sd": {"ATT": "SD of the treated", "ATE": "pooled SD", "ATO": "weighted SD of the whole sample"},
        "warning": "warning: {text}",
    },
}


def balance_text(result: WeightingResult, lang: Lang = "de") -> str:
    """The weighting run as a text block: settings, group sizes, balance table, notes, warnings.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from ilb_eval.weighting import estimate_weights
    >>> rng = np.random.default_rng(3)
    >>> x = rng.normal(size=200)
    >>> data = pd.DataFrame({"t": (rng.random(200) < 1 / (1 + np.exp(-x))).astype(int), "x": x})
    >>> print(balance_text(estimate_weights(data, "t", ["x"]), lang="en"))
    Weighting: entropy balancing, estimand ATT
    Treated: 104 (effective 104.0); controls: 96 (effective 30.0)
    covariate  type        SMD before  SMD after  VR before  VR after
    x          continuous       +0.94       0.00       1.20      0.80
    SMD: standardised mean difference (treated - controls) / SD of the treated; target |SMD| < 0.1. VR: variance ratio treated / controls (continuous covariates only).
    """
    text = _TEXT[lang]
    lines = [
        text["title"].format(method=METHOD_LABELS[result.method][lang], estimand=result.estimand),
        text["groups"].format(
            n1=format_count(result.n["treated"], lang), e1=format_number(result.ess["treated"], 1, lang),
            n0=format_count(result.n["control"], lang), e0=format_number(result.ess["control"], 1, lang),
        ),
    ]
    if result.trim is not None:
        lines.append(text["trim"].format(q=format_number(result.trim, 2, lang)))
    rows = [text["header"]]
    for row in result.balance.itertuples():
        rows.append((
            row.covariate, text[row.type],
            format_number(row.smd_before, 2, lang, sign=True), format_number(row.smd_after, 2, lang, sign=True),
            format_number(row.variance_ratio_before, 2, lang), format_number(row.variance_ratio_after, 2, lang),
        ))
    widths = [max(len(r[j]) for r in rows) for j in range(len(rows[0]))]
    for r in rows:
        cells = [r[0].ljust(widths[0]), r[1].ljust(widths[1])] + [c.rjust(w) for c, w in zip(r[2:], widths[2:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    lines.append(text["note"].format(sd=text["sd"][result.estimand], t=format_number(SMD_THRESHOLD, 1, lang)))
    lines += [text["warning"].format(text=w) for w in result.warnings]
    return "\n".join(lines)
