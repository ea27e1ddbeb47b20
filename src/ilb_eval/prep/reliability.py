"""Internal consistency per scale and wave: Cronbach's alpha with Feldt's interval, McDonald's omega."""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from ilb_eval.exceptions import ConvergenceWarning, InadmissibleSolutionWarning, InputError
from ilb_eval.prep.missing import recode_missing
from ilb_eval.prep.panel import Panel
from ilb_eval.prep.scales import scale_items
from ilb_eval.sem import cfa
from ilb_eval.study import Study

__all__ = ["RELIABILITY_COLUMNS", "cronbach_alpha", "feldt_interval", "omega_total", "reliability"]

#: Columns of the table :func:`reliability` returns.
RELIABILITY_COLUMNS: tuple[str, ...] = ("scale", "wave", "n", "k", "alpha", "alpha_ci_lower", "alpha_ci_upper", "omega")

_FACTOR = "eta__"


def cronbach_alpha(items: pd.DataFrame) -> float:
    r"""Cronbach's alpha of complete cases.

    .. math:: \alpha = \frac{k}{k-1}\Bigl(1 - \frac{\sum_j s_j^2}{s_X^2}\Bigr)

    with :math:`s_j^2` the item variances and :math:`s_X^2` the variance of the
    sum score. Rows with a missing item are dropped; NaN for fewer than two
    items or two complete rows.

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 4, 4], "c": [1, 3, 3, 5]})
    >>> round(cronbach_alpha(items), 4)  # 3/2 * (1 - (5/3 + 4/3 + 8/3) / 15)
    0.9333
    """
    complete = items.dropna().to_numpy(dtype=float)
    n, k = complete.shape
    if k < 2 or n < 2:
        return float("nan")
    total = complete.sum(axis=1).var(ddof=1)
    if total == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - complete.var(axis=0, ddof=1).sum() / total))


def feldt_interval(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    r"""Feldt's F-based confidence interval for Cronbach's alpha.

    Under the model of Feldt (1965), :math:`(1-\alpha)/(1-\hat\alpha)` follows
    an F distribution with :math:`n-1` and :math:`(n-1)(k-1)` degrees of
    freedom, so (Feldt, Woodruff & Salih 1987, eq. 3)

    .. math:: \bigl[1 - (1-\hat\alpha) F_{1-\gamma/2},\; 1 - (1-\hat\alpha) F_{\gamma/2}\bigr],
              \quad \gamma = 1 - \text{level}.

    References
    ----------
    Feldt, L. S. (1965). The approximate sampling distribution of
    Kuder-Richardson reliability coefficient twenty. *Psychometrika*, 30,
    357-370. Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical
    inference for coefficient alpha. *Applied Psychological Measurement*, 11,
    93-103.

    Examples
    --------
    >>> lower, upper = feldt_interval(0.8, n=100, k=4)
    >>> round(lower, 3), round(upper, 3)
    (0.727, 0.857)
    """
    if not np.isfinite(alpha) or n < 2 or k < 2:
        return float("nan"), float("nan")
    df1, df2 = n - 1, (n - 1) * (k - 1)
    gamma = 1 - level
    lower = 1 - (1 - alpha) * stats.f.ppf(1 - gamma / 2, df1, df2)
    upper = 1 - (1 - alpha) * stats.f.ppf(gamma / 2, df1, df2)
    return float(lower), float(upper)


def omega_total(items: pd.DataFrame) -> float:
    r"""McDonald's omega (total) from a one-factor CFA fitted by the package's SEM engine (ML).

    .. math:: \omega = \frac{(\sum_j \lambda_j)^2 \psi}{(\sum_j \lambda_j)^2 \psi + \sum_j \theta_j}

    with loadings :math:`\lambda_j` (first fixed at 1), factor variance
    :math:`\psi` and residual variances :math:`\theta_j` (with :math:`\psi = 1`
    this is the usual :math:`(\sum\lambda)^2 / ((\sum\lambda)^2 + \sum\theta)`).
    Complete cases only (the fit is lavaan's ``cfa()``); NaN for fewer than
    three items, ``n <= k`` or an item without variance.

    Warns
    -----
    ConvergenceWarning
        The optimiser did not converge (omega is NaN).
    InadmissibleSolutionWarning
        A negative (residual) variance: a Heywood case (omega is still
        returned); or items that are linearly dependent (omega is NaN).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=500)
    >>> items = pd.DataFrame({f"x{j}": f + rng.normal(size=500) for j in range(4)})
    >>> round(omega_total(items), 2)  # population value 4^2 / (4^2 + 4) = 0.8
    0.77
    """
    complete = items.dropna().astype(float)
    n, k = complete.shape
    if k < 3 or n <= k or (complete.var(ddof=0) == 0).any():
        return float("nan")
    names = {c: f"i{j}__" for j, c in enumerate(complete.columns)}
    data = complete.rename(columns=names).reset_index(drop=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # judged below from the status record
            result = cfa(f"{_FACTOR} =~ " + " + ".join(names.values()), data, n_starts=0)
    except InputError:  # SINGULAR_DATA: items that are linear combinations of each other
        warnings.warn(InadmissibleSolutionWarning(
            f"omega: the items {list(items.columns)} are linearly dependent in the complete "
            "cases (too few persons, or a copied item); omega is not computed."), stacklevel=2)
        return float("nan")
    if not result.converged:
        warnings.warn(ConvergenceWarning(f"omega: the one-factor model of {list(items.columns)} did not converge"),
                      stacklevel=2)
        return float("nan")
    params = result.params
    loadings = params.loc[params["op"] == "=~", "est"].to_numpy()
    variances = params[(params["op"] == "~~") & (params["lhs"] == params["rhs"])].set_index("lhs")["est"]
    psi = float(variances[_FACTOR])
    theta = variances[list(names.values())].to_numpy()
    if psi <= 0 or (theta <= 0).any():
        warnings.warn(InadmissibleSolutionWarning(
            f"omega: the one-factor model of {list(items.columns)} has a negative variance "
            "(Heywood case); omega is then too high. Check the items."), stacklevel=2)
    common = loadings.sum() ** 2 * psi
    return float(common / (common + theta.sum()))


def reliability(data: Panel | Mapping[str, pd.DataFrame], study: Study, *, level: float = 0.95) -> pd.DataFrame:
    """Alpha (with Feldt interval) and omega for every scale at every wave it is measured.

    Parameters
    ----------
    data
        A :class:`~ilb_eval.prep.Panel` (its reverse-keyed items of the analysed
        rows are used) or the waves as the io layer delivers them (missing codes
        are recoded and items reverse-keyed here; all rows are used).
    study
        The study definition (scales, items, reverse keying).
    level
        Confidence level of the alpha interval.

    Returns
    -------
    DataFrame
        :data:`RELIABILITY_COLUMNS`: ``n`` complete cases on the scale's items,
        ``k`` items, ``alpha``, ``alpha_ci_lower``, ``alpha_ci_upper``,
        ``omega``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from ilb_eval.study import load_study
    >>> eap = load_study("EAP")
    >>> rng = np.random.default_rng(2)
    >>> columns = {}
    >>> for scale in eap.scales:
    ...     trait = rng.normal(size=200)
    ...     for item in scale.items:
    ...         sign = -1 if item in scale.reverse else 1
    ...         columns[item] = np.clip(np.round(3 + sign * trait + rng.normal(size=200)), 1, 5)
    >>> frame = pd.DataFrame(columns, index=pd.Index(range(2, 202), name="row"))
    >>> table = reliability({"t1": frame}, eap)
    >>> table[["scale", "wave", "n", "k"]].head(2)
               scale wave    n  k
    0  fachkompetenz   t1  200  4
    1  reflexivitaet   t1  200  4
    >>> bool(table["alpha"].between(0.7, 0.9).all())
    True
    """
    if isinstance(data, Panel):
        values = data.items
    else:
        values = {
            wave: recode_missing(getattr(frame, "frame", frame), study.wave(wave).table_schema)[0]
            for wave, frame in data.items()
        }
    rows = []
    for scale in study.scales:
        for wave in scale.waves:
            if wave not in values:
                continue
            if isinstance(data, Panel):  # reverse-keyed already
                items = values[wave][list(scale.items)]
            else:
                items = scale_items(values[wave], scale)
            complete = items.dropna()
            alpha = cronbach_alpha(complete)
            lower, upper = feldt_interval(alpha, len(complete), len(scale.items), level)
            rows.append({
                "scale": scale.name, "wave": wave, "n": len(complete), "k": len(scale.items),
                "alpha": alpha, "alpha_ci_lower": lower, "alpha_ci_upper": upper, "omega": omega_total(complete),
            })
    return pd.DataFrame(rows, columns=list(RELIABILITY_COLUMNS))
