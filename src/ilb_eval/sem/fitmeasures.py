"""All of lavaan's fitMeasures for a FIML fit, keyed by lavaan's names with ``_`` for ``.``.

Conventions (lavaan 0.6-14, ML, ``missing = "fiml"``, ``fixed.x = TRUE``):

- ``logl`` is the log-likelihood of the outcomes given the covariates,
  ``unrestricted_logl`` that of the saturated model h1 (EM);
  ``chisq = 2 (unrestricted_logl - logl)``, ``fmin = chisq / (2 N)``.
- ``df`` counts, per group, the means, variances and covariances of the
  outcomes and their covariances with the covariates, minus ``npar``.
- The baseline is the independence model: free outcome means and variances.
- Fits with a scaled test (MLR; sampling weights or clusters) add the
  ``*_scaled`` measures from the Yuan-Bentler (Mplus) scaled statistic
  ``chisq / c`` (:mod:`ilb_eval.sem.robust`); the scaled RMSEA uses
  ``chisq`` on ``c df`` degrees of freedom, as lavaan; ``scaling_factor_h1``
  and ``scaling_factor_h0`` are the two traces divided by the number of
  sample moments and of free parameters (lavaan counts a parameter that
  shares a label with another once per row).
- The ``*_robust`` measures (every FIML fit) use the FIML-corrected
  statistics of :mod:`ilb_eval.sem.fit_corrected`.
- Residual measures (:mod:`ilb_eval.sem.fit_srmr`), GFI/AGFI/PGFI and the
  other indices compare the h1 moments of ``(y, x)`` with the implied ones;
  GFI weights the residuals with lavaan's expected information of the
  incomplete data at the implied moments, and AGFI/PGFI count all joint
  moments of ``(y, x)`` (covariates included), as lavaan.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ilb_eval.sem import fit_incremental as inc
from ilb_eval.sem.fit_corrected import FimlCorrected, fiml_corrected, joint_implied
from ilb_eval.sem.fit_gfi import gfi as goodness_of_fit
from ilb_eval.sem.fit_gfi import pairwise_moments
from ilb_eval.sem.fit_rmsea import rmsea, rmsea_ci, rmsea_close_pvalue, rmsea_notclose_pvalue
from ilb_eval.sem.fit_srmr import residual_measures
from ilb_eval.sem.h1 import Saturated, baseline_logl
from ilb_eval.sem.model import SemModel
from ilb_eval.sem.robust import RobustParts

__all__ = ["RMSEA_CI_LEVEL", "RMSEA_CLOSE_H0", "RMSEA_NOTCLOSE_H0", "count_moments",
           "degrees_of_freedom", "fit_measures", "free_rows"]  # fmt: skip

RMSEA_CI_LEVEL = 0.90
RMSEA_CLOSE_H0 = 0.05
RMSEA_NOTCLOSE_H0 = 0.08


def count_moments(p: int, q: int) -> int:
    """Sample moments one group contributes: y means, y (co)variances, y-x covariances.

    >>> count_moments(9, 0), count_moments(5, 2)
    (54, 30)
    """
    return p * (p + 1) // 2 + p + p * q


def degrees_of_freedom(model: SemModel, npar: int) -> tuple[int, int]:
    """Degrees of freedom of the model and of the independence baseline."""
    p, q = len(model.data.y_names), len(model.data.x_names)
    groups = len(model.data.groups)
    moments = groups * count_moments(p, q)
    return moments - npar, moments - groups * 2 * p


def free_rows(model: SemModel) -> int:
    """Free parameters counted per parameter-table row (lavaan's ``nx.free``).

    Rows that share a label count once each, as lavaan's free vector before
    its equality constraints.
    """
    table = model.partable.table
    return int(((table["free"] > 0) & ~table["op"].isin(["==", "<", ">", ":="])).sum())


@dataclass(frozen=True)
class _Test:
    """One chi-square statistic with its scaled version (if any)."""

    chisq: float
    df: int
    scaling: float  # NaN without a scaled test

    @property
    def pvalue(self) -> float:
        return float(stats.chi2.sf(self.chisq, self.df)) if self.df > 0 else math.nan

    @property
    def scaled(self) -> float:
        """The scaled statistic (lavaan: the standard one when df = 0)."""
        if self.df == 0:
            return self.chisq
        return float(np.float64(self.chisq) / self.scaling)

    @property
    def pvalue_scaled(self) -> float:
        return float(stats.chi2.sf(self.scaled, self.df)) if self.df > 0 else math.nan


def _incremental(suffix: str, x2: float, df: int, x2_null: float, df_null: int) -> dict:
    """nnfi, rfi, nfi, pnfi, ifi, rni of one pair of statistics (keys with ``suffix``)."""
    args = (x2, df, x2_null, df_null)
    return {
        f"nnfi{suffix}": inc.tli(*args),
        f"rfi{suffix}": inc.rfi(*args),
        f"nfi{suffix}": inc.nfi(*args),
        f"pnfi{suffix}": inc.pnfi(*args),
        f"ifi{suffix}": inc.ifi(*args),
        f"rni{suffix}": inc.rni(*args),
    }


def _robust_ingredients(
    corrected: FimlCorrected | None, model: _Test, base: _Test
) -> FimlCorrected:
    """FIML-corrected statistics, or (if they failed) the scaled test's, as lavaan."""
    if corrected is not None:
        return corrected
    return FimlCorrected(
        xx3=model.chisq, df3=model.df, c_hat3=model.scaling,
        xx3_null=base.chisq, df3_null=base.df, c_hat3_null=base.scaling,
    )  # fmt: skip


def _chisq_measures(test: _Test, base: _Test, scaled: bool) -> dict:
    """The model's and the baseline's test statistics (lavaan's order)."""
    out = {"chisq": test.chisq, "df": test.df, "pvalue": test.pvalue}
    if scaled:
        out |= {"chisq_scaled": test.scaled, "df_scaled": test.df,
                "pvalue_scaled": test.pvalue_scaled, "chisq_scaling_factor": test.scaling}  # fmt: skip
    out |= {"baseline_chisq": base.chisq, "baseline_df": base.df, "baseline_pvalue": base.pvalue}
    if scaled:
        out |= {"baseline_chisq_scaled": base.scaled, "baseline_df_scaled": base.df,
                "baseline_pvalue_scaled": base.pvalue_scaled,
                "baseline_chisq_scaling_factor": base.scaling}  # fmt: skip
    return out


def _incremental_measures(test: _Test, base: _Test, robust: FimlCorrected, scaled: bool) -> dict:
    """CFI, TLI and the other incremental indices: plain, scaled, robust (lavaan's order)."""
    plain = (test.chisq, test.df, base.chisq, base.df)
    rescaled = (test.scaled, test.df, base.scaled, base.df)
    robust_args = (robust.xx3, test.df, robust.xx3_null, base.df,
                   robust.c_hat3, robust.c_hat3_null)  # fmt: skip
    out = {"cfi": inc.cfi(*plain), "tli": inc.tli(*plain)}
    if scaled:
        out |= {"cfi_scaled": inc.cfi(*rescaled), "tli_scaled": inc.tli(*rescaled)}
    out |= {"cfi_robust": inc.cfi(*robust_args), "tli_robust": inc.tli(*robust_args)}
    out |= _incremental("", *plain)
    if scaled:
        out |= _incremental("_scaled", *rescaled)
    out |= {"nnfi_robust": out["tli_robust"], "rni_robust": inc.rni(*robust_args)}
    return out


def _rmsea_family(suffix: str, x2: float, df: float, n: int, groups: int,
                  c_hat: float = 1.0) -> dict[str, float]:  # fmt: skip
    lower, upper = rmsea_ci(x2, df, n, groups, c_hat, RMSEA_CI_LEVEL)
    return {
        f"rmsea_ci_lower{suffix}": lower,
        f"rmsea_ci_upper{suffix}": upper,
        f"rmsea_pvalue{suffix}": rmsea_close_pvalue(x2, df, n, groups, c_hat, RMSEA_CLOSE_H0),
        f"rmsea_notclose_pvalue{suffix}": rmsea_notclose_pvalue(
            x2, df, n, groups, c_hat, RMSEA_NOTCLOSE_H0
        ),
    }


def _rmsea_measures(
    test: _Test, robust: FimlCorrected, n: int, groups: int, scaled: bool
) -> dict[str, float]:
    """The RMSEA families: standard, scaled (chisq on c df), robust (lavaan's order)."""
    standard = _rmsea_family("", test.chisq, test.df, n, groups)
    out = {"rmsea": rmsea(test.chisq, test.df, n, groups),
           "rmsea_ci_lower": standard["rmsea_ci_lower"],
           "rmsea_ci_upper": standard["rmsea_ci_upper"], "rmsea_ci_level": RMSEA_CI_LEVEL,
           "rmsea_pvalue": standard["rmsea_pvalue"], "rmsea_close_h0": RMSEA_CLOSE_H0,
           "rmsea_notclose_pvalue": standard["rmsea_notclose_pvalue"],
           "rmsea_notclose_h0": RMSEA_NOTCLOSE_H0}  # fmt: skip
    if scaled:
        df2 = test.scaling * test.df if test.scaling * test.df > 0 else math.nan
        out["rmsea_scaled"] = rmsea(test.chisq, df2, n, groups)
        out |= _rmsea_family("_scaled", test.chisq, df2, n, groups)
    out["rmsea_robust"] = rmsea(robust.xx3, robust.df3, n, groups, robust.c_hat3)
    out |= _rmsea_family("_robust", robust.xx3_scaled, robust.df3, n, groups, robust.c_hat3)
    return out


def _hoelter(x2: float, df: int, n: int, alpha: float) -> float:
    """Hoelter's critical N (NaN for a saturated model that fits exactly)."""
    if df == 0 and x2 < np.finfo(float).eps:
        return math.nan
    return float(stats.chi2.ppf(1.0 - alpha, df) / np.float64(x2 / n) + 1.0)


def fit_measures(
    model: SemModel,
    theta: np.ndarray,
    saturated: Sequence[Saturated],
    robust: RobustParts | None,
    *,
    logl: float,
    npar: int,
) -> dict[str, float]:
    """Every fit measure lavaan's ``fitMeasures()`` reports for this fit, in lavaan's order.

    Parameters
    ----------
    model, theta
        The fitted model and its estimates.
    saturated
        The unrestricted (h1) fit of each group.
    robust
        Scaled-test ingredients (MLR, sampling weights, clusters), else None:
        then only the measures of an ML fit are reported.
    logl
        Log-likelihood of the fit.
    npar
        Number of estimated parameters.

    Returns
    -------
    dict
        55 measures for an ML fit, 78 with a scaled test; counts as ``int``.
        A measure that cannot be computed (e.g. a non-positive variance in a
        standardization) is NaN or infinite, as in lavaan, without a warning.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return _fit_measures(model, theta, saturated, robust, logl=logl, npar=npar)


def _fit_measures(
    model: SemModel,
    theta: np.ndarray,
    saturated: Sequence[Saturated],
    robust: RobustParts | None,
    *,
    logl: float,
    npar: int,
) -> dict[str, float]:
    data = model.data
    groups, n, p = len(data.groups), data.ntotal, len(data.y_names)
    df, base_df = degrees_of_freedom(model, npar)
    h1_logl = float(sum(s.logl for s in saturated))
    base_logl = sum(baseline_logl(g.blocks, p) for g in data.groups)
    scaled = robust is not None
    test = _Test(max(2.0 * (h1_logl - logl), 0.0), df,
                 robust.scaling_factor if scaled else math.nan)  # fmt: skip
    base = _Test(max(2.0 * (h1_logl - base_logl), 0.0), base_df,
                 robust.baseline_scaling_factor if scaled else math.nan)  # fmt: skip
    states = model.states(theta)
    assert states is not None
    observed = [s.joint_moments(g.x_mean, g.x_cov)
                for s, g in zip(saturated, data.groups, strict=True)]  # fmt: skip
    implied = [joint_implied(st.sigma, st.mean_coef, g.x_mean, g.x_cov)
               for st, g in zip(states, data.groups, strict=True)]  # fmt: skip
    corrected = _robust_ingredients(
        fiml_corrected(model, theta, saturated, df, base_df, "V3" if scaled else "V6"), test, base
    )

    out: dict[str, float] = {"npar": npar, "fmin": test.chisq / (2.0 * n)}
    out |= _chisq_measures(test, base, scaled)
    out |= _incremental_measures(test, base, corrected, scaled)
    out |= {
        "logl": logl,
        "unrestricted_logl": h1_logl,
        "aic": -2.0 * logl + 2.0 * npar,
        "bic": -2.0 * logl + npar * math.log(n),
        "ntotal": n,
        "bic2": -2.0 * logl + npar * math.log((n + 2.0) / 24.0),
    }
    if robust is not None and df > 0:  # lavaan has no traces for a saturated model
        ndat = groups * count_moments(p, len(data.x_names))
        out |= {"scaling_factor_h1": robust.trace_h1 / ndat,
                "scaling_factor_h0": robust.trace_h0 / free_rows(model)}  # fmt: skip
    out |= _rmsea_measures(test, corrected, n, groups, scaled)
    residuals = residual_measures(observed, implied, [g.n_weighted for g in data.groups])
    out |= {"rmr": residuals.pop("rmr"), "rmr_nomean": residuals.pop("rmr_nomean"),
            "srmr": residuals["srmr_bentler"]} | residuals  # fmt: skip
    # lavaan's GFI uses its pairwise sample moments (the EM ones with sampling weights)
    sample = observed if model.options.sampling_weights else [pairwise_moments(g)
                                                              for g in data.groups]  # fmt: skip
    try:
        gfi = goodness_of_fit(data.groups, sample, implied)
    except np.linalg.LinAlgError:  # a singular joint covariance (a covariate copied twice)
        gfi = math.nan
    size = p + len(data.x_names)
    nel = groups * (size + size * (size + 1) // 2)  # all joint moments, as lavaan counts
    out |= {
        "cn_05": _hoelter(test.chisq, df, n, 0.05),
        "cn_01": _hoelter(test.chisq, df, n, 0.01),
        "gfi": gfi,
        "agfi": 1.0 - (nel / df) * (1.0 - gfi) if df > 0 else 1.0,
        "pgfi": (df / nel) * gfi,
        "mfi": math.exp(-0.5 * (test.chisq - df) / n),
        "ecvi": test.chisq / n + 2.0 * npar / n,
    }
    counts = ("npar", "df", "ntotal", "baseline_df", "df_scaled", "baseline_df_scaled")
    return {k: (int(v) if k in counts else float(v)) for k, v in out.items()}
