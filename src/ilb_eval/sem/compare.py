"""Comparing fits: likelihood-ratio tests of nested models and Wald tests (lavaan's
``lavTestLRT`` and ``lavTestWald``).

:func:`lr_test` compares a restricted model with a more general one fitted to
the same data. For ML fits the test is the chi-square difference
(``method = "standard"``, lavaan's default for unscaled tests). For fits with a
scaled test (MLR, sampling weights, clusters) lavaan's default is the scaled
difference of Satorra and Bentler (2001),

``T = (T0 - T1) / cd``, ``cd = (r0 c0 - r1 c1) / (r0 - r1)``,

with the standard statistics ``T``, degrees of freedom ``r`` and scaling
factors ``c`` of the restricted (0) and the general (1) model (``c1 = 1`` when
``r1 = 0``); ``cd`` can be negative, then there is no test. The
Satorra-Bentler (2010) version replaces ``c1`` by ``c10``, the scaling factor
of the *general* model evaluated at the restricted model's estimates (lavaan's
``M10``: every parameter of the general model takes the value of the same
parameter (lhs, op, rhs, group) in the restricted model, its default start
value where the restricted model has no such parameter), which keeps ``cd``
positive in practice. Where M10 does not reproduce the restricted model (e.g.
latent means fixed in one model and free in the other) the statistic is still
lavaan's, with the warning ``M10_NOT_NESTED``. ``method = "standard"`` gives the
unscaled difference for any fits (lavaan 0.6-14 refuses it for scaled fits).

:func:`wald_test` tests constraints written in lavaan's syntax on the
parameter labels (``"a == b; c == 0"``) with the covariance matrix of the
estimates of the fit (the sandwich for MLR):
``W = g' (J V J')^-1 g`` on as many degrees of freedom as constraints,
``g`` the constraints' values (left minus right side) and ``J`` their Jacobian.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from ilb_eval.exceptions import IlbEvalWarning, SpecError
from ilb_eval.sem.fit_corrected import joint_implied
from ilb_eval.sem.fit_rmsea import rmsea
from ilb_eval.sem.results import SemResults
from ilb_eval.sem.robust import meat
from ilb_eval.sem.starts import start_free
from ilb_eval.sem.status import FitWarning
from ilb_eval.sem.syntax import parse_model

__all__ = ["LRTest", "WaldTest", "lr_test", "wald_test"]

#: lavaan's names of the methods (``method=`` accepts them with or without dots).
METHODS = ("standard", "satorra.bentler.2001", "satorra.bentler.2010")

#: A restricted model may fit better than the general one by this much (lavaan warns beyond).
_NEGATIVE_DIFFERENCE = np.finfo(float).eps ** (1.0 / 3.0)


@dataclass(frozen=True)
class LRTest:
    """Result of :func:`lr_test`.

    Attributes
    ----------
    chisq_diff
        The (scaled) chi-square difference.
    df_diff
        Difference of the degrees of freedom.
    pvalue
        Upper-tail chi-square p-value.
    method
        lavaan's name of the method: ``"standard"``, ``"satorra.bentler.2001"``
        or ``"satorra.bentler.2010"``.
    scaling_factor
        ``cd`` of a scaled difference (NaN for the standard test).
    rmsea
        RMSEA of the difference, as lavaan's table shows it for standard tests
        (NaN for scaled ones).
    warnings
        Statistical warnings (also emitted), e.g. a negative ``cd``.
    """

    chisq_diff: float
    df_diff: int
    pvalue: float
    method: str
    scaling_factor: float = math.nan
    rmsea: float = math.nan
    warnings: tuple[FitWarning, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary (NaN as None)."""

        def clean(value: float) -> float | None:
            return float(value) if math.isfinite(value) else None

        return {
            "chisq_diff": clean(self.chisq_diff),
            "df_diff": int(self.df_diff),
            "pvalue": clean(self.pvalue),
            "method": self.method,
            "scaling_factor": clean(self.scaling_factor),
            "rmsea": clean(self.rmsea),
            "warnings": [w.to_dict() for w in self.warnings],
        }


def _method_name(method: str | None, scaled: bool) -> str:
    if method is None or method == "default":
        return "satorra.bentler.2001" if scaled else "standard"
    wanted = method.lower().replace(".", "").replace("_", "").replace("-", "")
    for name in METHODS:
        if name.replace(".", "") == wanted:
            return name
    raise SpecError(
        f"unknown method {method!r} for lr_test. Use one of: default, " + ", ".join(METHODS) + "."
    )


def _same_optional(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """Both absent, or both present and equal (weights, cluster codes)."""
    if a is None or b is None:
        return a is None and b is None
    return bool(np.array_equal(a, b))


def _check_data(restricted: SemResults, general: SemResults) -> None:
    """Both fits must use the same variables, groups and rows (SpecError otherwise)."""
    a, b = restricted.model.data, general.model.data
    if set(a.y_names) != set(b.y_names) or set(a.x_names) != set(b.x_names):
        raise SpecError(
            "the two fits model different observed variables (outcomes "
            f"{sorted(set(a.y_names) ^ set(b.y_names)) or 'equal'}, covariates "
            f"{sorted(set(a.x_names) ^ set(b.x_names)) or 'equal'} differ); a likelihood-ratio "
            "test compares models of the same variables. Write both models with the same "
            "observed variables (fix a path to 0 instead of leaving a variable out)."
        )
    same = a.labels == b.labels and [g.n for g in a.groups] == [g.n for g in b.groups]
    if same:
        order_y = [b.y_names.index(v) for v in a.y_names]
        order_x = [b.x_names.index(v) for v in a.x_names]
        for ga, gb in zip(a.groups, b.groups, strict=True):
            same = same and np.array_equal(ga.y, gb.y[:, order_y], equal_nan=True)
            same = same and np.array_equal(ga.x, gb.x[:, order_x])
            same = same and _same_optional(ga.weights, gb.weights)
            same = same and _same_optional(ga.clusters, gb.clusters)
    if not same:
        raise SpecError(
            f"the two fits use different data ({restricted.ntotal} and {general.ntotal} persons, "
            f"groups {list(a.labels)} and {list(b.labels)}, or different values, weights or "
            "clusters); a likelihood-ratio test needs both models fitted to the same rows. Fit "
            "both models to the same data frame with the same group, weight and cluster options."
        )


def _check_pair(restricted: SemResults, general: SemResults) -> tuple[int, bool]:
    """Validate the pair; return the difference of the degrees of freedom and whether scaled."""
    for role, fit in (("restricted", restricted), ("general", general)):
        if not isinstance(fit, SemResults):
            raise SpecError(
                f"lr_test needs two ilb_eval.sem fits; the {role} model is a {type(fit).__name__}."
            )
        if not fit.converged:
            raise SpecError(
                f"the {role} model did not converge; a likelihood-ratio test needs both fits "
                "at their maximum. Fix the fit first (see its warnings)."
            )
    _check_data(restricted, general)
    scaled = (restricted.robust is not None, general.robust is not None)
    if scaled[0] != scaled[1]:
        raise SpecError(
            "one fit has a scaled test (MLR, sampling weights or clusters) and the other does "
            "not; fit both models with the same estimator and options."
        )
    df_r, df_g = int(restricted.fit["df"]), int(general.fit["df"])
    if df_r == df_g:
        raise SpecError(
            f"both models have {df_r} degrees of freedom, so they are not nested (or they are "
            "the same model); a likelihood-ratio test needs a restricted model with more "
            "degrees of freedom than the general one."
        )
    if df_r < df_g:
        raise SpecError(
            f"the first model has fewer degrees of freedom ({df_r}) than the second ({df_g}); "
            "pass the restricted model first: lr_test(restricted, general)."
        )
    difference = float(restricted.fit["chisq"]) - float(general.fit["chisq"])
    if difference < -_NEGATIVE_DIFFERENCE:
        raise SpecError(
            f"the restricted model fits better than the general one (chi-square difference "
            f"{difference:.6g}); either the models are not nested or the general model did not "
            "reach its maximum. Check that the restricted model is the general one with added "
            "constraints, and refit the general model (e.g. with n_starts)."
        )
    return df_r - df_g, scaled[0]


def _key(lhs: str, op: str, rhs: str, group: int) -> tuple[str, str, str, int]:
    if op == "~~" and rhs < lhs:
        lhs, rhs = rhs, lhs
    return lhs, op, rhs, int(group)


def _restricted_values(restricted: SemResults) -> dict[tuple[str, str, str, int], float]:
    table = restricted.partable
    body = table[table["block"] > 0]
    return {
        _key(lhs, op, rhs, group): float(est)
        for lhs, op, rhs, group, est in zip(
            body["lhs"], body["op"], body["rhs"], body["group"], body["est"], strict=True
        )
    }


def _default_starts(general: SemResults) -> np.ndarray:
    """The general model's default start values (lavaan's, from the h1 moments)."""
    model = general.model
    moments = []
    for group, sat, data in zip(model.groups, general.saturated, model.data.groups, strict=True):
        mean, cov = sat.joint_moments(data.x_mean, data.x_cov)
        moments.append((group.y_names + group.x_names, mean, cov))
    return start_free(model.partable.table, model.n_free, moments, model.partable.names.lv)


def _m10_theta(restricted: SemResults, general: SemResults) -> tuple[np.ndarray, bool]:
    """The general model's parameters at the restricted estimates (lavaan's M10).

    Each free parameter of the general model takes the estimate (or fixed
    value) of the same parameter (lhs, op, rhs, group) of the restricted model;
    one the restricted model does not have keeps its default start value, as
    in lavaan. Also returns whether the general model at these values
    reproduces the restricted model's implied moments.
    """
    values = _restricted_values(restricted)
    model = general.model
    table = model.partable.table
    free = _default_starts(general)
    filled = np.zeros(model.n_free, dtype=bool)
    body = table[(table["free"] > 0) & (table["block"] > 0)]
    for lhs, op, rhs, group, index in zip(
        body["lhs"], body["op"], body["rhs"], body["group"], body["free"], strict=True
    ):
        key = _key(lhs, op, rhs, group)
        if not filled[index - 1] and key in values:
            free[index - 1] = values[key]
            filled[index - 1] = True
    theta = model.reparam.theta(free)
    states_g = model.states(theta)
    states_r = restricted.model.states(restricted.theta)
    if states_g is None or states_r is None:
        return theta, False
    names_g = model.data.y_names
    order = [names_g.index(v) for v in restricted.model.data.y_names]
    for sg, sr, data in zip(states_g, states_r, restricted.model.data.groups, strict=True):
        mean_r, cov_r = joint_implied(sr.sigma, sr.mean_coef, data.x_mean, data.x_cov)
        mean_g, cov_g = joint_implied(
            sg.sigma[np.ix_(order, order)], sg.mean_coef[order], data.x_mean, data.x_cov
        )
        scale = 1e-6 * (1.0 + max(np.abs(cov_r).max(), np.abs(mean_r).max()))
        if np.abs(cov_g - cov_r).max() > scale or np.abs(mean_g - mean_r).max() > scale:
            return theta, False
    return theta, True


def _sb2010_scaling(restricted: SemResults, general: SemResults) -> tuple[float, list[FitWarning]]:
    """``c10``: the general model's scaling factor at the restricted estimates."""
    model = general.model
    theta, reproduced = _m10_theta(restricted, general)
    records = []
    if not reproduced:
        records.append(
            FitWarning(
                "M10_NOT_NESTED",
                "The general model with the restricted model's estimates, taken parameter by "
                "parameter (lavaan's M10 model), does not reproduce the restricted model (e.g. "
                "latent means fixed in one model and free in the other). The Satorra-Bentler "
                "(2010) scaling factor is computed there, as lavaan does, but its theory "
                "assumes the same solution; prefer the default (2001) method.",
            )
        )
    hessian = model.hessian(theta)
    eigenvalues = np.linalg.eigvalsh(-0.5 * (hessian + hessian.T))
    if eigenvalues.size and eigenvalues[0] < -(np.finfo(float).eps ** 0.75):
        records.append(
            FitWarning(
                "M10_NOT_PD",
                "The information matrix of the general model at the restricted estimates "
                "(lavaan's M10 model) is not positive definite; the Satorra-Bentler (2010) "
                "scaling factor may be unreliable (lavaan warns and reports it too).",
            )
        )
    # lavaan inverts the M10 information even when it is not positive definite
    scores = model.scores(theta)
    blocks = np.cumsum([0, *[g.n for g in model.data.groups]])
    first_order = sum(
        meat(scores[blocks[i] : blocks[i + 1]], g.clusters) for i, g in enumerate(model.data.groups)
    )
    try:
        trace_h0 = float(np.sum(np.asarray(first_order) * np.linalg.inv(-hessian)))
    except np.linalg.LinAlgError:
        return math.nan, records
    assert general.robust is not None
    factor = (general.robust.trace_h1 - trace_h0) / int(general.fit["df"])
    return (factor if factor >= 0 else math.nan), records


def lr_test(restricted: SemResults, general: SemResults, method: str | None = None) -> LRTest:
    """Likelihood-ratio (chi-square difference) test of nested models, as lavaan's ``lavTestLRT``.

    Parameters
    ----------
    restricted
        The model with more degrees of freedom (the general one plus constraints).
    general
        The less restricted model, fitted to the same data with the same options.
    method
        None (or ``"default"``): lavaan's default, the standard difference for
        ML fits and ``"satorra.bentler.2001"`` for fits with a scaled test
        (MLR, sampling weights, clusters); ``"satorra.bentler.2010"`` (scaled
        fits only) or ``"standard"`` (the unscaled difference, any fits).

    Returns
    -------
    LRTest

    Raises
    ------
    SpecError
        Fits that did not converge, of different data or variables, not in the
        order (restricted, general), with equal degrees of freedom, a restricted
        model that fits better (not nested), one scaled and one unscaled fit, a
        scaled method for ML fits, an unknown method, or (SB2010) a general model
        that cannot reproduce the restricted one parameter by parameter.

    Examples
    --------
    >>> import warnings; warnings.simplefilter("ignore")
    >>> from ilb_eval.datasets import load_example_growth_data
    >>> from ilb_eval.sem import growth
    >>> data = load_example_growth_data("belastbarkeit")
    >>> free = "i =~ 1*t1 + 1*t3 + 1*t4\\ns =~ 0*t1 + 2*t3 + 3*t4"
    >>> equal = free + "\\nt1 ~~ e*t1\\nt3 ~~ e*t3\\nt4 ~~ e*t4"
    >>> test = lr_test(growth(equal, data, estimator="MLR"), growth(free, data, estimator="MLR"))
    >>> test.method, test.df_diff
    ('satorra.bentler.2001', 2)
    """
    df_diff, scaled = _check_pair(restricted, general)
    name = _method_name(method, scaled)
    if name != "standard" and not scaled:
        raise SpecError(
            f"method {name!r} scales the difference of robust (scaled) tests, but both fits are "
            "ML without a scaled test; use the default (standard) test, or fit both models "
            "with estimator='MLR'."
        )
    difference = max(float(restricted.fit["chisq"]) - float(general.fit["chisq"]), 0.0)
    if name == "standard":
        groups = len(general.group_labels)
        return LRTest(
            chisq_diff=difference,
            df_diff=df_diff,
            pvalue=float(stats.chi2.sf(difference, df_diff)),
            method=name,
            rmsea=rmsea(difference, df_diff, general.ntotal, groups),
        )
    r0, r1 = int(restricted.fit["df"]), int(general.fit["df"])
    c0 = float(restricted.fit["chisq_scaling_factor"])
    records: list[FitWarning] = []
    if name == "satorra.bentler.2001":
        c1 = float(general.fit["chisq_scaling_factor"]) if r1 > 0 else 1.0
    else:
        c1, records = _sb2010_scaling(restricted, general) if r1 > 0 else (1.0, [])
    cd = (r0 * c0 - r1 * c1) / df_diff
    if name == "satorra.bentler.2001" and not cd >= 0:
        records.append(
            FitWarning(
                "NEGATIVE_SCALING",
                f"The scaling factor of the Satorra-Bentler (2001) difference is negative "
                f"({cd:.4g}); there is no scaled test. Use method='satorra.bentler.2010'.",
            )
        )
        cd = math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = float(np.float64(difference) / cd)
    for record in records:
        warnings.warn(record.message, IlbEvalWarning, stacklevel=2)
    return LRTest(
        chisq_diff=statistic,
        df_diff=df_diff,
        pvalue=float(stats.chi2.sf(statistic, df_diff)),
        method=name,
        scaling_factor=cd,
        warnings=tuple(records),
    )


@dataclass(frozen=True)
class WaldTest:
    """Result of :func:`wald_test`: ``stat ~ chi2(df)`` under the constraints.

    ``se`` names the covariance matrix used, as lavaan: ``"standard"``,
    ``"robust.huber.white"`` (sandwich) or ``"robust.cluster"``.
    """

    stat: float
    df: int
    pvalue: float
    se: str = "standard"


def _se_name(res: SemResults) -> str:
    if res.options.cluster:
        return "robust.cluster"
    if res.robust is not None:
        return "robust.huber.white"
    return "standard"


def wald_test(res: SemResults, constraints: str) -> WaldTest:
    """Wald test of equality constraints on labelled parameters, as lavaan's ``lavTestWald``.

    Parameters
    ----------
    res
        A converged fit.
    constraints
        lavaan constraint syntax on the labels (and ``:=`` names) of the
        model, one constraint per line or separated by ``;``: ``"a == b"``,
        ``"a == 1; tx6 == 1.2"``, ``"a - 2*b == 0"``, ``"a*b == c"``.

    Returns
    -------
    WaldTest

    Raises
    ------
    SpecError
        A fit that did not converge, no ``==`` constraint, a constraint of
        another kind, a name that is not a label, or a syntax error
        (:class:`~ilb_eval.sem.ModelSyntaxError`, with line and column).

    Examples
    --------
    >>> import warnings; warnings.simplefilter("ignore")
    >>> from ilb_eval.datasets import load_example_growth_data
    >>> from ilb_eval.sem import growth
    >>> data = load_example_growth_data("belastbarkeit")
    >>> res = growth("i =~ 1*t1 + 1*t3 + 1*t4\\ns =~ 0*t1 + 2*t3 + 3*t4\\ns ~ b*ilb", data)
    >>> test = wald_test(res, "b == 0")
    >>> test.df, test.se
    (1, 'standard')
    """
    if not res.converged:
        raise SpecError("the model did not converge; a Wald test needs estimates at the maximum.")
    parsed = parse_model(constraints)
    if parsed.terms or parsed.definitions or not parsed.constraints:
        raise SpecError(
            "wald_test needs equality constraints on parameter labels only, such as "
            "'a == b; c == 0' (no model formulas or := definitions)."
        )
    other = [c for c in parsed.constraints if c.op != "=="]
    if other:
        raise SpecError(
            f"wald_test tests equality constraints (==); '{other[0].lhs.text} {other[0].op} "
            f"{other[0].rhs.text}' is an inequality. Write it with ==."
        )
    space = res.model.space
    space.check(parsed.constraints)
    free = res.model.reparam.free(res.theta)

    def values(point: np.ndarray) -> np.ndarray:
        named = space.values(point)
        return np.array([float(c.lhs.evaluate(named)) - float(c.rhs.evaluate(named))
                         for c in parsed.constraints])  # fmt: skip

    g = values(free)
    jac = np.empty((len(g), len(free)))
    for j in range(len(free)):
        h = 1e-6 * max(1.0, abs(float(free[j])))
        up, down = free.copy(), free.copy()
        up[j] += h
        down[j] -= h
        jac[:, j] = (values(up) - values(down)) / (2.0 * h)
    middle = jac @ res.vcov @ jac.T
    with np.errstate(invalid="ignore"):
        stat = float(g @ np.linalg.solve(middle, g)) if np.all(np.isfinite(middle)) else math.nan
    df = len(g)
    return WaldTest(stat=stat, df=df, pvalue=float(stats.chi2.sf(stat, df)), se=_se_name(res))
