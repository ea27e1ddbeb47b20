"""Monte Carlo replications: simulate, fit with the engine, summarise against the truth.

Every replication draws its data from its own random stream, a child of one
:class:`numpy.random.SeedSequence` (``SeedSequence(seed).spawn(reps)``), so
results do not depend on how replications are spread over processes:
``n_jobs=2`` gives exactly the same tables as ``n_jobs=1``.

Replications whose fit failed, did not converge or ended in an improper
solution (negative variance, non-positive-definite factor covariance
matrix, singular information matrix) stay in :attr:`MonteCarloResult.replications`
with their status; the summary counts them per method and computes bias,
RMSE, coverage and power from the proper solutions only, next to those counts.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from ilb_eval.exceptions import IlbEvalError
from ilb_eval.growth import fit_growth
from ilb_eval.montecarlo.dgm import GrowthDGM

__all__ = ["METHODS", "STATUSES", "MonteCarloResult", "run_monte_carlo"]

Method = Literal["fiml", "complete_case"]
#: Estimation methods: full-information ML on all persons, or ML on complete cases only.
METHODS: tuple[str, ...] = ("fiml", "complete_case")
#: Replication statuses, from best to worst.
STATUSES: tuple[str, ...] = ("ok", "improper", "not_converged", "failed")
#: Engine warning codes that mark an improper solution.
IMPROPER_CODES = frozenset({"NEG_LV_VARIANCE", "NEG_OV_VARIANCE", "NONPD_LV_COV", "INFO_SINGULAR"})

_KEY = ["lhs", "op", "rhs", "group"]


@dataclass(frozen=True)
class MonteCarloResult:
    """Outcome of :func:`run_monte_carlo`.

    Attributes
    ----------
    summary
        One row per method and true parameter: ``method``, ``lhs``, ``op``,
        ``rhs``, ``group``, ``parameter`` (e.g. ``"s ~ ilb"``), ``true``,
        ``mean_est``, ``bias``, ``rel_bias`` (bias / true; NaN when the true
        value is 0), ``rmse``, ``mean_se``, ``sd_est``, ``se_ratio`` (mean SE
        / SD of the estimates), ``coverage`` (share of 95 % intervals, or
        ``1 - alpha``, containing the true value), ``power`` (share with
        p < alpha), ``reps``, ``n_used`` (proper solutions the statistics rest
        on; improper solutions too with ``include_improper``), ``n_improper``,
        ``n_not_converged``, ``n_failed`` and their shares of ``reps``
        (``share_improper``, ``share_not_converged``, ``share_failed``).
    replications
        One row per replication and method: ``rep``, ``method``, ``status``
        (:data:`STATUSES`), ``codes`` (engine warning codes, ``;``-separated),
        ``n`` (persons in the fit), ``message`` (the error of a failed fit).
    estimates
        One row per replication, method and parameter: ``rep``, ``method``,
        ``lhs``, ``op``, ``rhs``, ``group``, ``est``, ``se``, ``pvalue``,
        ``ci_lower``, ``ci_upper``, ``status``.
    truth
        The true parameter table.
    seed_entropy
        Entropy of the root :class:`~numpy.random.SeedSequence` (log it to
        reproduce the run).
    alpha
        Significance level of power and coverage.
    """

    summary: pd.DataFrame
    replications: pd.DataFrame
    estimates: pd.DataFrame
    truth: pd.DataFrame
    seed_entropy: int
    alpha: float

    def status_counts(self) -> pd.DataFrame:
        """Replications per method and status (every status shown, zeros included).

        Examples
        --------
        >>> from ilb_eval.montecarlo import GrowthDGM, run_monte_carlo
        >>> res = run_monte_carlo(GrowthDGM(n_per_group=50), reps=3, seed=1, progress=False)
        >>> res.status_counts().loc["fiml", "ok"]
        np.int64(3)
        """
        counts = pd.crosstab(self.replications["method"], self.replications["status"])
        return counts.reindex(columns=list(STATUSES), fill_value=0)


def _status(res: Any) -> tuple[str, str]:
    codes = sorted({w.code for w in res.warnings})
    if not res.converged or "NOT_CONVERGED" in codes:
        status = "not_converged"
    elif IMPROPER_CODES.intersection(codes):
        status = "improper"
    else:
        status = "ok"
    return status, ";".join(codes)


def _one_replication(
    dgm: GrowthDGM,
    seed: np.random.SeedSequence,
    rep: int,
    methods: Sequence[str],
    fit_options: dict[str, Any],
) -> tuple[list[dict[str, Any]], list[pd.DataFrame]]:
    data = dgm.simulate(np.random.default_rng(seed)).data
    outcomes = list(fit_options["outcomes"])
    records: list[dict[str, Any]] = []
    tables: list[pd.DataFrame] = []
    for method in methods:
        frame = data.dropna(subset=outcomes) if method == "complete_case" else data
        record: dict[str, Any] = {"rep": rep, "method": method, "n": 0, "codes": "", "message": ""}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = fit_growth(frame, **fit_options)
        except (IlbEvalError, np.linalg.LinAlgError, ValueError) as exc:
            record.update(status="failed", message=f"{type(exc).__name__}: {exc}")
            records.append(record)
            continue
        status, codes = _status(res)
        record.update(status=status, codes=codes, n=int(res.ntotal))
        records.append(record)
        table = res.params.loc[res.params["free"] > 0, _KEY + ["est", "se", "pvalue"]]
        tables.append(table.assign(rep=rep, method=method, status=status))
    return records, tables


def _chunks(n: int, k: int) -> list[range]:
    k = max(1, min(k, n))
    bounds = np.linspace(0, n, k + 1).round().astype(int)
    return [range(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


def _run_chunk(
    dgm: GrowthDGM,
    seeds: Sequence[np.random.SeedSequence],
    reps: range,
    methods: Sequence[str],
    fit_options: dict[str, Any],
) -> tuple[list[dict[str, Any]], list[pd.DataFrame]]:
    records: list[dict[str, Any]] = []
    tables: list[pd.DataFrame] = []
    for rep, seed in zip(reps, seeds, strict=True):
        r, t = _one_replication(dgm, seed, rep, methods, fit_options)
        records += r
        tables += t
    return records, tables


def summarise(
    estimates: pd.DataFrame,
    replications: pd.DataFrame,
    truth: pd.DataFrame,
    *,
    alpha: float = 0.05,
    include_improper: bool = False,
) -> pd.DataFrame:
    """Per method and parameter: bias, RMSE, SE vs SD, coverage, power and status counts.

    Parameters
    ----------
    estimates, replications, truth
        As in :class:`MonteCarloResult`.
    alpha
        Level of the two-sided tests and of the ``1 - alpha`` intervals.
    include_improper
        Also use improper solutions (they are still counted in ``n_improper``).

    Returns
    -------
    DataFrame
        The :attr:`MonteCarloResult.summary` table.
    """
    z = stats.norm.ppf(1 - alpha / 2)
    counts = pd.crosstab(replications["method"], replications["status"]).reindex(
        columns=list(STATUSES), fill_value=0
    )
    usable = ("ok", "improper") if include_improper else ("ok",)
    rows: list[dict[str, Any]] = []
    methods = list(dict.fromkeys(replications["method"]))
    for method in methods:
        ok = estimates[(estimates["method"] == method) & estimates["status"].isin(usable)]
        reps = int(counts.loc[method].sum())
        for spec in truth.itertuples(index=False):
            sel = ok[
                (ok["lhs"] == spec.lhs)
                & (ok["op"] == spec.op)
                & (ok["rhs"] == spec.rhs)
                & (ok["group"] == spec.group)
            ]
            est = sel["est"].to_numpy(dtype=float)
            se = sel["se"].to_numpy(dtype=float)
            pval = sel["pvalue"].to_numpy(dtype=float)
            true = float(spec.est)
            used = len(est)
            if used:
                bias = float(est.mean() - true)
                covered = np.abs(est - true) <= z * se
                row_stats = {
                    "mean_est": float(est.mean()),
                    "bias": bias,
                    "rel_bias": bias / true if true != 0 else math.nan,
                    "rmse": float(np.sqrt(np.mean((est - true) ** 2))),
                    "mean_se": float(np.nanmean(se)),
                    "sd_est": float(est.std(ddof=1)) if used > 1 else math.nan,
                    "coverage": float(covered.mean()),
                    "power": float(np.mean(pval < alpha)),
                }
                row_stats["se_ratio"] = row_stats["mean_se"] / row_stats["sd_est"]
            else:
                row_stats = dict.fromkeys(
                    ("mean_est", "bias", "rel_bias", "rmse", "mean_se", "sd_est", "coverage",
                     "power", "se_ratio"),
                    math.nan,
                )  # fmt: skip
            row = {
                "method": method,
                "lhs": spec.lhs,
                "op": spec.op,
                "rhs": spec.rhs,
                "group": spec.group,
                "parameter": f"{spec.lhs} {spec.op} {spec.rhs}".strip(),
                "true": true,
                **row_stats,
                "reps": reps,
                "n_used": used,
            }
            for status in STATUSES[1:]:
                row[f"n_{status}"] = int(counts.loc[method, status])
            for status in STATUSES[1:]:
                row[f"share_{status}"] = row[f"n_{status}"] / reps if reps else math.nan
            rows.append(row)
    order = [
        "method", "lhs", "op", "rhs", "group", "parameter", "true", "mean_est", "bias",
        "rel_bias", "rmse", "mean_se", "sd_est", "se_ratio", "coverage", "power", "reps",
        "n_used", "n_improper", "n_not_converged", "n_failed", "share_improper",
        "share_not_converged", "share_failed",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=order)


def run_monte_carlo(
    dgm: GrowthDGM,
    *,
    reps: int = 100,
    seed: int | np.random.SeedSequence | None = None,
    methods: Iterable[Method] = ("fiml",),
    n_jobs: int = 1,
    progress: bool = True,
    alpha: float = 0.05,
    fit_options: dict[str, Any] | None = None,
    include_improper: bool = False,
) -> MonteCarloResult:
    """Simulate ``reps`` data sets from ``dgm``, fit each and summarise against the truth.

    Parameters
    ----------
    dgm
        The data-generating model.
    reps
        Number of replications.
    seed
        Seed of the root :class:`~numpy.random.SeedSequence` (fresh entropy when
        None; it is returned as ``seed_entropy``). Replication ``r`` uses the
        ``r``-th spawned child, whatever ``n_jobs``.
    methods
        ``"fiml"`` (full-information ML on everyone observed at least once)
        and/or ``"complete_case"`` (only persons observed at every wave). Both
        are fitted to the same simulated data.
    n_jobs
        Processes (joblib); 1 runs in this process.
    progress
        Show a progress bar (tqdm).
    alpha
        Significance level for power and ``1 - alpha`` interval coverage.
    fit_options
        Keyword arguments for :func:`ilb_eval.growth.fit_growth`; default
        :meth:`GrowthDGM.fit_options` (the true model). A misspecified model
        may be given here; parameters missing from it get NaN statistics.
    include_improper
        Compute the statistics from proper and improper solutions (improper
        ones are always counted; by default they are left out of the
        statistics, which biases variances near zero upwards).

    Returns
    -------
    MonteCarloResult

    Examples
    --------
    >>> from ilb_eval.montecarlo import Attrition, GrowthDGM
    >>> dgm = GrowthDGM(n_per_group=100, group_effect_slope=0.1,
    ...                 attrition=Attrition(dropout=(0.2, 0.2), mar=-1.0))
    >>> res = run_monte_carlo(dgm, reps=20, seed=5, methods=["fiml", "complete_case"],
    ...                       progress=False)
    >>> row = res.summary.query("method == 'fiml' and parameter == 's ~ ilb'").iloc[0]
    >>> int(row["reps"]), int(row[["n_used", "n_improper", "n_not_converged", "n_failed"]].sum())
    (20, 20)
    """
    methods = tuple(methods)
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        raise ValueError(f"methods must be taken from {METHODS}; got {methods}.")
    if reps < 1:
        raise ValueError(f"reps is {reps}; give at least 1.")
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    children = root.spawn(reps)
    options = dict(dgm.fit_options() if fit_options is None else fit_options)
    chunks = _chunks(reps, 1 if n_jobs == 1 else max(1, n_jobs) * 8)
    results = _execute(dgm, children, chunks, methods, options, n_jobs=n_jobs, progress=progress)
    records = [r for chunk_records, _ in results for r in chunk_records]
    tables = [t for _, chunk_tables in results for t in chunk_tables]
    replications = pd.DataFrame(
        records, columns=["rep", "method", "status", "codes", "n", "message"]
    )
    est_cols = ["rep", "method", *_KEY, "est", "se", "pvalue", "ci_lower", "ci_upper", "status"]
    if tables:
        estimates = pd.concat(tables, ignore_index=True)
        z = stats.norm.ppf(1 - alpha / 2)
        estimates["ci_lower"] = estimates["est"] - z * estimates["se"]
        estimates["ci_upper"] = estimates["est"] + z * estimates["se"]
        estimates = estimates[est_cols]
    else:
        estimates = pd.DataFrame(columns=est_cols)
    truth = dgm.true_parameters()
    summary = summarise(
        estimates, replications, truth, alpha=alpha, include_improper=include_improper
    )
    entropy = root.entropy if isinstance(root.entropy, int) else int(root.entropy[0])
    return MonteCarloResult(summary, replications, estimates, truth, entropy, alpha)


def _execute(
    dgm: GrowthDGM,
    children: Sequence[np.random.SeedSequence],
    chunks: Sequence[range],
    methods: Sequence[str],
    options: dict[str, Any],
    *,
    n_jobs: int,
    progress: bool,
) -> list[tuple[list[dict[str, Any]], list[pd.DataFrame]]]:
    """Run the chunks in order, serially or with joblib, updating one progress bar."""
    from tqdm import tqdm

    bar = tqdm(total=sum(len(c) for c in chunks), disable=not progress, unit="rep")
    out: list[tuple[list[dict[str, Any]], list[pd.DataFrame]]] = []
    try:
        if n_jobs == 1:
            for chunk in chunks:
                seeds = [children[r] for r in chunk]
                out.append(_run_chunk(dgm, seeds, chunk, methods, options))
                bar.update(len(chunk))
        else:
            from joblib import Parallel, delayed

            tasks = (
                delayed(_run_chunk)(dgm, [children[r] for r in chunk], chunk, methods, options)
                for chunk in chunks
            )
            # Results come back in submission order, so the output does not depend on n_jobs.
            for chunk, result in zip(
                chunks, Parallel(n_jobs=n_jobs, return_as="generator")(tasks), strict=True
            ):
                out.append(result)
                bar.update(len(chunk))
    finally:
        bar.close()
    return out
