"""The building blocks of the fit measures, against definitions written out here.

- information matrices of the saturated model against finite differences of
  a log-likelihood computed person by person with scipy, and against the
  duplication matrix built explicitly;
- the Jacobian of the joint moments against finite differences of the model;
- lavaan's pairwise sample moments against pandas' pairwise covariances;
- the incremental indices and RMSEA at their edge cases (lavaan's rules);
- the FIML-corrected ingredients of the robust indices against lavaan's
  internal ``lav_fit_fiml_corrected`` (references with that check).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sem_refs import our_fit, reference, reference_names

from ilb_eval.sem import fit_incremental as inc
from ilb_eval.sem import sem
from ilb_eval.sem.data import prepare_data
from ilb_eval.sem.fit_corrected import fiml_corrected, joint_implied
from ilb_eval.sem.fit_gfi import pairwise_moments
from ilb_eval.sem.fit_rmsea import rmsea, rmsea_ci, rmsea_close_pvalue, rmsea_notclose_pvalue
from ilb_eval.sem.h1_information import (
    casewise_scores,
    complete_information,
    duplication_sandwich,
    expected_information,
    joint_patterns,
    kept_moments,
    moment_jacobian,
    observed_information,
    vech_indices,
)


def _duplication(size: int) -> np.ndarray:
    """D with vec(S) = D vech(S), vec column by column, vech lower triangle by columns."""
    rows, cols = vech_indices(size)
    d = np.zeros((size * size, len(rows)))
    for a, (i, j) in enumerate(zip(rows, cols, strict=True)):
        d[j * size + i, a] = 1.0
        d[i * size + j, a] = 1.0
    return d


def _random_spd(size: int, rng: np.random.Generator) -> np.ndarray:
    a = rng.normal(size=(size, size))
    return a @ a.T + size * np.eye(size)


def test_duplication_sandwich_equals_explicit_kronecker() -> None:
    rng = np.random.default_rng(1)
    left, right = _random_spd(4, rng), _random_spd(4, rng)
    d = _duplication(4)
    np.testing.assert_allclose(duplication_sandwich(left, right), d.T @ np.kron(left, right) @ d,
                               rtol=1e-12)  # fmt: skip
    weights = np.array([0.5, 2.0])
    stacked = duplication_sandwich(np.stack([left, right]), np.stack([right, left]), weights)
    explicit = 0.5 * d.T @ np.kron(left, right) @ d + 2.0 * d.T @ np.kron(right, left) @ d
    np.testing.assert_allclose(stacked, explicit, rtol=1e-12)


@pytest.fixture(scope="module")
def incomplete() -> dict:
    """Three outcomes with missing values and one complete covariate."""
    rng = np.random.default_rng(7)
    n = 80
    x = rng.normal(size=n)
    y = np.column_stack([1.0 + 0.5 * x, 2.0 - 0.3 * x, 0.5 * x]) + rng.normal(size=(n, 3))
    y[rng.random((n, 3)) < 0.25] = np.nan
    y[:3] = np.nan  # persons with the covariate only
    frame = pd.DataFrame(y, columns=["y1", "y2", "y3"]).assign(x=x)
    group = prepare_data(frame, ["y1", "y2", "y3"], ["x"]).groups[0]
    values = np.column_stack([y, x])
    mean = np.array([1.1, 1.9, 0.1, 0.05])
    cov = _random_spd(4, rng) / 4.0
    return {"group": group, "values": values, "mean": mean, "cov": cov}


def _unpack(point: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = vech_indices(size)
    cov = np.zeros((size, size))
    cov[rows, cols] = point[size:]
    cov[cols, rows] = point[size:]
    return point[:size], cov


def _person_logl(values: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    out = np.zeros(len(values))
    for r, row in enumerate(values):
        o = ~np.isnan(row)
        out[r] = stats.multivariate_normal.logpdf(row[o], mean[o], cov[np.ix_(o, o)])
    return out


def _point(mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    rows, cols = vech_indices(len(mean))
    return np.concatenate([mean, cov[rows, cols]])


def test_observed_information_is_minus_the_hessian(incomplete: dict) -> None:
    values, mean, cov = incomplete["values"], incomplete["mean"], incomplete["cov"]
    size = len(mean)
    point = _point(mean, cov)

    def total(p: np.ndarray) -> float:
        return float(_person_logl(values, *_unpack(p, size)).sum())

    h = 1e-4
    k = len(point)
    hessian = np.empty((k, k))
    for a in range(k):
        for b in range(k):
            e_a, e_b = np.eye(k)[a] * h, np.eye(k)[b] * h
            hessian[a, b] = (total(point + e_a + e_b) - total(point + e_a - e_b)
                             - total(point - e_a + e_b) + total(point - e_a - e_b)) / (4 * h * h)  # fmt: skip
    group = incomplete["group"]
    patterns = joint_patterns(list(group.patterns), 3, 1)
    ours = observed_information(patterns, mean, cov, group.n) * group.n
    kept = kept_moments(3, 1)  # the covariate-only moments are not needed (and not exact)
    np.testing.assert_allclose(ours[np.ix_(kept, kept)], -hessian[np.ix_(kept, kept)],
                               rtol=1e-4, atol=1e-4)  # fmt: skip


def test_casewise_scores_are_the_gradients(incomplete: dict) -> None:
    values, mean, cov = incomplete["values"], incomplete["mean"], incomplete["cov"]
    size = len(mean)
    point = _point(mean, cov)
    scores = casewise_scores(incomplete["group"], mean, cov)
    h = 1e-6
    for a in range(len(point)):
        step = np.eye(len(point))[a] * h
        numeric = (_person_logl(values, *_unpack(point + step, size))
                   - _person_logl(values, *_unpack(point - step, size))) / (2 * h)  # fmt: skip
        np.testing.assert_allclose(scores[:, a], numeric, rtol=1e-5, atol=1e-6)


def test_expected_information_per_pattern(incomplete: dict) -> None:
    group, cov = incomplete["group"], incomplete["cov"]
    size = 4
    d = _duplication(size)
    explicit = np.zeros((size + 10, size + 10))
    for pat in joint_patterns(list(group.patterns), 3, 1):
        o = pat.observed
        inv = np.zeros((size, size))
        inv[np.ix_(o, o)] = np.linalg.inv(cov[np.ix_(o, o)])
        explicit[:size, :size] += pat.n * inv
        explicit[size:, size:] += pat.n * 0.5 * d.T @ np.kron(inv, inv) @ d
    np.testing.assert_allclose(expected_information(joint_patterns(list(group.patterns), 3, 1),
                                                    cov, group.n) * group.n, explicit,
                               rtol=1e-12, atol=1e-12)  # fmt: skip


def test_complete_information_inverts_the_normal_theory_covariance() -> None:
    """Gamma_NT = blockdiag(S, 2 D+ (S x S) D+') is the inverse of the unit information."""
    cov = _random_spd(3, np.random.default_rng(3))
    d = _duplication(3)
    d_plus = np.linalg.pinv(d)
    gamma = np.zeros((9, 9))
    gamma[:3, :3] = cov
    gamma[3:, 3:] = 2.0 * d_plus @ np.kron(cov, cov) @ d_plus.T
    np.testing.assert_allclose(complete_information(cov) @ gamma, np.eye(9), atol=1e-12)


def test_moment_jacobian_equals_finite_differences() -> None:
    rng = np.random.default_rng(11)
    n = 300
    x1, x2 = rng.normal(size=n), rng.binomial(1, 0.5, n).astype(float)
    f = 0.4 * x1 + rng.normal(size=n)
    frame = pd.DataFrame({f"y{j}": (0.5 + 0.2 * j) * f + rng.normal(size=n) for j in (1, 2, 3)})
    frame = frame.assign(x1=x1, x2=x2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sem("f =~ y1 + y2 + y3\nf ~ x1 + x2", frame)
    model, theta = res.model, res.theta
    data = model.data.groups[0]

    def moments(t: np.ndarray) -> np.ndarray:
        state = model.states(t)[0]
        mean, cov = joint_implied(state.sigma, state.mean_coef, data.x_mean, data.x_cov)
        return _point(mean, cov)[kept_moments(3, 2)]

    state = model.states(theta)[0]
    j_sigma, j_mean = model.moment_jacobians(theta)[0]
    ours = moment_jacobian(j_sigma, j_mean, state.mean_coef[:, 1:], data.x_mean, data.x_cov)
    h = 1e-6
    numeric = np.column_stack([(moments(theta + np.eye(len(theta))[a] * h)
                                - moments(theta - np.eye(len(theta))[a] * h)) / (2 * h)
                               for a in range(len(theta))])  # fmt: skip
    np.testing.assert_allclose(ours, numeric, rtol=1e-6, atol=1e-8)


def test_pairwise_moments_equal_pandas_pairwise_covariance(incomplete: dict) -> None:
    values = incomplete["values"]
    group = incomplete["group"]
    frame = pd.DataFrame(values)
    n = len(values)
    mean, cov = pairwise_moments(group)
    np.testing.assert_allclose(mean, frame.mean().to_numpy(), rtol=1e-12)
    expected = frame.cov().to_numpy() * (n - 1) / n
    expected[3, 3] = np.var(values[:, 3])  # lavaan: the covariates' own moments, divisor N
    np.testing.assert_allclose(cov, expected, rtol=1e-10)


def test_incremental_indices_follow_lavaans_rules() -> None:
    nan = math.nan
    assert math.isnan(inc.cfi(nan, 2, 100.0, 10))
    assert inc.cfi(1.0, 2, 1.5, 3) == 1.0  # both noncentralities zero
    assert inc.tli(5.0, 0, 100.0, 10) == 1.0  # df = 0
    assert math.isnan(inc.rni(5.0, 2, 10.0, 10))  # X2_0 - df_0 = 0
    assert math.isnan(inc.rfi(5.0, 12, 100.0, 10))  # df > df_0
    assert math.isnan(inc.nfi(5.0, 2, 0.0, 10))
    assert inc.ifi(5.0, 20, 10.0, 30) == 1.0  # X2_0 < df
    # the robust versions replace df by c df (and the plain ones when c = 1)
    assert inc.cfi(30.0, 10, 300.0, 20, 1.5, 1.2) == pytest.approx(1 - (30 - 15) / (300 - 24))
    assert inc.cfi(30.0, 10, 300.0, 20, 1.0, 1.2) == inc.cfi(30.0, 10, 300.0, 20)


def test_rmsea_edge_cases() -> None:
    assert rmsea(5.0, 0, 100) == 0.0
    assert rmsea(5.0, 10, 100) == 0.0  # X2 < df
    assert math.isnan(rmsea(math.nan, 10, 100))
    assert rmsea_ci(0.5, 10, 100) == (0.0, 0.0)  # no interval above zero
    assert all(math.isnan(v) for v in rmsea_ci(math.nan, 10, 100))
    assert math.isnan(rmsea_close_pvalue(5.0, 0, 100))
    # H0 RMSEA <= 0.05 and RMSEA >= 0.05 are complementary
    assert rmsea_close_pvalue(30.0, 10, 200) + rmsea_notclose_pvalue(30.0, 10, 200, h0=0.05) \
        == pytest.approx(1.0)  # fmt: skip


FIMLC_NAMES = [n for n in reference_names() if "fiml_corrected" in reference(n)]


@pytest.mark.parametrize("name", FIMLC_NAMES)
def test_fiml_corrected_ingredients_equal_lavaan(name: str) -> None:
    """XX3, c.hat3 and the baseline's (lavaan's lav_fit_fiml_corrected), 1e-3 relative."""
    ref = reference(name)["fiml_corrected"]
    res = our_fit(name)
    assert ref["version"] == ("V3" if res.robust is not None else "V6")
    ours = fiml_corrected(res.model, res.theta, res.saturated, int(res.fit["df"]),
                          int(res.fit["baseline_df"]), ref["version"])  # fmt: skip
    assert ours is not None
    assert (ours.df3, ours.df3_null) == (ref["df3"], ref["df3.null"])
    for mine, key in ((ours.xx3, "XX3"), (ours.c_hat3, "c.hat3"), (ours.xx3_scaled, "XX3.scaled"),
                      (ours.xx3_null, "XX3.null"), (ours.c_hat3_null, "c.hat3.null")):  # fmt: skip
        assert abs(mine - ref[key]) <= 1e-3 * abs(ref[key]), (key, mine, ref[key])
