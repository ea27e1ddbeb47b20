"""Monte Carlo recovery: does the growth engine get the simulator's true parameters back?

Each replication draws one sample with its own seed, builds the panel in
memory with the prep layer (the frames are exactly what the export files
hold), fits the conditional growth model of some competence scales with
:func:`ilb_eval.growth.fit_growth` and compares the estimates with the true
parameter table. Failed or non-converged replications are kept in the output
(``converged`` False) instead of aborting the study.

By default iLB is taken up at random here (the settings' selection weights set
to 0): with the planted selection on first-wave scores the unweighted
conditional model estimates the selected groups' differences, not the true
effects, by design (the weighting is what recovers them).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ilb_eval.growth import fit_growth
from ilb_eval.prep import build_panel, growth_data
from ilb_eval.simulate.sample import draw_sample
from ilb_eval.simulate.selection import without_selection
from ilb_eval.simulate.settings import check_settings, load_settings
from ilb_eval.study import load_study

__all__ = ["RECOVERY_COLUMNS", "recovery_replications", "summarise_recovery"]

RECOVERY_COLUMNS = ("replication", "seed", "scale", "lhs", "op", "rhs", "true", "est", "se", "ci_lower", "ci_upper", "converged")


def recovery_replications(
    replications: int = 50,
    *,
    sample: str = "EAP",
    scales: Sequence[str] = ("belastbarkeit", "selbststaendigkeit", "fachkompetenz"),
    size: float = 0.5,
    seed: int | None = None,
    settings: str | Path | dict[str, Any] | None = None,
    selection: bool = False,
) -> pd.DataFrame:
    """Estimates of every true parameter in each replication.

    Parameters
    ----------
    replications:
        Number of simulated samples; replication ``r`` uses seed ``seed + r``.
    sample:
        ``"EAP"`` or ``"ZP"``.
    scales:
        Competence scales to fit.
    size:
        Scale factor of the sample size (0.5: about 870 EAP persons).
    seed:
        First seed; the settings' seed when None.
    settings:
        Settings file or mapping (default: the shipped settings).
    selection:
        Keep the settings' selection into iLB (default False: random uptake,
        under which the conditional model is correctly specified).

    Returns
    -------
    DataFrame
        One row per replication, scale and parameter with :data:`RECOVERY_COLUMNS`.

    Examples
    --------
    >>> table = recovery_replications(1, scales=["belastbarkeit"], size=0.2)
    >>> sorted(set(table["op"]))
    ['~', '~1', '~~']
    """
    cfg = check_settings(settings) if isinstance(settings, dict) else load_settings(settings)
    if not selection:
        cfg = without_selection(cfg)
    first = int(cfg["seed"] if seed is None else seed)
    study = load_study(sample)
    rows = []
    for replication in range(replications):
        draw = draw_sample(sample, study, cfg["samples"][sample], seed=first + replication, scale=size)
        truth = draw.truth.rename(columns={"est": "true"})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            panel = build_panel(study, dict(draw.frames()))
        covariates = (["ilb"] if study.has_control_group else []) + list(panel.covariates)
        for scale in scales:
            data = growth_data(panel, scale)
            expected = truth.loc[truth["scale"] == scale].copy()
            expected["lhs"] = expected["lhs"].str.replace(f"{scale}_", "", regex=False)
            expected["rhs"] = expected["rhs"].str.replace(f"{scale}_", "", regex=False)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = fit_growth(data, outcomes=["t1", "t3", "t4"], time_scores=data.attrs["time_scores"], covariates=covariates)
                params = result.params[["lhs", "op", "rhs", "est", "se", "ci_lower", "ci_upper"]]
                converged = bool(result.converged)
            except Exception:  # noqa: BLE001 - a failed replication is recorded, not fatal
                params = pd.DataFrame(columns=["lhs", "op", "rhs", "est", "se", "ci_lower", "ci_upper"])
                converged = False
            merged = expected.merge(params, on=["lhs", "op", "rhs"], how="left")
            merged["replication"] = replication
            merged["seed"] = first + replication
            merged["converged"] = converged
            rows.append(merged)
    table = pd.concat(rows, ignore_index=True)
    return table[list(RECOVERY_COLUMNS)]


def summarise_recovery(table: pd.DataFrame) -> pd.DataFrame:
    """Bias, RMSE and 95 % CI coverage per scale and parameter (converged replications only).

    Returns
    -------
    DataFrame
        scale, lhs, op, rhs, true, mean_est, bias, relative_bias (bias / |true|,
        NaN for a true value of 0), rmse, mean_se, sd_est, coverage, n.

    Examples
    --------
    >>> table = pd.DataFrame({"replication": [0, 1], "seed": [1, 2], "scale": "x", "lhs": "i", "op": "~1", "rhs": "",
    ...     "true": 3.0, "est": [2.9, 3.1], "se": 0.1, "ci_lower": [2.7, 2.9], "ci_upper": [3.1, 3.3], "converged": True})
    >>> summarise_recovery(table)[["bias", "coverage", "n"]].round(6).to_dict("records")
    [{'bias': 0.0, 'coverage': 1.0, 'n': 2}]
    """
    ok = table.loc[table["converged"] & table["est"].notna()].copy()
    ok["error"] = ok["est"] - ok["true"]
    ok["covered"] = (ok["ci_lower"] <= ok["true"]) & (ok["true"] <= ok["ci_upper"])
    grouped = ok.groupby(["scale", "lhs", "op", "rhs"], sort=False)
    summary = grouped.agg(
        true=("true", "first"), mean_est=("est", "mean"), bias=("error", "mean"),
        rmse=("error", lambda e: float(np.sqrt(np.mean(np.square(e))))), mean_se=("se", "mean"),
        sd_est=("est", "std"), coverage=("covered", "mean"), n=("est", "size"),
    ).reset_index()
    summary["relative_bias"] = np.where(summary["true"] != 0, summary["bias"] / summary["true"].abs().where(summary["true"] != 0, 1.0), np.nan)
    return summary[["scale", "lhs", "op", "rhs", "true", "mean_est", "bias", "relative_bias", "rmse", "mean_se", "sd_est", "coverage", "n"]]
