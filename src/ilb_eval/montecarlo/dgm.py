"""Data-generating model for linear growth in two groups, with covariates and attrition.

The model (one row per person, ``g`` = 1 for the iLB group, 0 for controls)::

    i = intercept_mean + group_effect_intercept * g + sum_x b_i[x] * x + u_i
    s = slope_mean     + group_effect_slope     * g + sum_x b_s[x] * x + u_s
    y_t = i + s * time_t + e_t,      (u_i, u_s) ~ N(0, Psi),  e_t ~ N(0, theta_t)

is exactly the conditional growth model the engine fits with the group and
the covariates as predictors of ``i`` and ``s`` (``fit_growth(...,
covariates=[group, *covariates])``), so :meth:`GrowthDGM.true_parameters`
is the true parameter table in the engine's vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Attrition", "BinaryCovariate", "GrowthDGM", "SimulatedData"]

SeedLike = int | np.random.SeedSequence | np.random.Generator | None


@dataclass(frozen=True)
class BinaryCovariate:
    """A 0/1 covariate that shifts the intercept and the slope.

    Parameters
    ----------
    name
        Column name.
    prevalence
        Share of ones; a pair ``(controls, iLB)`` gives different shares per
        group (self-selection on the covariate).
    on_intercept, on_slope
        Effects on ``i`` and ``s`` (regression weights of ``i ~ x``, ``s ~ x``).

    Examples
    --------
    >>> BinaryCovariate("age40", prevalence=(0.4, 0.6), on_slope=-0.03).prevalence_in(1)
    0.6
    """

    name: str
    prevalence: float | tuple[float, float] = 0.5
    on_intercept: float = 0.0
    on_slope: float = 0.0

    def prevalence_in(self, group: int) -> float:
        """Share of ones in group ``group`` (0 = control, 1 = iLB)."""
        if isinstance(self.prevalence, tuple | list):
            return float(self.prevalence[group])
        return float(self.prevalence)


@dataclass(frozen=True)
class Attrition:
    """Late joiners and monotone dropout, missing completely at random or at random.

    Parameters
    ----------
    late_join
        Share of persons who miss the first wave and join at the second.
    dropout
        One probability per later wave: the chance that a person observed at
        the previous wave is missing from this wave on (monotone dropout).
    mar
        Log-odds of dropping out per standard deviation of the previous
        wave's observed score. ``0`` is MCAR; negative values make persons
        with low scores leave more often (MAR: the probability depends only
        on observed data). The base probabilities hold at the mean score.

    Examples
    --------
    >>> Attrition.study().late_join
    0.26
    >>> Attrition(dropout=(0.3, 0.2), mar=-1.0).is_mcar
    False
    """

    late_join: float = 0.0
    dropout: tuple[float, ...] = ()
    mar: float = 0.0

    @classmethod
    def study(cls, mar: float = 0.0) -> Attrition:
        """Attrition of the example study (EAP, three waves).

        In the shipped example study 26 % of the persons first answer at t3
        or later, 68 % of the t1 respondents miss t3 and 62 % of the t3
        respondents miss t4. Persons who skip t3 and return at t4 are not
        modelled, so the design is slightly pessimistic.
        """
        return cls(late_join=0.26, dropout=(0.68, 0.62), mar=mar)

    @property
    def is_mcar(self) -> bool:
        """Whether missingness is unrelated to the scores."""
        return self.mar == 0.0

    def observed_mask(self, y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Boolean (persons x waves) mask of observed scores for complete scores ``y``."""
        n, p = y.shape
        if self.dropout and len(self.dropout) != p - 1:
            raise ValueError(
                f"dropout has {len(self.dropout)} probabilities for {p} waves; give one per "
                f"wave after the first ({p - 1})."
            )
        observed = np.ones((n, p), dtype=bool)
        observed[:, 0] = rng.random(n) >= self.late_join
        present = np.ones(n, dtype=bool)
        for k, base in enumerate(self.dropout, start=1):
            # At risk: persons observed at the previous wave (late joiners enter at wave 2).
            seen = observed[:, k - 1]
            p_drop = np.full(n, float(base))
            if 0.0 < base < 1.0 and self.mar != 0.0 and seen.sum() > 1:
                prev = y[:, k - 1]
                z = np.where(seen, (prev - prev[seen].mean()) / prev[seen].std(), 0.0)
                p_drop = 1.0 / (1.0 + np.exp(-(np.log(base / (1.0 - base)) + self.mar * z)))
            present &= ~(seen & (rng.random(n) < p_drop))
            observed[:, k] = present
        return observed


@dataclass(frozen=True)
class SimulatedData:
    """One simulated data set and the truth behind it."""

    data: pd.DataFrame
    truth: pd.DataFrame


@dataclass(frozen=True)
class GrowthDGM:
    """Linear growth in an iLB and a control group with known parameters.

    Parameters
    ----------
    n_per_group
        Persons per group (iLB and control each).
    time_scores
        Time score of each wave.
    outcomes
        Outcome column names; by default ``t<time + 1>`` for integer time
        scores (DECISIONS 4: time scores 0, 2, 3 are waves t1, t3, t4).
    intercept_mean, slope_mean
        Means of ``i`` and ``s`` in the control group with all covariates 0.
    intercept_variance, slope_variance, intercept_slope_covariance
        Residual (co)variances of the growth factors.
    residual_variances
        One residual variance for all waves or one per wave.
    group_effect_intercept, group_effect_slope
        Differences iLB minus control in ``i`` and ``s`` (``i ~ ilb``, ``s ~ ilb``).
    covariates
        Binary covariates (:class:`BinaryCovariate`).
    attrition
        Late joiners and dropout (:class:`Attrition`); none by default.
    group
        Name of the 0/1 group column.

    Examples
    --------
    >>> dgm = GrowthDGM(n_per_group=100, group_effect_slope=0.1)
    >>> sim = dgm.simulate(1)
    >>> sim.data.shape, list(sim.data.columns)
    ((200, 5), ['person', 'ilb', 't1', 't3', 't4'])
    >>> sim.truth.query("lhs == 's' and op == '~'")[["rhs", "est"]].to_dict("records")
    [{'rhs': 'ilb', 'est': 0.1}]
    """

    n_per_group: int = 200
    time_scores: tuple[float, ...] = (0.0, 2.0, 3.0)
    outcomes: tuple[str, ...] | None = None
    intercept_mean: float = 3.5
    slope_mean: float = 0.0
    intercept_variance: float = 0.25
    slope_variance: float = 0.01
    intercept_slope_covariance: float = 0.0
    residual_variances: float | tuple[float, ...] = 0.085
    group_effect_intercept: float = 0.0
    group_effect_slope: float = 0.0
    covariates: tuple[BinaryCovariate, ...] = ()
    attrition: Attrition = field(default_factory=Attrition)
    group: str = "ilb"

    def __post_init__(self) -> None:
        if self.n_per_group < 2:
            raise ValueError(f"n_per_group is {self.n_per_group}; give at least 2.")
        if len(self.time_scores) < 3:
            raise ValueError("A linear growth model needs at least 3 time scores.")
        if self.outcomes is not None and len(self.outcomes) != len(self.time_scores):
            raise ValueError("Give one outcome name per time score.")
        if self.outcomes is None and any(float(t) != int(t) for t in self.time_scores):
            raise ValueError("Non-integer time scores: give the outcome names.")
        if len(self.residual_theta) != len(self.time_scores):
            raise ValueError("Give one residual variance, or one per time score.")
        psi = self.psi
        if np.linalg.eigvalsh(psi)[0] < 0:
            raise ValueError("The growth-factor covariance matrix is not positive semidefinite.")

    # --- derived quantities ------------------------------------------------
    @property
    def outcome_names(self) -> tuple[str, ...]:
        """The outcome columns in wave order."""
        if self.outcomes is not None:
            return tuple(self.outcomes)
        return tuple(f"t{int(t) + 1}" for t in self.time_scores)

    @property
    def psi(self) -> np.ndarray:
        """Covariance matrix of ``(u_i, u_s)``."""
        c = self.intercept_slope_covariance
        return np.array([[self.intercept_variance, c], [c, self.slope_variance]])

    @property
    def residual_theta(self) -> tuple[float, ...]:
        """Residual variance of each wave."""
        if isinstance(self.residual_variances, int | float):
            return (float(self.residual_variances),) * len(self.time_scores)
        return tuple(float(v) for v in self.residual_variances)

    @property
    def predictors(self) -> tuple[str, ...]:
        """The group column and the covariates, as the engine's ``covariates``."""
        return (self.group, *(c.name for c in self.covariates))

    def fit_options(self) -> dict[str, Any]:
        """Keyword arguments for :func:`ilb_eval.growth.fit_growth` matching this model.

        Residual variances are constrained equal over waves when the model has
        one residual variance.

        Examples
        --------
        >>> GrowthDGM().fit_options()["residual_variances"]
        'equal'
        """
        equal = len(set(self.residual_theta)) == 1
        return {
            "outcomes": list(self.outcome_names),
            "time_scores": [float(t) for t in self.time_scores],
            "covariates": list(self.predictors),
            "residual_variances": "equal" if equal else "free",
        }

    def true_parameters(self) -> pd.DataFrame:
        """The true values of the free parameters, in the engine's vocabulary.

        Returns
        -------
        DataFrame
            Columns ``lhs``, ``op``, ``rhs``, ``group`` (1), ``est``: means of
            ``i`` and ``s`` (``~1``), the regressions on the group and the
            covariates (``~``), the factor (co)variances and the residual
            variances (``~~``).

        Examples
        --------
        >>> GrowthDGM(slope_mean=0.05).true_parameters().query("op == '~1'")["est"].tolist()
        [3.5, 0.05]
        """
        rows: list[tuple[str, str, str, float]] = []
        effects = {
            self.group: (self.group_effect_intercept, self.group_effect_slope),
            **{c.name: (c.on_intercept, c.on_slope) for c in self.covariates},
        }
        for factor, k in (("i", 0), ("s", 1)):
            rows += [(factor, "~", name, float(eff[k])) for name, eff in effects.items()]
        rows += [
            (y, "~~", y, v) for y, v in zip(self.outcome_names, self.residual_theta, strict=True)
        ]
        rows += [
            ("i", "~~", "i", float(self.intercept_variance)),
            ("s", "~~", "s", float(self.slope_variance)),
            ("i", "~~", "s", float(self.intercept_slope_covariance)),
            ("i", "~1", "", float(self.intercept_mean)),
            ("s", "~1", "", float(self.slope_mean)),
        ]
        table = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "est"])
        table.insert(3, "group", 1)
        return table

    # --- simulation --------------------------------------------------------
    def simulate(self, seed: SeedLike = None) -> SimulatedData:
        """Draw one data set.

        Parameters
        ----------
        seed
            An int, a :class:`numpy.random.SeedSequence` or a Generator.

        Returns
        -------
        SimulatedData
            ``data``: one row per person (``person``, the group column, the
            covariates, one outcome per wave with NaN where missing);
            ``truth``: :meth:`true_parameters`.

        Examples
        --------
        >>> sim = GrowthDGM(n_per_group=50, attrition=Attrition(late_join=0.2)).simulate(3)
        >>> int(sim.data["t1"].isna().sum()) > 0
        True
        """
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        n = 2 * self.n_per_group
        g = np.repeat([0, 1], self.n_per_group)
        frame: dict[str, np.ndarray] = {"person": np.arange(1, n + 1), self.group: g}
        i = self.intercept_mean + self.group_effect_intercept * g
        s = self.slope_mean + self.group_effect_slope * g
        for cov in self.covariates:
            prevalence = np.where(g == 1, cov.prevalence_in(1), cov.prevalence_in(0))
            x = (rng.random(n) < prevalence).astype(float)
            frame[cov.name] = x
            i = i + cov.on_intercept * x
            s = s + cov.on_slope * x
        u = rng.multivariate_normal(np.zeros(2), self.psi, size=n, method="eigh")
        i = i + u[:, 0]
        s = s + u[:, 1]
        times = np.asarray(self.time_scores, dtype=float)
        sd = np.sqrt(np.asarray(self.residual_theta))
        y = i[:, None] + s[:, None] * times[None, :] + rng.standard_normal((n, len(times))) * sd
        observed = self.attrition.observed_mask(y, rng)
        y = np.where(observed, y, np.nan)
        for k, name in enumerate(self.outcome_names):
            frame[name] = y[:, k]
        return SimulatedData(data=pd.DataFrame(frame), truth=self.true_parameters())
