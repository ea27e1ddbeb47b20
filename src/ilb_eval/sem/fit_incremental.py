"""Incremental fit indices: the model's chi-square against the independence baseline's.

lavaan's definitions (``lav_fit_cfi.R``), ``X2``/``df`` of the model and
``X2_0``/``df_0`` of the baseline:

- CFI ``1 - max(X2 - df, 0) / max(X2 - df, X2_0 - df_0, 0)`` (1 when both are 0);
  RNI the same without the maxima;
- TLI (= NNFI) ``1 - (X2 - df) df_0 / ((X2_0 - df_0) df)``;
- RFI ``(X2_0/df_0 - X2/df) / (X2_0/df_0)``, NFI ``(X2_0 - X2) / X2_0``,
  PNFI ``df/df_0 NFI``, IFI ``(X2_0 - X2) / (X2_0 - df)``.

The robust CFI, TLI and RNI (Brosseau-Liard & Savalei 2014; with missing data
the FIML-corrected statistics) replace ``df`` by ``c df`` and ``df_0`` by
``c_0 df_0``, with the scaling factors ``c`` and ``c_0`` of the model and the
baseline. lavaan returns NaN wherever an input is NaN.
"""

from __future__ import annotations

import math

__all__ = ["cfi", "ifi", "nfi", "pnfi", "rfi", "rni", "tli"]


def _nan(*values: float) -> bool:
    return any(v is None or math.isnan(v) for v in values)


def _near_zero(value: float) -> bool:
    """R's ``isTRUE(all.equal(value, 0))``: absolute difference below 1.5e-8."""
    return abs(value) < 1.5e-8


def _robust(df: float, c_hat: float, c_hat_null: float) -> bool:
    return df > 0 and c_hat != 1.0 and c_hat_null != 1.0


def cfi(
    x2: float, df: float, x2_null: float, df_null: float,
    c_hat: float = 1.0, c_hat_null: float = 1.0,
) -> float:  # fmt: skip
    """Comparative fit index (robust with scaling factors).

    >>> round(cfi(72.44127552530458, 24, 717.6752085359739, 36), 6)
    0.928938
    """
    if _nan(x2, df, x2_null, df_null, c_hat, c_hat_null):
        return math.nan
    if not _robust(df, c_hat, c_hat_null):
        c_hat = c_hat_null = 1.0
    t1 = max(x2 - c_hat * df, 0.0)
    t2 = max(x2 - c_hat * df, x2_null - c_hat_null * df_null, 0.0)
    if _near_zero(t1) and _near_zero(t2):
        return 1.0
    return 1.0 - t1 / t2


def rni(
    x2: float, df: float, x2_null: float, df_null: float,
    c_hat: float = 1.0, c_hat_null: float = 1.0,
) -> float:  # fmt: skip
    """Relative noncentrality index: the CFI without its bounds.

    >>> round(rni(72.44127552530458, 24, 717.6752085359739, 36), 6)
    0.928938
    """
    if _nan(x2, df, x2_null, df_null, c_hat, c_hat_null):
        return math.nan
    if not _robust(df, c_hat, c_hat_null):
        c_hat = c_hat_null = 1.0
    t1 = x2 - c_hat * df
    t2 = x2_null - c_hat_null * df_null
    if _near_zero(t2) or not (math.isfinite(t1) and math.isfinite(t2)):
        return math.nan
    return 1.0 - t1 / t2


def tli(
    x2: float, df: float, x2_null: float, df_null: float,
    c_hat: float = 1.0, c_hat_null: float = 1.0,
) -> float:  # fmt: skip
    """Tucker-Lewis index (= NNFI).

    >>> round(tli(72.44127552530458, 24, 717.6752085359739, 36), 6)
    0.893407
    """
    if _nan(x2, df, x2_null, df_null, c_hat, c_hat_null):
        return math.nan
    if not _robust(df, c_hat, c_hat_null):
        c_hat = c_hat_null = 1.0
    t1 = (x2 - c_hat * df) * df_null
    t2 = (x2_null - c_hat_null * df_null) * df
    if not (math.isfinite(t1) and math.isfinite(t2)):
        return math.nan
    if df > 0 and abs(t2) > 0:
        return 1.0 - t1 / t2
    return 1.0


def rfi(x2: float, df: float, x2_null: float, df_null: float) -> float:
    """Relative fit index (NaN when df > df_0).

    >>> round(rfi(72.44127552530458, 24, 717.6752085359739, 36), 6)
    0.848592
    """
    if _nan(x2, df, x2_null, df_null) or df > df_null:
        return math.nan
    if not (df > 0 and df_null > 0):
        return 1.0
    t1 = x2_null / df_null - x2 / df
    t2 = x2_null / df_null
    if not (math.isfinite(t1) and math.isfinite(t2)):
        return math.nan
    if t1 < 0 or t2 < 0:
        return 1.0
    return t1 / t2


def nfi(x2: float, df: float, x2_null: float, df_null: float) -> float:
    """Normed fit index (NaN when df > df_0 or X2_0 = 0).

    >>> round(nfi(72.44127552530458, 24, 717.6752085359739, 36), 6)
    0.899061
    """
    if _nan(x2, df, x2_null, df_null) or df > df_null or _near_zero(x2_null):
        return math.nan
    if df > 0:
        return (x2_null - x2) / x2_null
    return 1.0


def pnfi(x2: float, df: float, x2_null: float, df_null: float) -> float:
    """Parsimony normed fit index.

    >>> round(pnfi(72.44127552530458, 24, 717.6752085359739, 36), 6)
    0.599374
    """
    if _nan(x2, df, x2_null, df_null) or not (df_null > 0 and x2_null > 0):
        return math.nan
    return (df / df_null) * (x2_null - x2) / x2_null


def ifi(x2: float, df: float, x2_null: float, df_null: float) -> float:
    """Incremental fit index.

    >>> round(ifi(72.44127552530458, 24, 717.6752085359739, 36), 6)
    0.930167
    """
    if _nan(x2, df, x2_null, df_null):
        return math.nan
    t1 = x2_null - x2
    t2 = x2_null - df
    if not (math.isfinite(t1) and math.isfinite(t2)):
        return math.nan
    if t2 < 0:
        return 1.0
    if _near_zero(t2):
        return math.nan
    return t1 / t2
