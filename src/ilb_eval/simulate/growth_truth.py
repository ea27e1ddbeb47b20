"""True latent growth per competence scale, item answers, and the true parameter table.

The truth is defined on the SCORE metric the growth engine fits (mean of the
scale's items, reverse-keyed items reversed back)::

    i = intercept + sum_x b_i[x] * x + u_i
    s = slope     + sum_x b_s[x] * x + u_s + ilb * (ilb_s + sum_k g_k * z_k)
    y_t = i + s * time_t + e_t,            e_t ~ N(0, residual_sd^2)

with ``(u_i, u_s)`` bivariate normal per scale (the intercepts of the scales
in one cluster of ``intercept_correlation`` correlated) and ``z_k`` the person's standard normal
iLB time conditions (release time, session length, duration; centred, so
they leave the slope mean unchanged). iLB changes the slope only: the
intercept is the level at the first wave (time 0), before iLB can have acted.
Who uses iLB is decided after the latent growth and the first-wave answers
are drawn, by selection on the observed first-wave scale scores and on the
covariates (:mod:`ilb_eval.simulate.selection`); that selection, not iLB,
makes users and controls differ at the start. The items measure ``y_t`` as
their common factor (:mod:`ilb_eval.simulate.items`): item ``k`` is answered
as ``round(clip(y_t + offset_k + N(0, item_noise_sd^2), 1, 5))`` unless
non-invariance is planted; the offsets add up to zero and the noise dithers
the rounding, so the mean of the four items follows ``y_t`` with extra
residual variance ``(item_noise_sd^2 + 1/12) / 4``.

Coarsening bias: clipping at 1 and 5 pulls scores of persons near the ends of
the scale towards the middle (mostly the top, as means are 3.5-4.2), so the
fitted intercept means are slightly lower and slope means and variances
slightly smaller than the truth for high-scoring samples (ZP); a score
computed from three items (one item missing) does not average out the item
offsets; the time-condition effects make the slope variance of iLB users
larger than that of controls, and the table gives the pooled value. The
Monte Carlo benchmark (``benchmarks/bench_simulate.py``) measures these
biases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ilb_eval.simulate.population import Persons
from ilb_eval.study import Study

__all__ = [
    "TRUE_PARAMETER_COLUMNS",
    "LatentGrowth",
    "covariate_matrix",
    "draw_growth",
    "intercept_correlation",
    "observed_mean_score",
    "true_parameters",
    "true_scores",
]

TRUE_PARAMETER_COLUMNS = ("sample", "scale", "lhs", "op", "rhs", "group", "est")
_TIME_CONDITIONS = ("release_time", "session_minutes", "duration_months")


def covariate_matrix(persons: Persons, study: Study) -> dict[str, np.ndarray]:
    """The study's covariates (0/1, NaN when not codable) from the entry-wave answers.

    ``ilb`` comes first for a study with a control group.

    Examples
    --------
    >>> from ilb_eval.simulate.population import draw_persons
    >>> from ilb_eval.simulate.settings import load_settings
    >>> from ilb_eval.study import load_study
    >>> eap = load_study("EAP")
    >>> persons = draw_persons(load_settings()["samples"]["EAP"], eap, 0.1, np.random.default_rng(0))
    >>> list(covariate_matrix(persons, eap))
    ['ilb', 'age40', 'female', 'program', 'degree']
    """
    result: dict[str, np.ndarray] = {}
    if study.has_control_group:
        result["ilb"] = persons.ilb.astype(float)
    for covariate in study.covariates:
        source = persons.fields[covariate.source].astype(float)
        if covariate.coding["kind"] == "threshold":
            result[covariate.name] = (source >= float(covariate.coding["at_least"])).astype(float)
        else:
            coded = np.full(persons.n, np.nan)
            for raw, value in covariate.coding["map"].items():
                coded[source == float(raw)] = float(value)
            result[covariate.name] = coded
    return result


def intercept_correlation(scales: list[str], setting: dict[str, Any] | None) -> np.ndarray:
    """Correlation matrix of the latent intercepts of the scales (identity without a setting).

    Scales in the same cluster of ``setting["clusters"]`` correlate
    ``setting["within"]``; all other pairs are uncorrelated.

    Examples
    --------
    >>> intercept_correlation(["a", "b", "c"], {"clusters": [["a", "b"]], "within": 0.5}).tolist()
    [[1.0, 0.5, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    matrix = np.eye(len(scales))
    for cluster in (setting or {}).get("clusters", []):
        members = [scales.index(name) for name in cluster if name in scales]
        for a in members:
            for b in members:
                if a != b:
                    matrix[a, b] = float(setting["within"])
    return matrix


@dataclass(frozen=True)
class LatentGrowth:
    """Per competence scale: intercepts, slopes without iLB, and residuals (persons x waves)."""

    intercept: dict[str, np.ndarray]
    slope: dict[str, np.ndarray]
    residual: dict[str, np.ndarray]


def draw_growth(persons: Persons, study: Study, growth: dict[str, Any], rng: np.random.Generator) -> LatentGrowth:
    """Latent intercepts, slopes (without the iLB effect) and residuals of every scale.

    Examples
    --------
    >>> from ilb_eval.simulate.population import draw_persons
    >>> from ilb_eval.simulate.settings import load_settings
    >>> from ilb_eval.study import load_study
    >>> zp, cfg = load_study("ZP"), load_settings()["samples"]["ZP"]
    >>> persons = draw_persons(cfg, zp, 1.0, np.random.default_rng(0))
    >>> latent = draw_growth(persons, zp, cfg["growth"], np.random.default_rng(1))
    >>> latent.residual["fachkompetenz"].shape
    (488, 3)
    """
    x = {name: values for name, values in covariate_matrix(persons, study).items() if name != "ilb"}
    n_waves = len(study.time_scores)
    isd, ssd, corr = growth["intercept_sd"], growth["slope_sd"], growth["intercept_slope_corr"]
    names = [scale.name for scale in study.competence_scales]
    chol = np.linalg.cholesky(intercept_correlation(names, growth.get("intercept_correlation")))
    u_i = isd * rng.standard_normal((persons.n, len(names))) @ chol.T
    intercepts, slopes, residuals = {}, {}, {}
    for k, scale in enumerate(study.competence_scales):
        p = growth["scales"][scale.name]
        # the slope deviation given the intercept deviation keeps each scale's (i, s) covariance
        u_s = corr * ssd / isd * u_i[:, k] + ssd * np.sqrt(1.0 - corr**2) * rng.standard_normal(persons.n)
        i = p["intercept"] + u_i[:, k]
        s = p["slope"] + u_s
        for name, values in x.items():
            effect = growth["covariates"][name]
            i = i + effect["i"] * np.nan_to_num(values)
            s = s + effect["s"] * np.nan_to_num(values)
        intercepts[scale.name], slopes[scale.name] = i, s
        residuals[scale.name] = rng.normal(0.0, growth["residual_sd"], (persons.n, n_waves))
    return LatentGrowth(intercept=intercepts, slope=slopes, residual=residuals)


def true_scores(latent: LatentGrowth, persons: Persons, study: Study, growth: dict[str, Any]) -> dict[str, np.ndarray]:
    """True scores ``y`` (persons x waves) per scale, with the iLB effect on the slopes of the users.

    iLB acts from the first wave on: its slope effect is multiplied by the
    time since the first wave, so first-wave scores do not depend on who
    uses iLB.

    Examples
    --------
    >>> from ilb_eval.simulate.population import assign_groups, draw_persons
    >>> from ilb_eval.simulate.settings import load_settings
    >>> from ilb_eval.study import load_study
    >>> eap, cfg = load_study("EAP"), load_settings()["samples"]["EAP"]
    >>> persons = draw_persons(cfg, eap, 1.0, np.random.default_rng(0))
    >>> latent = draw_growth(persons, eap, cfg["growth"], np.random.default_rng(1))
    >>> before = true_scores(latent, persons, eap, cfg["growth"])["belastbarkeit"]
    >>> assign_groups(persons, cfg, eap, 1.0, np.zeros(persons.n), np.random.default_rng(2))
    >>> after = true_scores(latent, persons, eap, cfg["growth"])["belastbarkeit"]
    >>> bool(np.array_equal(before[:, 0], after[:, 0])), bool((after[persons.ilb, 2] != before[persons.ilb, 2]).all())
    (True, True)
    """
    times = np.asarray(study.time_scores, dtype=float)
    elapsed = times - times[0]
    users = persons.ilb.astype(float) if study.has_control_group else np.zeros(persons.n)
    conditions = sum(growth["time_conditions"][k] * persons.latent[k] for k in _TIME_CONDITIONS) * persons.ilb
    result = {}
    for scale in study.competence_scales:
        effect = growth["scales"][scale.name]["ilb_s"] * users
        i, s = latent.intercept[scale.name], latent.slope[scale.name] + conditions
        result[scale.name] = i[:, None] + s[:, None] * times[None, :] + effect[:, None] * elapsed[None, :] + latent.residual[scale.name]
    return result


def observed_mean_score(items: list[np.ndarray], reverse: list[tuple[bool, ...]], lo: float, hi: float) -> np.ndarray:
    """Mean over scales of the observed scale scores (valid answers only, reverse keyed).

    ``items`` holds one persons x items array per scale with answers outside
    ``lo..hi`` treated as missing. NaN for a person without any valid answer.

    Examples
    --------
    >>> answers = np.array([[4, 4, -9, 2], [-9, -9, -9, -9]], dtype=np.int8)
    >>> observed_mean_score([answers], [(False, False, False, True)], 1, 5).tolist()
    [4.0, nan]
    """
    total = np.zeros(items[0].shape[0])
    count = np.zeros(items[0].shape[0])
    for answers, flip in zip(items, reverse, strict=True):
        values = answers.astype(float)
        values[(values < lo) | (values > hi)] = np.nan
        flip_mask = np.asarray(flip, dtype=bool)
        values[:, flip_mask] = lo + hi - values[:, flip_mask]
        with np.errstate(invalid="ignore"):
            score = np.nanmean(np.where(np.isnan(values).all(axis=1, keepdims=True), 0.0, values), axis=1)
        valid = ~np.isnan(values).all(axis=1)
        total += np.where(valid, score, 0.0)
        count += valid
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def true_parameters(sample: str, study: Study, growth: dict[str, Any], ilb_share: float) -> pd.DataFrame:
    """The true parameters of every competence scale in the growth engine's vocabulary.

    Outcomes are named ``<scale>_<wave>`` as in ``Panel.wide``. Residual
    variances are on the observed score metric (see the module docstring).

    Examples
    --------
    >>> from ilb_eval.simulate.settings import load_settings
    >>> from ilb_eval.study import load_study
    >>> growth = load_settings()["samples"]["EAP"]["growth"]
    >>> table = true_parameters("EAP", load_study("EAP"), growth, 377 / 1737)
    >>> row = table.query("scale == 'belastbarkeit' and lhs == 's' and rhs == 'ilb'")
    >>> float(row["est"].iloc[0])
    0.08
    """
    rows: list[tuple[Any, ...]] = []
    extra_slope = ilb_share * sum(growth["time_conditions"][k] ** 2 for k in _TIME_CONDITIONS)
    isd, ssd, corr = growth["intercept_sd"], growth["slope_sd"], growth["intercept_slope_corr"]
    residual = growth["residual_sd"] ** 2 + (growth["item_noise_sd"] ** 2 + 1.0 / 12.0) / 4.0
    names = (["ilb"] if study.has_control_group else []) + list(study.covariate_names)
    for scale in study.competence_scales:
        p = growth["scales"][scale.name]
        for factor, key in (("i", "intercept"), ("s", "slope")):
            rows.append((sample, scale.name, factor, "~1", "", 1, p[key]))
        for factor in ("i", "s"):
            for name in names:
                if name == "ilb":  # iLB acts on the slope from the first wave on (time 0: no effect)
                    value = p["ilb_s"] if factor == "s" else 0.0 - p["ilb_s"] * float(study.time_scores[0]) + 0.0
                else:
                    value = growth["covariates"][name][factor]
                rows.append((sample, scale.name, factor, "~", name, 1, value))
        rows.append((sample, scale.name, "i", "~~", "i", 1, isd**2))
        rows.append((sample, scale.name, "s", "~~", "s", 1, ssd**2 + extra_slope))
        rows.append((sample, scale.name, "i", "~~", "s", 1, corr * isd * ssd))
        for wave in study.wave_names:
            outcome = f"{scale.name}_{wave}"
            rows.append((sample, scale.name, outcome, "~~", outcome, 1, residual))
    table = pd.DataFrame(rows, columns=list(TRUE_PARAMETER_COLUMNS))
    table["est"] = table["est"].astype(float).round(10)
    return table
