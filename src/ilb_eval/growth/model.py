"""Fitting a growth model: the named stages from data to :class:`GrowthResults`.

Stages: check and split the data (:mod:`~ilb_eval.growth.data`) -> missing-data
patterns and sufficient statistics (:mod:`~ilb_eval.growth.patterns`) -> h1
(:mod:`~ilb_eval.growth.saturated`) -> parameter table
(:mod:`~ilb_eval.growth.partable`) -> start values -> Newton maximisation
(:mod:`~ilb_eval.growth.optimize`) -> standard errors from the observed
information -> standardized solution -> fit measures -> admissibility checks.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from ilb_eval.exceptions import (
    ConvergenceWarning,
    IlbEvalWarning,
    InadmissibleSolutionWarning,
    MissingDataWarning,
    SpecError,
)
from ilb_eval.growth.basis import (
    FreeTimeScores,
    casewise_time_score_scores,
    time_score_gradient,
    time_score_information,
    with_numeric_time_score_rows,
)
from ilb_eval.growth.data import PreparedData, prepare_data
from ilb_eval.growth.fitmeasures import fit_measures, srmr_bentler
from ilb_eval.growth.likelihood import Evaluation, Structure, evaluate
from ilb_eval.growth.matrices import (
    GroupMatrices,
    ParameterMap,
    group_matrices,
    growth_structure,
    local_index,
)
from ilb_eval.growth.optimize import Optimum, maximize, observed_vcov
from ilb_eval.growth.partable import build_partable
from ilb_eval.growth.patterns import Pattern, pattern_stats
from ilb_eval.growth.results import GrowthResults, GrowthWarning
from ilb_eval.growth.robust import (
    GroupInput,
    MLRParts,
    casewise_scores,
    mlr_parts,
    scaled_fit_measures,
)
from ilb_eval.growth.saturated import Saturated, baseline_logl, fit_saturated
from ilb_eval.growth.spec import GrowthSpec
from ilb_eval.growth.standardize import std_all
from ilb_eval.growth.starts import (
    LOGL_TOLERANCE,
    STEPS_PER_START,
    StartsReport,
    best_of_starts,
)
from ilb_eval.growth.status import LOW_COVERAGE_LIMIT, FitStatus, coverage_matrix
from ilb_eval.privacy import DEFAULT_MIN_CELL_SIZE

__all__ = ["GrowthModel", "GrowthProblem", "fit_growth"]

_Z975 = float(stats.norm.ppf(0.975))
_DROP_TEXT = {
    "missing_group": "a missing group value",
    "missing_covariate": "a missing covariate",
    "no_outcome": "no observed outcome",
}


@dataclass(frozen=True)
class _GroupStats:
    """Per-group ingredients computed once from the data."""

    n: int
    patterns: list[Pattern]
    x_mean: np.ndarray
    x_cov: np.ndarray
    saturated: Saturated
    y: np.ndarray
    x: np.ndarray


def _group_stats(y: np.ndarray, x: np.ndarray) -> _GroupStats:
    patterns = pattern_stats(y, x)
    n = y.shape[0]
    x_mean = x.mean(axis=0)
    centered = x - x_mean
    x_cov = centered.T @ centered / n
    saturated = fit_saturated(patterns, y.shape[1], 1 + x.shape[1])
    return _GroupStats(n, patterns, x_mean, x_cov, saturated, y, x)


def _start_local(
    spec: GrowthSpec, structure: Structure, sat: Saturated, *, safe: bool = False
) -> np.ndarray:
    """Start values of one group from its saturated fit.

    Least squares of the saturated coefficients and covariance matrix on the
    growth structure; when that gives non-positive residual variances or a
    non-PD factor covariance matrix (or ``safe`` is set), half of each
    outcome's variance goes to its residual and the factors get small
    uncorrelated variances, which always gives a PD model covariance matrix.
    """
    p = spec.n_waves
    lam = structure.design
    b_start = np.linalg.lstsq(lam, sat.b, rcond=None)[0]
    basis = structure.basis.reshape(structure.n_cov, -1).T
    c = np.linalg.lstsq(basis, sat.sigma.ravel(), rcond=None)[0]
    diag = np.diag(sat.sigma)
    theta_ok = np.all(c[:p] > 0.05 * diag)
    psi = np.array([[c[p], c[p + 2]], [c[p + 2], c[p + 1]]])
    if safe or not theta_ok or np.linalg.eigvalsh(psi)[0] <= 0:
        c[:p] = 0.5 * diag
        c[p : p + 3] = [0.5 * float(np.mean(diag)), 0.05 * float(np.mean(diag)), 0.0]
    return np.concatenate([c, b_start.ravel()])


class GrowthModel:
    """A latent growth curve model ready to be fitted by FIML.

    Parameters
    ----------
    spec
        The model specification.
    max_iter
        Largest number of Newton iterations.
    min_group_size
        Smallest group of a multi-group model (the minimum cell size, default
        10); smaller groups are refused with an InputError (SMALL_GROUP).
    n_starts
        Extra perturbed starts after the default fit (few Newton steps each;
        LOCAL_OPTIMUM when they disagree; 0 switches them off).
    seed
        Seed of the perturbed starts (:class:`numpy.random.SeedSequence`).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> level = rng.normal(3.0, 0.5, 300); trend = rng.normal(0.1, 0.1, 300)
    >>> data = pd.DataFrame({f"y{t}": level + trend * t + rng.normal(0, 0.3, 300)
    ...                      for t in (0, 2, 3)})
    >>> spec = GrowthSpec(outcomes=("y0", "y2", "y3"), time_scores=(0, 2, 3))
    >>> res = GrowthModel(spec).fit(data)
    >>> res.converged, res.fit["df"]
    (True, 1)
    >>> mean_i = res.params.query("lhs == 'i' and op == '~1'")["est"].iloc[0]
    >>> bool(abs(mean_i - 3.0) < 0.1)
    True
    """

    def __init__(
        self,
        spec: GrowthSpec,
        *,
        max_iter: int = 200,
        min_group_size: int = DEFAULT_MIN_CELL_SIZE,
        n_starts: int = 5,
        seed: int = 0,
    ) -> None:
        if not isinstance(spec, GrowthSpec):
            raise SpecError(
                f"GrowthModel needs a GrowthSpec, got {type(spec).__name__}. "
                "Build one with GrowthSpec(outcomes=..., time_scores=...)."
            )
        self.spec = spec
        self.max_iter = int(max_iter)
        self.min_group_size = int(min_group_size)
        self.n_starts = int(n_starts)
        self.seed = int(seed)

    def __repr__(self) -> str:
        return f"GrowthModel({self.spec!r})"

    def fit(self, data: pd.DataFrame) -> GrowthResults:
        """Fit the model to ``data`` (one row per person).

        Returns
        -------
        GrowthResults

        Raises
        ------
        InputError
            Missing or non-numeric columns, or no usable row.
        SpecError
            The specification cannot be fitted (see :class:`GrowthSpec`).

        Warns
        -----
        MissingDataWarning
            Rows were dropped (counts by reason).
        ConvergenceWarning
            The optimiser did not converge.
        InadmissibleSolutionWarning
            Negative variances, a non-positive-definite factor covariance
            matrix, or a singular information matrix.
        """
        started = time.perf_counter()
        prepared = prepare_data(data, self.spec, min_group_size=self.min_group_size)
        return _fit(self.spec, prepared, started, self.max_iter, self.n_starts, self.seed)

    def problem(self, data: pd.DataFrame) -> GrowthProblem:
        """The model bound to ``data``: objective, start values, parameter table.

        For inspection and testing of the estimation stages; :meth:`fit`
        does everything in one call.
        """
        return _problem(
            self.spec, prepare_data(data, self.spec, min_group_size=self.min_group_size)
        )


@dataclass(frozen=True)
class GrowthProblem:
    """A growth model bound to prepared data: the FIML objective and its pieces.

    Attributes
    ----------
    spec
        The specification.
    labels
        Group labels in group order.
    table
        The parameter table (fixed values and covariate moments filled in).
    structure
        The linear structure shared by the groups, at the specification's
        time scores (see :meth:`structure_at` for a latent basis).
    pmap
        Map from the free parameters to each group's local vector.
    groups
        Per-group patterns, covariate moments and saturated fit.
    time_scores
        The free parameters that are estimated time scores (a latent basis).
    """

    spec: GrowthSpec
    labels: tuple[str, ...]
    table: pd.DataFrame
    structure: Structure
    pmap: ParameterMap
    groups: tuple[_GroupStats, ...]
    time_scores: FreeTimeScores

    @property
    def n_total(self) -> int:
        """Number of persons."""
        return sum(g.n for g in self.groups)

    def objective(self, free: np.ndarray, order: int = 1) -> Evaluation:
        """Log-likelihood (outcomes given covariates) at the free parameters ``free``.

        ``order`` 1 adds the gradient, 2 the observed Hessian and expected
        information (all in the free parameters, in ``free`` numbering).
        """
        evaluation = _evaluate_all(self, free, order)
        if order == 2 and len(self.time_scores) and np.isfinite(evaluation.logl):
            return with_numeric_time_score_rows(
                lambda x: self.objective(x, 1).gradient, free, evaluation, self.time_scores.index
            )
        return evaluation

    def structure_at(self, free: np.ndarray) -> Structure:
        """The linear structure at the time scores in ``free`` (fixed ones: :attr:`structure`)."""
        if not len(self.time_scores):
            return self.structure
        return growth_structure(self.spec, self.time_scores.time_scores(self.spec, free))

    def matrices(self, free: np.ndarray) -> list[GroupMatrices]:
        """Model matrices of every group at the free parameters ``free``."""
        structure = self.structure_at(free)
        return [
            group_matrices(self.spec, structure, self.pmap.local(free, g))
            for g in range(len(self.groups))
        ]

    def start_values(self) -> np.ndarray:
        """Start values of the free parameters (from the saturated fits).

        Falls back to the always admissible simple start when the least-squares
        start, averaged over groups for shared parameters, is not admissible.
        """
        start = _start_free(self.spec, self.structure, self.pmap, self.groups)
        start = self.time_scores.with_starts(self.spec, start)
        if np.isfinite(self.objective(start, 0).logl):
            return start
        safe = _start_free(self.spec, self.structure, self.pmap, self.groups, safe=True)
        return self.time_scores.with_starts(self.spec, safe)


def _problem(spec: GrowthSpec, prepared: PreparedData) -> GrowthProblem:
    groups = tuple(_group_stats(g.y, g.x) for g in prepared.groups)
    labels = prepared.labels
    table = build_partable(spec, labels)
    _fill_x_moments(table, spec, groups)
    structure = growth_structure(spec)
    positions = local_index(table, spec)
    pmap = ParameterMap.from_table(table, positions, len(groups), structure.n_local)
    time_scores = FreeTimeScores.from_table(table, spec)
    return GrowthProblem(spec, labels, table, structure, pmap, groups, time_scores)


def _fit(
    spec: GrowthSpec,
    prepared: PreparedData,
    started: float,
    max_iter: int,
    n_starts: int = 5,
    seed: int = 0,
) -> GrowthResults:
    records: list[tuple[GrowthWarning, type[IlbEvalWarning]]] = []
    if prepared.n_dropped:
        parts = [f"{n} row(s) with {_DROP_TEXT[k]}" for k, n in prepared.n_dropped.items()]
        records.append(
            (
                GrowthWarning("ROWS_DROPPED", "Dropped " + "; ".join(parts) + "."),
                MissingDataWarning,
            )
        )
    problem = _problem(spec, prepared)
    lowest_coverage, coverage_records = _coverage(spec, problem)
    records.extend(coverage_records)
    groups, labels, table = problem.groups, problem.labels, problem.table
    pmap, n_groups = problem.pmap, len(problem.groups)
    start = problem.start_values()
    default = maximize(problem.objective, start, problem.n_total, max_iter=max_iter)
    optimum, starts = best_of_starts(
        problem.objective,
        start,
        _kinds(table, pmap.n_free),
        default,
        problem.n_total,
        n_starts=n_starts,
        seed=seed,
        n_steps=min(STEPS_PER_START, max_iter),
        max_iter=max_iter,
    )
    if starts.disagree:
        records.append((_local_optimum_warning(starts), ConvergenceWarning))
    if not optimum.converged:
        records.append(
            (
                GrowthWarning(
                    "NOT_CONVERGED",
                    f"The optimizer did not converge after {optimum.iterations} iterations "
                    f"(largest gradient per person {optimum.max_gradient:.2e}); the estimates "
                    "are not a solution and no inference is reported. Fix: check the outcomes for "
                    "undeclared missing codes and outliers, or simplify the model (fewer covariates, "
                    "equal residual variances).",
                ),
                ConvergenceWarning,
            )
        )
    matrices = problem.matrices(optimum.x)
    assert optimum.evaluation.hessian is not None
    vcov, smallest = observed_vcov(optimum.evaluation.hessian)
    fit = _fit_measures(spec, groups, matrices, optimum, pmap.n_free)
    if spec.estimator == "MLR":
        parts = _mlr(problem, optimum, matrices, fit)
        fit.update(scaled_fit_measures(fit, parts, n_groups))
        vcov = parts.vcov
    records.extend(_inference(table, optimum, vcov, smallest, converged=optimum.converged))
    table["std_all"] = std_all(
        table, matrices, [(g.x_mean, g.x_cov) for g in groups], spec.outcomes, spec.covariates
    )
    records.extend(_admissibility(matrices, labels))
    if not optimum.converged:
        fit = {k: (v if k in ("npar", "ntotal", "df") else np.nan) for k, v in fit.items()}
        for column in ("est", "se", "z", "pvalue", "ci_lower", "ci_upper"):
            table.loc[table["free"] > 0, column] = np.nan
        table["std_all"] = np.nan
    for record, category in records:
        warnings.warn(record.message, category, stacklevel=3)
    status = FitStatus(
        converged=optimum.converged,
        iterations=optimum.iterations,
        max_abs_gradient=float(np.max(np.abs(optimum.evaluation.gradient), initial=0.0)),
        min_information_eigenvalue=_min_eigenvalue(optimum.evaluation.hessian),
        negative_ov_variances={
            label: tuple(y for y, v in zip(spec.outcomes, np.diag(m.theta), strict=True) if v < 0)
            for m, label in zip(matrices, labels, strict=True)
        },
        negative_lv_variances={
            label: tuple(f for f, v in zip(("i", "s"), np.diag(m.psi), strict=True) if v < 0)
            for m, label in zip(matrices, labels, strict=True)
        },
        lv_cov_not_pd={
            label: bool(np.linalg.eigvalsh(m.psi)[0] < -(np.finfo(float).eps ** 0.75))
            for m, label in zip(matrices, labels, strict=True)
        },
        min_pairwise_coverage=lowest_coverage,
        rows_dropped=dict(prepared.n_dropped),
        n_starts=starts.n_starts,
        starts_agree=not starts.disagree,
        warnings=tuple(r.code for r, _ in records),
    )
    return GrowthResults(
        spec=spec,
        _params=table,
        fit=fit,
        converged=optimum.converged,
        warnings=tuple(r for r, _ in records),
        n_dropped=prepared.n_dropped,
        seconds=time.perf_counter() - started,
        group_labels=labels,
        iterations=optimum.iterations,
        n_patterns=tuple(len(g.patterns) for g in groups),
        status=status,
        vcov=vcov if optimum.converged else np.full_like(vcov, np.nan),
    )


def _min_eigenvalue(hessian: np.ndarray | None) -> float:
    """Smallest eigenvalue of the observed information ``-hessian``."""
    if hessian is None or hessian.size == 0:
        return float("nan")
    return float(np.linalg.eigvalsh(-0.5 * (hessian + hessian.T))[0])


def _kinds(table: pd.DataFrame, n_free: int) -> np.ndarray:
    """Kind of each free parameter for the perturbed starts: var, cov or loc."""
    kinds = np.full(n_free, "loc", dtype=object)
    for f, op, lhs, rhs in zip(table["free"], table["op"], table["lhs"], table["rhs"], strict=True):
        if f > 0 and op == "~~":
            kinds[f - 1] = "var" if lhs == rhs else "cov"
    return kinds.astype(str)


def _local_optimum_warning(starts: StartsReport) -> GrowthWarning:
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
    return GrowthWarning(
        "LOCAL_OPTIMUM",
        f"The {starts.n_starts} extra starts disagree: {what}. The likelihood may have several "
        "maxima or the model may be empirically not identified. Look at the smallest "
        "eigenvalue of the information matrix in the status record and simplify the model "
        "(equal residual variances, fixed slope variance) if it is near zero.",
    )


def _mlr(
    problem: GrowthProblem,
    optimum: Optimum,
    matrices: Sequence[GroupMatrices],
    fit: dict[str, float],
) -> MLRParts:
    """Sandwich covariance and Yuan-Bentler scaling factors at the optimum (``matrices``)."""
    assert optimum.evaluation.hessian is not None
    pmap, free = problem.pmap, problem.time_scores
    structure = problem.structure_at(optimum.x)
    scores = []
    for g, (stats_g, mats) in enumerate(zip(problem.groups, matrices, strict=True)):
        group_scores = casewise_scores(structure, pmap.local(optimum.x, g), stats_g.y, stats_g.x)
        group_scores = group_scores @ pmap.jacobian[g]
        if len(free):
            by_wave = casewise_time_score_scores(mats, stats_g.y, stats_g.x)
            group_scores[:, free.index] += by_wave[:, free.wave]
        scores.append(group_scores)
    return mlr_parts(
        np.vstack(scores),
        [GroupInput(g.y, g.x, g.patterns, g.saturated) for g in problem.groups],
        optimum.evaluation.hessian,
        int(fit["df"]),
        int(fit["baseline_df"]),
    )


def _fill_x_moments(table: pd.DataFrame, spec: GrowthSpec, groups: Sequence[_GroupStats]) -> None:
    cov_index = {x: c for c, x in enumerate(spec.covariates)}
    est = table["est"].to_numpy(dtype=float).copy()
    rows = zip(table["lhs"], table["op"], table["rhs"], table["group"], strict=True)
    for row, (lhs, op, rhs, group) in enumerate(rows):
        g = groups[int(group) - 1]
        if op == "~~" and lhs in cov_index:
            est[row] = g.x_cov[cov_index[lhs], cov_index[rhs]]
        elif op == "~1" and lhs in cov_index:
            est[row] = g.x_mean[cov_index[lhs]]
    table["est"] = est


def _start_free(
    spec: GrowthSpec,
    structure: Structure,
    pmap: ParameterMap,
    groups: Sequence[_GroupStats],
    *,
    safe: bool = False,
) -> np.ndarray:
    """Average the groups' local start values onto the free parameters."""
    total = np.zeros(pmap.n_free)
    count = np.zeros(pmap.n_free)
    for g, stats_g in enumerate(groups):
        local = _start_local(spec, structure, stats_g.saturated, safe=safe)
        jac = pmap.jacobian[g]
        total += jac.T @ local
        count += jac.sum(axis=0)
    return total / np.maximum(count, 1.0)


def _evaluate_all(problem: GrowthProblem, free: np.ndarray, order: int) -> Evaluation:
    """Conditional log-likelihood over all groups and its free-parameter derivatives.

    For estimated time scores the gradient and the expected information are
    analytic; their Hessian rows are left at zero here (see
    :meth:`GrowthProblem.objective`).
    """
    pmap, time_scores = problem.pmap, problem.time_scores
    structure = problem.structure_at(free)
    logl = 0.0
    n = pmap.n_free
    grad = np.zeros(n)
    hess = np.zeros((n, n))
    info = np.zeros((n, n))
    for g, stats_g in enumerate(problem.groups):
        local = pmap.local(free, g)
        ev = evaluate(structure, local, stats_g.patterns, order)
        if not np.isfinite(ev.logl):
            return Evaluation(logl=-np.inf)
        logl += ev.logl
        jac = pmap.jacobian[g]
        if ev.gradient is not None:
            grad += jac.T @ ev.gradient
            if len(time_scores):
                mats = group_matrices(problem.spec, structure, local)
                by_wave = time_score_gradient(mats, ev)
                grad[time_scores.index] += by_wave[time_scores.wave]
        if ev.hessian is not None and ev.information is not None:
            hess += jac.T @ ev.hessian @ jac
            info += jac.T @ ev.information @ jac
            if len(time_scores):
                index, wave = time_scores.index, time_scores.wave
                cross, own = time_score_information(structure, mats, stats_g.patterns)
                rows = jac.T @ cross[:, wave]
                info[:, index] += rows
                info[index, :] += rows.T
                info[np.ix_(index, index)] += own[np.ix_(wave, wave)]
    if order == 0:
        return Evaluation(logl=logl)
    if order == 1:
        return Evaluation(logl=logl, gradient=grad)
    return Evaluation(logl=logl, gradient=grad, hessian=hess, information=info)


def _inference(
    table: pd.DataFrame,
    optimum: Optimum,
    vcov: np.ndarray,
    smallest: float,
    *,
    converged: bool,
) -> list[tuple[GrowthWarning, type[IlbEvalWarning]]]:
    """Write estimates, SEs (from ``vcov``), z, p and 95% CIs into the table."""
    records: list[tuple[GrowthWarning, type[IlbEvalWarning]]] = []
    if converged and not np.all(np.isfinite(vcov)):
        records.append(
            (
                GrowthWarning(
                    "INFO_SINGULAR",
                    "Could not compute standard errors: the information matrix is singular or "
                    f"not positive definite (smallest relative eigenvalue {smallest:.2e}); the "
                    "model may not be identified.",
                ),
                InadmissibleSolutionWarning,
            )
        )
    free = table["free"].to_numpy()
    is_free = free > 0
    est = table["est"].to_numpy(dtype=float).copy()
    est[is_free] = optimum.x[free[is_free] - 1]
    with np.errstate(invalid="ignore"):
        se_free = np.sqrt(np.diag(vcov))
    se = np.zeros(len(table))
    se[is_free] = se_free[free[is_free] - 1]
    z = np.full(len(table), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        z[is_free] = est[is_free] / se[is_free]
    pvalue = 2.0 * stats.norm.sf(np.abs(z))
    table["est"] = est
    table["se"] = se
    table["z"] = z
    table["pvalue"] = pvalue
    table["ci_lower"] = est - _Z975 * se
    table["ci_upper"] = est + _Z975 * se
    return records


def _coverage(
    spec: GrowthSpec, problem: GrowthProblem
) -> tuple[float, list[tuple[GrowthWarning, type[IlbEvalWarning]]]]:
    """Lowest pairwise coverage; ZERO_COVERAGE / LOW_COVERAGE warnings per group."""
    records: list[tuple[GrowthWarning, type[IlbEvalWarning]]] = []
    p = spec.n_waves
    lowest = 1.0
    for stats_g, label in zip(problem.groups, problem.labels, strict=True):
        cover = coverage_matrix(stats_g.patterns, p)
        lowest = min(lowest, float(cover.min()))
        pairs = [(a, b) for a in range(p) for b in range(a + 1, p)]
        zero = [f"{spec.outcomes[a]}-{spec.outcomes[b]}" for a, b in pairs if cover[a, b] == 0]
        low = [
            f"{spec.outcomes[a]}-{spec.outcomes[b]} ({_share_below(cover[a, b])})"
            for a, b in pairs
            if 0 < cover[a, b] < LOW_COVERAGE_LIMIT
        ]
        where = f" in group {label}" if label else ""
        if zero:
            records.append(
                (
                    GrowthWarning(
                        "ZERO_COVERAGE",
                        f"No person has both outcomes of the pair(s) {', '.join(zero)}{where}; "
                        "their covariance is not identified by the data.",
                    ),
                    MissingDataWarning,
                )
            )
        if low:
            records.append(
                (
                    GrowthWarning(
                        "LOW_COVERAGE",
                        f"Because of missing values, fewer than {LOW_COVERAGE_LIMIT:.0%} of the "
                        f"persons{where} are observed at both waves of the pair(s) "
                        f"{', '.join(low)}; the covariances of these waves, and with them the "
                        "slope variance, rest on few persons. Look at the attrition pattern "
                        "before trusting the variance estimates.",
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


def _admissibility(
    matrices: Sequence[GroupMatrices], labels: Sequence[str]
) -> list[tuple[GrowthWarning, type[IlbEvalWarning]]]:
    """lavaan's post-fit checks: negative variances, non-PD factor covariance."""
    records: list[tuple[GrowthWarning, type[IlbEvalWarning]]] = []
    for mats, label in zip(matrices, labels, strict=True):
        where = f" in group {label}" if label else ""
        if np.any(np.diag(mats.theta) < 0):
            records.append(
                (
                    GrowthWarning(
                        "NEG_OV_VARIANCE",
                        f"Some estimated residual variances of the outcomes are negative{where}.",
                    ),
                    InadmissibleSolutionWarning,
                )
            )
        if np.any(np.diag(mats.psi) < 0):
            records.append(
                (
                    GrowthWarning(
                        "NEG_LV_VARIANCE",
                        f"Some estimated variances of the growth factors are negative{where}.",
                    ),
                    InadmissibleSolutionWarning,
                )
            )
        elif np.linalg.eigvalsh(mats.psi)[0] < -(np.finfo(float).eps ** 0.75):
            records.append(
                (
                    GrowthWarning(
                        "NONPD_LV_COV",
                        "The covariance matrix of the growth factors is not positive "
                        f"definite{where}.",
                    ),
                    InadmissibleSolutionWarning,
                )
            )
    return records


def _fit_measures(
    spec: GrowthSpec,
    groups: Sequence[_GroupStats],
    matrices: Sequence[GroupMatrices],
    optimum: Optimum,
    n_free: int,
) -> dict[str, float]:
    p, q = spec.n_waves, len(spec.covariates)
    h1 = [g.saturated.joint_moments(g.x_mean, g.x_cov) for g in groups]
    implied = [m.implied(g.x_mean, g.x_cov) for m, g in zip(matrices, groups, strict=True)]
    return fit_measures(
        logl=optimum.evaluation.logl,
        unrestricted_logl=sum(g.saturated.logl for g in groups),
        baseline_logl=sum(baseline_logl(g.patterns, p) for g in groups),
        npar=n_free,
        sizes=[g.n for g in groups],
        p=p,
        q=q,
        srmr=srmr_bentler(h1, implied, [g.n for g in groups]),
    )


def fit_growth(
    data: pd.DataFrame,
    *,
    outcomes: Sequence[str],
    time_scores: Sequence[float],
    covariates: Sequence[str] = (),
    group: str | None = None,
    equal_intercept_means: bool = False,
    equal_slope_means: bool = False,
    residual_variances: Literal["free", "equal"] = "free",
    estimator: Literal["ML", "MLR"] = "ML",
    slope_variance: Literal["free", "zero"] = "free",
    time_basis: Literal["fixed", "latent"] = "fixed",
) -> GrowthResults:
    """Fit a linear latent growth curve model by full-information ML.

    Equivalent to lavaan's ``growth(model, data, missing = "fiml")`` with
    the intercept factor ``i``, the slope factor ``s`` loading the time
    scores, covariates predicting both factors (fixed.x) and optional groups.

    Parameters
    ----------
    data
        One row per person.
    outcomes
        Outcome columns in wave order.
    time_scores
        One time score per outcome.
    covariates
        Columns predicting ``i`` and ``s``.
    group
        Grouping column (multi-group model); labels are its sorted values.
    equal_intercept_means, equal_slope_means
        Equal factor means across groups.
    residual_variances
        ``"free"`` or ``"equal"`` over waves.
    estimator
        ``"ML"`` or ``"MLR"`` (sandwich standard errors; the fit measures add
        chisq_scaled, df_scaled, pvalue_scaled, chisq_scaling_factor,
        baseline_chisq_scaled, cfi_scaled, tli_scaled and rmsea_scaled).
    slope_variance
        ``"free"`` or ``"zero"`` (fixed slope: ``s ~~ 0*s; i ~~ 0*s``).
    time_basis
        ``"fixed"`` (linear growth) or ``"latent"``: the time scores of the
        middle waves are estimated (latent-basis model; the first and last
        fix the metric).

    Returns
    -------
    GrowthResults

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(7)
    >>> n = 500; x = rng.integers(0, 2, n)
    >>> level = rng.normal(3.0, 0.5, n) - 0.2 * x; trend = rng.normal(0.05, 0.15, n) + 0.1 * x
    >>> data = pd.DataFrame({f"y{t}": level + trend * t + rng.normal(0, 0.3, n)
    ...                      for t in (1, 3, 4)}).assign(x=x)
    >>> res = fit_growth(data, outcomes=["y1", "y3", "y4"], time_scores=[0, 2, 3],
    ...                  covariates=["x"])
    >>> res.fit["df"], res.fit["npar"]
    (2, 10)

    In R: ``growth('i =~ 1*y1 + 1*y3 + 1*y4; s =~ 0*y1 + 2*y3 + 3*y4; i + s ~ x',
    data, missing = "fiml")``.
    """
    spec = GrowthSpec(
        outcomes=tuple(outcomes),
        time_scores=tuple(time_scores),
        covariates=tuple(covariates),
        group=group,
        equal_intercept_means=equal_intercept_means,
        equal_slope_means=equal_slope_means,
        residual_variances=residual_variances,
        estimator=estimator,
        slope_variance=slope_variance,
        time_basis=time_basis,
    )
    return GrowthModel(spec).fit(data)
