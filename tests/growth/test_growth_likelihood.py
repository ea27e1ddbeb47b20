"""The FIML log-likelihood of growth fits, checked independently person by person.

The derivatives and the optimiser of the engine are tested in tests/sem.
"""

from __future__ import annotations

import numpy as np
import pytest
from growth_refs import load_data, our_fit, spec_by_name
from scipy import stats

CASES = [
    "demo_uncond",
    "demo_mar_cond",
    "ilb_a_uncond",
    "ilb_a_cond",
    "ilb_a_mg",
    "ilb_a_mg_eqslope",
]


def independent_logl(name: str) -> float:
    """logl at our estimates, person by person with scipy's multivariate normal."""
    spec = spec_by_name(name)
    res = our_fit(name)
    data = load_data(spec["data"])
    params = res.params
    outcomes, covariates = spec["outcomes"], spec.get("covariates", [])
    lam = np.column_stack([np.ones(len(outcomes)), spec["time_scores"]])
    total = 0.0
    for g, label in enumerate(res.group_labels, start=1):
        part = params[params["group"] == g]

        def value(lhs, op, rhs="", part=part):
            row = part[(part["lhs"] == lhs) & (part["op"] == op) & (part["rhs"] == rhs)]
            return float(row["est"].iloc[0])

        theta = np.diag([value(y, "~~", y) for y in outcomes])
        psi = np.array(
            [
                [value("i", "~~", "i"), value("i", "~~", "s")],
                [value("i", "~~", "s"), value("s", "~~", "s")],
            ]
        )
        alpha = np.array([value("i", "~1"), value("s", "~1")])
        gamma = np.array([[value(f, "~", x) for x in covariates] for f in ("i", "s")])
        sigma = lam @ psi @ lam.T + theta
        rows = data if not label else data[data[spec["group"]].astype(str) == label]
        y = rows[outcomes].to_numpy(float)
        x = rows[covariates].to_numpy(float) if covariates else np.zeros((len(rows), 0))
        for yi, xi in zip(y, x, strict=True):
            obs = ~np.isnan(yi)
            if not obs.any():
                continue
            mu = lam @ (alpha + gamma.reshape(2, -1) @ xi)
            total += stats.multivariate_normal(mu[obs], sigma[np.ix_(obs, obs)]).logpdf(yi[obs])
    return total


@pytest.mark.parametrize("name", CASES)
def test_logl_equals_person_by_person_computation(name):
    ours = our_fit(name).fit["logl"]
    assert ours == pytest.approx(independent_logl(name), rel=1e-8)
