"""Alpha, Feldt interval and omega against hand arithmetic and independent computations."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from ilb_eval.exceptions import InadmissibleSolutionWarning
from ilb_eval.prep import build_panel, cronbach_alpha, feldt_interval, omega_total, reliability

# Five persons, four items (rows = persons).
HAND = np.array(
    [
        [2, 3, 3, 2],
        [4, 4, 5, 4],
        [3, 3, 4, 3],
        [5, 4, 5, 5],
        [1, 2, 2, 1],
    ],
    dtype=float,
)
# item 1: mean 3,   squared deviations 1 + 1 + 0 + 4 + 4          = 10  -> variance 10 / 4 = 2.5
# item 2: mean 3.2, squared deviations .04 + .64 + .04 + .64 + 1.44 = 2.8 -> variance 0.7
# item 3: mean 3.8, squared deviations .64 + 1.44 + .04 + 1.44 + 3.24 = 6.8 -> variance 1.7
# item 4: as item 1                                                       -> variance 2.5
# sum of item variances = 2.5 + 0.7 + 1.7 + 2.5 = 7.4
# sum scores 10, 17, 13, 19, 6: mean 13, squared deviations 9 + 16 + 0 + 36 + 49 = 110 -> variance 27.5
# alpha = 4/3 * (1 - 7.4 / 27.5) = 4/3 * 20.1/27.5 = 80.4 / 82.5
HAND_ALPHA = 80.4 / 82.5  # 0.974545...


def test_alpha_by_hand():
    assert cronbach_alpha(pd.DataFrame(HAND)) == pytest.approx(HAND_ALPHA, abs=1e-12)


def test_alpha_uses_complete_cases_only():
    with_gap = np.vstack([HAND, [np.nan, 1, 1, 1]])
    assert cronbach_alpha(pd.DataFrame(with_gap)) == pytest.approx(HAND_ALPHA, abs=1e-12)
    assert math.isnan(cronbach_alpha(pd.DataFrame(HAND[:, :1])))  # one item


def test_feldt_interval_by_hand():
    # n = 5 persons, k = 4 items: F with df1 = n - 1 = 4 and df2 = (n - 1)(k - 1) = 12
    f_upper = stats.f.ppf(0.975, 4, 12)  # about 3.89
    f_lower = stats.f.ppf(0.025, 4, 12)  # about 0.112
    lower, upper = feldt_interval(HAND_ALPHA, n=5, k=4)
    assert lower == pytest.approx(1 - (1 - HAND_ALPHA) * f_upper, abs=1e-12)
    assert upper == pytest.approx(1 - (1 - HAND_ALPHA) * f_lower, abs=1e-12)
    assert lower < HAND_ALPHA < upper
    # a 90 % interval is nested in the 95 % interval
    lo90, up90 = feldt_interval(HAND_ALPHA, n=5, k=4, level=0.90)
    assert lower < lo90 < up90 < upper


def _sample(loadings, residual_sd, n, seed):
    rng = np.random.default_rng(seed)
    factor = rng.normal(size=n)
    return pd.DataFrame(
        {f"x{j}": 3 + lam * factor + sd * rng.normal(size=n) for j, (lam, sd) in enumerate(zip(loadings, residual_sd, strict=True))}
    )


def test_omega_three_items_closed_form():
    # With three indicators the one-factor model is just identified (psi = 1):
    # lambda_1^2 = s12 s13 / s23, lambda_2^2 = s12 s23 / s13, lambda_3^2 = s13 s23 / s12,
    # theta_j = s_jj - lambda_j^2; omega = (sum lambda)^2 / ((sum lambda)^2 + sum theta).
    # Omega is unchanged by the covariance divisor (n or n - 1), so np.cov is fine.
    items = _sample([0.9, 0.7, 0.5], [0.6, 0.8, 1.0], n=400, seed=11)
    s = np.cov(items.to_numpy(), rowvar=False)
    lam = np.sqrt([s[0, 1] * s[0, 2] / s[1, 2], s[0, 1] * s[1, 2] / s[0, 2], s[0, 2] * s[1, 2] / s[0, 1]])
    theta = np.diag(s) - lam**2
    expected = lam.sum() ** 2 / (lam.sum() ** 2 + theta.sum())
    # tolerance 1e-6: the engine converges to a Newton decrement of 1e-12
    assert omega_total(items) == pytest.approx(expected, abs=1e-6)


def _omega_by_own_ml(items: pd.DataFrame) -> float:
    """One-factor ML fit by minimising F = log|Sigma| + tr(S Sigma^-1) with scipy (psi = 1)."""
    s = np.cov(items.to_numpy(), rowvar=False, ddof=0)
    k = s.shape[0]

    def discrepancy(params):
        lam, log_theta = params[:k], params[k:]
        sigma = np.outer(lam, lam) + np.diag(np.exp(log_theta))
        sign, logdet = np.linalg.slogdet(sigma)
        return logdet + np.trace(s @ np.linalg.inv(sigma))

    start = np.concatenate([np.sqrt(np.diag(s)) * 0.7, np.log(np.diag(s) * 0.5)])
    fit = optimize.minimize(discrepancy, start, method="BFGS", options={"gtol": 1e-10})
    lam, theta = fit.x[:k], np.exp(fit.x[k:])
    return float(lam.sum() ** 2 / (lam.sum() ** 2 + theta.sum()))


def test_omega_four_items_against_own_ml_fit():
    items = _sample([0.9, 0.7, 0.5, 0.8], [0.6, 0.8, 1.0, 0.7], n=300, seed=12)
    # tolerance 1e-6 between two optimisers (observed difference ~1e-8)
    assert omega_total(items) == pytest.approx(_omega_by_own_ml(items), abs=1e-6)


def test_omega_warns_on_a_heywood_case():
    # r12 r13 / r23 = .8 * .8 / .55 = 1.16 > 1: the first loading squared exceeds the item's variance
    rng = np.random.default_rng(0)
    corr = np.array([[1, 0.8, 0.8], [0.8, 1, 0.55], [0.8, 0.55, 1]])
    items = pd.DataFrame(rng.multivariate_normal(np.zeros(3), corr, size=2000), columns=["a", "b", "c"])
    with pytest.warns(InadmissibleSolutionWarning, match="Heywood"):
        omega_total(items)


def test_omega_needs_three_items():
    assert math.isnan(omega_total(_sample([0.9, 0.7], [0.6, 0.8], n=50, seed=1)))


def _wave_with_scale(eap, io_wave, items, codes, wave="t1"):
    """fachkompetenz items from the hand matrix; fk_4 is stored reversed (6 - x) as respondents answer it."""
    return io_wave(
        eap, wave, codes,
        fk_1=items[:, 0], fk_2=items[:, 1], fk_3=items[:, 2], fk_4=6 - items[:, 3],
    )


def test_reliability_reverse_keys_before(eap, io_wave):
    frame = _wave_with_scale(eap, io_wave, HAND, ["a", "b", "c", "d", "e"])
    t3 = io_wave(eap, "t3", ["a"])
    t4 = io_wave(eap, "t4", ["a"])
    # five persons, four items, two of them dependent: no omega, a warning says why
    with pytest.warns(InadmissibleSolutionWarning, match="linearly dependent"):
        table = reliability({"t1": frame, "t3": t3, "t4": t4}, eap)
    row = table.set_index(["scale", "wave"]).loc[("fachkompetenz", "t1")]
    assert (row["n"], row["k"]) == (5, 4)
    assert math.isnan(row["omega"])
    assert row["alpha"] == pytest.approx(HAND_ALPHA, abs=1e-12)
    lower, upper = feldt_interval(HAND_ALPHA, 5, 4)
    assert (row["alpha_ci_lower"], row["alpha_ci_upper"]) == pytest.approx((lower, upper), abs=1e-12)
    assert list(table.columns) == ["scale", "wave", "n", "k", "alpha", "alpha_ci_lower", "alpha_ci_upper", "omega"]
    assert len(table) == sum(len(s.waves) for s in eap.scales)


def test_reliability_from_panel_equals_from_frames(eap, io_wave):
    items = _sample([0.9, 0.7, 0.5, 0.8], [0.6, 0.8, 1.0, 0.7], n=60, seed=3).to_numpy()
    items = np.clip(np.round(items), 1, 5)
    codes = [f"p{i:03d}" for i in range(60)]
    waves = {
        "t1": _wave_with_scale(eap, io_wave, items, codes),
        "t3": _wave_with_scale(eap, io_wave, items[::-1], codes, "t3"),
        "t4": io_wave(eap, "t4", codes[:10]),
    }
    waves["t1"].loc[5, "fk_2"] = -9.0  # one missing item: n = 59 complete cases
    from_frames = reliability(waves, eap).set_index(["scale", "wave"])
    from_panel = reliability(build_panel(eap, waves), eap).set_index(["scale", "wave"])
    assert from_frames.loc[("fachkompetenz", "t1"), "n"] == 59
    pd.testing.assert_frame_equal(
        from_panel.loc[["fachkompetenz"]], from_frames.loc[["fachkompetenz"]], check_exact=False, atol=1e-8
    )
