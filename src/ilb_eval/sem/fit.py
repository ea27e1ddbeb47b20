"""Fitting a bound model: the named stages from a :class:`SemModel` to :class:`SemResults`.

Stages: unrestricted model h1 per group -> start values -> maximisation
(Fisher scoring, then Newton on the observed Hessian) -> optional perturbed
starts -> covariance of the estimates (observed information; sandwich for
MLR, weights and clusters) -> estimates, standard errors, z, p and 95%
intervals into the parameter table, defined parameters by the delta method ->
standardized solutions -> fit measures -> admissibility checks and warnings.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import replace
from functools import partial

import numpy as np
import pandas as pd
from scipy import stats

from ilb_eval.exceptions import (
    ConvergenceWarning,
    IlbEvalWarning,
    InadmissibleSolutionWarning,
    InputError,
    MissingDataWarning,
    Problem,
    SpecError,
)
from ilb_eval.sem.constraints import Reparameterisation, linear_equalities, linear_system
from ilb_eval.sem.estimate import Optimum, maximize, observed_vcov
from ilb_eval.sem.fitmeasures import degrees_of_freedom, fit_measures
from ilb_eval.sem.h1 import Saturated, fit_saturated
from ilb_eval.sem.model import SemModel
from ilb_eval.sem.multistart import (
    LOGL_TOLERANCE,
    STEPS_PER_START,
    StartsReport,
    best_of_starts,
)
from ilb_eval.sem.representation import GroupState
from ilb_eval.sem.results import SemResults
from ilb_eval.sem.reuse import remembered
from ilb_eval.sem.robust import robust_parts
from ilb_eval.sem.standardize import standardized
from ilb_eval.sem.starts import start_free
from ilb_eval.sem.status import LOW_COVERAGE_LIMIT, FitStatus, FitWarning, coverage_matrix

__all__ = ["fit_model"]

_Z975 = float(stats.norm.ppf(0.975))
Record = tuple[FitWarning, type[IlbEvalWarning]]


def _kinds(model: SemModel) -> np.ndarray:
    """Kind of each estimated parameter for the perturbed starts: var, cov or loc."""
    kinds = np.full(model.n_free, "loc", dtype=object)
    table = model.partable.table
    for free, op, lhs, rhs in zip(table["free"], table["op"], table["lhs"], table["rhs"],
                                  strict=True):  # fmt: skip
        if free > 0 and op == "~~":
            kinds[free - 1] = "var" if lhs == rhs else "cov"
    if model.reparam.n_constraints:  # theta mixes free parameters: treat as locations
        return np.full(model.n_theta, "loc")
    return kinds.astype(str)


def _coverage(model: SemModel) -> tuple[float, list[Record]]:
    """Lowest pairwise coverage; ZERO_COVERAGE / LOW_COVERAGE warnings per group."""
    records: list[Record] = []
    names = model.data.y_names
    p = len(names)
    lowest = 1.0
    for group in model.data.groups:
        cover = coverage_matrix(list(group.patterns), p)
        lowest = min(lowest, float(cover.min()))
        pairs = [(a, b) for a in range(p) for b in range(a + 1, p)]
        zero = [f"{names[a]}-{names[b]}" for a, b in pairs if cover[a, b] == 0]
        low = [
            f"{names[a]}-{names[b]} ({_share_below(cover[a, b])})"
            for a, b in pairs
            if 0 < cover[a, b] < LOW_COVERAGE_LIMIT
        ]
        where = f" in group {group.label}" if group.label else ""
        if zero:
            records.append(
                (
                    FitWarning(
                        "ZERO_COVERAGE",
                        f"No person has both variables of the pair(s) {', '.join(zero)}{where}; "
                        "their covariance is not identified by the data.",
                    ),
                    MissingDataWarning,
                )
            )
        if low:
            records.append(
                (
                    FitWarning(
                        "LOW_COVERAGE",
                        f"Because of missing values, fewer than {LOW_COVERAGE_LIMIT:.0%} of the "
                        f"persons{where} are observed on both variables of the pair(s) "
                        f"{', '.join(low)}; the covariances of these variables rest on few "
                        "persons. Look at the attrition pattern before trusting the variance "
                        "estimates.",
                    ),
                    MissingDataWarning,
                )
            )
    return lowest, records


def _share_below(share: float) -> str:
    """A share as a percentage rounded down, so that 9.95 % never prints as 10.0 %.

    >>> _share_below(0.0995), _share_below(20 / 300)
    ('9.9%', '6.6%')
    """
    return f"{np.floor(share * 1000.0) / 1000.0:.1%}"


def _local_optimum_warning(starts: StartsReport) -> FitWarning:
    if starts.best_logl > starts.default_logl + LOGL_TOLERANCE:
        what = (
            f"a perturbed start reached a higher log-likelihood ({starts.best_logl:.6f}) than the "
            f"default start ({starts.default_logl:.6f}); the better solution is reported"
        )
    else:
        what = (
            "perturbed starts reached the same log-likelihood with estimates up to "
            f"{starts.max_estimate_difference:.2e} apart (a flat ridge)"
        )
    return FitWarning(
        "LOCAL_OPTIMUM",
        f"The {starts.n_starts} extra starts disagree: {what}. The likelihood may have several "
        "maxima or the model may be empirically not identified. Look at the smallest "
        "eigenvalue of the information matrix in the status record and simplify the model "
        "if it is near zero.",
    )


def _admissibility(model: SemModel, states: Sequence[GroupState]) -> tuple[dict, dict, dict]:
    """Negative variances and non-PD latent covariance matrices, per group label."""
    neg_ov, neg_lv, not_pd = {}, {}, {}
    for group, state, data in zip(model.groups, states, model.data.groups, strict=True):
        diag = np.diag(state.phi)
        p = group.p
        neg_ov[data.label] = tuple(v for v, s in zip(group.y_names, diag[:p], strict=True)
                                   if s < 0)  # fmt: skip
        neg_lv[data.label] = tuple(v for v, s in zip(group.lv_names, diag[p:], strict=True)
                                   if s < 0)  # fmt: skip
        psi = state.phi[p:, p:]
        not_pd[data.label] = bool(
            psi.size and np.linalg.eigvalsh(psi)[0] < -(np.finfo(float).eps ** 0.75)
        )
    return neg_ov, neg_lv, not_pd


def _admissibility_records(neg_ov: dict, neg_lv: dict, not_pd: dict) -> list[Record]:
    records: list[Record] = []
    for label in neg_ov:
        where = f" in group {label}" if label else ""
        if neg_ov[label]:
            records.append(
                (
                    FitWarning(
                        "NEG_OV_VARIANCE",
                        f"Some estimated (residual) variances of observed variables are "
                        f"negative{where}: {', '.join(neg_ov[label])}.",
                    ),
                    InadmissibleSolutionWarning,
                )
            )
        if neg_lv[label]:
            records.append(
                (
                    FitWarning(
                        "NEG_LV_VARIANCE",
                        f"Some estimated variances of latent variables are negative{where}: "
                        f"{', '.join(neg_lv[label])}.",
                    ),
                    InadmissibleSolutionWarning,
                )
            )
        elif not_pd[label]:
            records.append(
                (
                    FitWarning(
                        "NONPD_LV_COV",
                        "The covariance matrix of the latent variables is not positive "
                        f"definite{where}.",
                    ),
                    InadmissibleSolutionWarning,
                )
            )
    return records


def _check_singular_data(model: SemModel, saturated: Sequence[Saturated]) -> None:
    """SINGULAR_DATA: observed variables that are (nearly) linear combinations of others.

    Their unrestricted covariance matrix is singular, so the likelihood has no
    maximum; refused with the variables named (lavaan warns and fails to converge).
    """
    names = model.data.y_names
    problems = []
    for sat, data in zip(saturated, model.data.groups, strict=True):
        sd = np.sqrt(np.clip(np.diag(sat.sigma), 1e-300, None))
        corr = sat.sigma / np.outer(sd, sd)
        values, vectors = np.linalg.eigh(0.5 * (corr + corr.T))
        if values[0] > 1e-8 and sat.converged:
            continue
        weights = np.abs(vectors[:, 0])
        involved = [names[j] for j in np.flatnonzero(weights > 0.1)] or list(names)
        where = f" in group {data.label}" if data.label else ""
        problems.append(
            Problem(
                code="SINGULAR_DATA",
                message=f"the variables {', '.join(involved)} are (nearly) linear combinations "
                f"of each other{where}, so the likelihood has no maximum",
                expected="variables that are not copies or sums of each other",
                found=f"smallest eigenvalue of their correlation matrix {values[0]:.1e}",
                fix="drop one of them from the model (a copied column, a sum score next to "
                "its items, or a variable without variance)",
            )
        )
    if problems:
        raise InputError(problems)


def _moments_count(model: SemModel) -> int:
    """Sample moments per group: means, (co)variances of y, y-x covariances."""
    p, q = len(model.data.y_names), len(model.data.x_names)
    return p * (p + 1) // 2 + p + p * q


def _theta_bounds(model: SemModel) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Bounds of the estimated parameters from the table's lower/upper columns."""
    table = model.partable.table
    rows = table[(table["free"] > 0)]
    low = np.full(model.n_free, -np.inf)
    high = np.full(model.n_free, np.inf)
    for free, lo, hi in zip(rows["free"], rows["lower"], rows["upper"], strict=True):
        low[free - 1] = max(low[free - 1], lo)
        high[free - 1] = min(high[free - 1], hi)
    bounded = np.flatnonzero(np.isfinite(low) | np.isfinite(high))
    if not len(bounded):
        return None, None
    k, k0 = model.reparam.k, model.reparam.k0
    theta_low = np.full(model.n_theta, -np.inf)
    theta_high = np.full(model.n_theta, np.inf)
    for j in bounded:
        nonzero = np.flatnonzero(np.abs(k[j]) > 1e-12)
        if len(nonzero) != 1 or np.count_nonzero(np.abs(k[:, nonzero[0]]) > 1e-12) != 1:
            raise SpecError(
                "lower()/upper() bounds on a parameter that also takes part in an equality "
                "constraint are not supported. Drop the bound or the constraint."
            )
        i, coef = nonzero[0], k[j, nonzero[0]]
        ends = sorted([(low[j] - k0[j]) / coef, (high[j] - k0[j]) / coef])
        theta_low[i], theta_high[i] = ends
    return theta_low, theta_high


def _optimise(
    model: SemModel, start_free_vector: np.ndarray, n_total: float, max_iter: int
) -> tuple[SemModel, Optimum, np.ndarray]:
    """Maximise under bounds and (linear) inequality constraints, by an active set.

    An inequality that the solution violates becomes an equality and the model
    is refitted; an active one whose Lagrange multiplier has the wrong sign is
    released. Returns the model with the final constraints, the optimum and
    the start it was reached from.
    """
    inequalities = [c for c in model.partable.constraints if c.op in ("<", ">")]
    equalities = [c for c in model.partable.constraints if c.op == "=="]
    matrix, base = linear_system(model.space, inequalities, model.n_free)
    eq_matrix, _ = linear_system(model.space, equalities, model.n_free)
    active: list[int] = []
    warm = start_free_vector
    for _ in range(2 * len(inequalities) + 1):
        extra = (matrix[active], base[active]) if active else None
        current = replace(
            model,
            reparam=linear_equalities(model.space, equalities, model.n_free, extra),
        )
        lower, upper = _theta_bounds(current)
        # refits start from the last solution, moved onto the new constraints
        start = current.reparam.theta(warm)
        optimum = maximize(current.evaluate, start, n_total, max_iter=max_iter,
                           hessian=current.hessian, lower=lower, upper=upper)  # fmt: skip
        if not inequalities:
            return current, optimum, start
        free = current.reparam.free(optimum.x)
        if optimum.converged:
            warm = free
        values = base + matrix @ free
        slack = 1e-9 * (1.0 + np.abs(base))
        violated = [i for i in range(len(inequalities)) if i not in active and values[i] < -slack[i]]
        if violated:
            active.append(min(violated, key=lambda i: values[i]))
            continue
        if active:
            unconstrained = replace(model, reparam=Reparameterisation.identity(model.n_free))
            gradient = unconstrained.gradient(free)
            rows = np.vstack([matrix[active], eq_matrix])
            multipliers = np.linalg.lstsq(rows.T, -gradient, rcond=None)[0][: len(active)]
            wrong = np.flatnonzero(multipliers < -1e-6 * (1.0 + np.abs(gradient).max()))
            if len(wrong):
                active.pop(int(wrong[np.argmin(multipliers[wrong])]))
                continue
        return current, optimum, start
    return current, optimum, start


def fit_model(
    model: SemModel,
    *,
    max_iter: int = 500,
    n_starts: int = 0,
    seed: int = 0,
    started: float | None = None,
) -> SemResults:
    """Estimate a bound model and assemble its results.

    Parameters
    ----------
    model
        The model bound to data (:func:`~ilb_eval.sem.build.build_model`).
    max_iter
        Largest number of iterations.
    n_starts
        Extra perturbed starts after the default fit (LOCAL_OPTIMUM when they
        disagree; 0 switches them off, as lavaan).
    seed
        Seed of the perturbed starts.
    started
        ``time.perf_counter()`` when the work began (for ``seconds``).

    Returns
    -------
    SemResults
    """
    started = time.perf_counter() if started is None else started
    records: list[Record] = []
    if model.data.n_dropped:
        records.append(
            (
                FitWarning("ROWS_DROPPED", "Dropped " + model.data.dropped_text() + "."),
                MissingDataWarning,
            )
        )
    zero = sum(int(np.sum(g.weights == 0)) for g in model.data.groups if g.weights is not None)
    if zero:
        records.append(
            (
                FitWarning(
                    "ZERO_WEIGHTS",
                    f"{zero} row(s) have sampling weight 0: they count in the sample size but "
                    "add nothing to the estimates. Drop them before fitting if they should "
                    "not count at all.",
                ),
                MissingDataWarning,
            )
        )
    lowest_coverage, coverage_records = _coverage(model)
    records.extend(coverage_records)
    saturated: list[Saturated] = []
    moments = []
    for group, data in zip(model.groups, model.data.groups, strict=True):
        sat = remembered("saturated", data, partial(fit_saturated, data.blocks, group.p, group.k))
        saturated.append(sat)
        mean, cov = sat.joint_moments(data.x_mean, data.x_cov)
        moments.append((group.y_names + group.x_names, mean, cov))
    _check_singular_data(model, saturated)
    start_vector = start_free(model.partable.table, model.n_free, moments, model.partable.names.lv)
    n_total = float(sum(g.n_weighted for g in model.data.groups))
    npar = model.n_theta  # lavaan's npar: inequality constraints do not count
    model, optimum, start = _optimise(model, start_vector, n_total, max_iter)
    starts = StartsReport(0, (), optimum.evaluation.logl, optimum.evaluation.logl, 0.0, False)
    if n_starts > 0:
        optimum, starts = best_of_starts(
            model.evaluate,
            start,
            _kinds(model),
            optimum,
            n_total,
            n_starts=n_starts,
            seed=seed,
            n_steps=min(STEPS_PER_START, max_iter),
            max_iter=max_iter,
            hessian=model.hessian,
        )
        if starts.disagree and optimum.converged:  # NOT_CONVERGED says it otherwise
            records.append((_local_optimum_warning(starts), ConvergenceWarning))
    if not optimum.converged:
        records.append(
            (
                FitWarning(
                    "NOT_CONVERGED",
                    f"The optimizer did not converge after {optimum.iterations} iterations "
                    f"(largest gradient per person {optimum.max_gradient:.2e}); the estimates "
                    "are not a solution and no inference is reported. Fix: check the data for "
                    "undeclared missing codes and outliers, or simplify the model.",
                ),
                ConvergenceWarning,
            )
        )
    hessian = optimum.hessian if optimum.hessian is not None else model.hessian(optimum.x)
    vcov_theta, smallest = observed_vcov(hessian)
    states = model.states(optimum.x)
    assert states is not None
    robust = None
    if model.options.robust or model.options.sampling_weights or model.options.cluster:
        df, baseline_df = degrees_of_freedom(model, npar)
        robust = robust_parts(
            model.scores(optimum.x), hessian, model.data.groups, saturated, df, baseline_df
        )
        vcov_theta = robust.vcov
    fit = fit_measures(
        model, optimum.x, saturated, robust, logl=optimum.evaluation.logl, npar=npar
    )
    if optimum.converged and not np.all(np.isfinite(vcov_theta)):
        records.append(
            (
                FitWarning(
                    "INFO_SINGULAR",
                    "Could not compute standard errors: the information matrix is singular or "
                    f"not positive definite (smallest relative eigenvalue {smallest:.2e}), so "
                    "the estimates are not unique: the model is not identified by these data. "
                    "Check for a variable that copies another (the same covariate twice), "
                    "a variable that hardly varies, or extreme values (a missing-value code "
                    "such as 9999 read as a number).",
                ),
                InadmissibleSolutionWarning,
            )
        )
    neg_ov, neg_lv, not_pd = _admissibility(model, states)
    if optimum.converged:  # the checks of a non-solution would only add noise
        records.extend(_admissibility_records(neg_ov, neg_lv, not_pd))
    k = model.reparam.k
    free = model.reparam.free(optimum.x)
    vcov_free = k @ vcov_theta @ k.T
    params = _parameter_table(model, free, vcov_free, states)
    if not optimum.converged:
        fit = {key: (v if key in ("npar", "ntotal", "df") else np.nan) for key, v in fit.items()}
        cols = ["est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_lv", "std_all", "std_nox"]
        params.loc[params["free"] > 0, cols] = np.nan
        params.loc[params["op"] == ":=", cols] = np.nan
    for record, category in records:
        warnings.warn(record.message, category, stacklevel=3)
    status = FitStatus(
        converged=optimum.converged,
        iterations=optimum.iterations,
        max_abs_gradient=float(np.max(np.abs(optimum.evaluation.gradient), initial=0.0))
        if optimum.evaluation.gradient is not None
        else float("nan"),
        min_information_eigenvalue=float(np.linalg.eigvalsh(-0.5 * (hessian + hessian.T))[0])
        if hessian.size
        else float("nan"),
        negative_ov_variances=neg_ov,
        negative_lv_variances=neg_lv,
        lv_cov_not_pd=not_pd,
        min_pairwise_coverage=lowest_coverage,
        rows_dropped=dict(model.data.n_dropped),
        n_starts=starts.n_starts,
        starts_agree=not starts.disagree,
        warnings=tuple(r.code for r, _ in records),
    )
    return SemResults(
        model=model,
        theta=optimum.x,
        _params=params,
        fit=fit,
        converged=optimum.converged,
        warnings=tuple(r for r, _ in records),
        status=status,
        vcov=vcov_free if optimum.converged else np.full_like(vcov_free, np.nan),
        hessian=hessian,
        saturated=tuple(saturated),
        robust=robust,
        seconds=time.perf_counter() - started,
        iterations=optimum.iterations,
    )


def _parameter_table(
    model: SemModel, free: np.ndarray, vcov_free: np.ndarray, states: Sequence[GroupState]
) -> pd.DataFrame:
    """lavaan's parameterEstimates: est, se, z, p, CI, std_lv, std_all, std_nox per row."""
    table = model.partable.table
    shown = table[~table["op"].isin(["==", "<", ">"])].copy()
    index = shown["free"].to_numpy()
    is_free = index > 0
    est = shown["ustart"].to_numpy(dtype=float).copy()
    est[is_free] = free[index[is_free] - 1]
    var_free = np.diag(vcov_free).copy()
    # parameters that constraints determine completely (an active inequality,
    # a == 0.5) have no sampling variance: no standard error (NA; lavaan prints
    # NA or 0 there, depending on the sign of its rounding noise)
    var_free[np.abs(var_free) < 1e-14 * np.max(np.abs(var_free), initial=0.0)] = np.nan
    with np.errstate(invalid="ignore"):
        se_free = np.sqrt(var_free)
    se = np.zeros(len(shown))
    se[is_free] = se_free[index[is_free] - 1]
    definitions = shown["op"].to_numpy() == ":="
    if definitions.any():
        est[definitions] = model.space.defined(free)
        jac = model.space.defined_jacobian(free)
        with np.errstate(invalid="ignore"):
            se[definitions] = np.sqrt(np.diag(jac @ vcov_free @ jac.T))
    estimated = is_free | definitions
    z = np.full(len(shown), np.nan)
    varying = estimated & (se > 0)
    z[varying] = est[varying] / se[varying]
    pvalue = 2.0 * stats.norm.sf(np.abs(z))
    shown["est"] = est
    shown["se"] = se
    shown["z"] = z
    shown["pvalue"] = pvalue
    shown["ci_lower"] = est - _Z975 * se
    shown["ci_upper"] = est + _Z975 * se
    variances = []
    lv = model.partable.names.lv
    for group, state, data in zip(model.groups, states, model.data.groups, strict=True):
        _, cov = group.total_moments(state, data.x_mean, data.x_cov)
        names = group.y_names + group.lv_names + group.x_names
        variances.append(dict(zip(names, np.diag(cov), strict=True)))
    for kind in ("std_lv", "std_all", "std_nox"):
        column = standardized(shown, est, variances, lv, model.data.x_names, kind)
        if definitions.any():
            column[definitions] = _defined_at(model, shown, column)
        shown[kind] = column
    return shown.reset_index(drop=True)


def _defined_at(model: SemModel, shown: pd.DataFrame, column: np.ndarray) -> np.ndarray:
    """Defined parameters evaluated at standardized values (first row of each free index)."""
    values = np.full(model.n_free, np.nan)
    index = shown["free"].to_numpy()
    for r in np.flatnonzero(index > 0)[::-1]:
        values[index[r] - 1] = column[r]
    return model.space.defined(values)
