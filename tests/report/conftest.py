"""Small synthetic inputs for the report tests (aggregates only, no persons), and the shared run.

``run`` is the one report run on canary data of the test session
(``report_run`` of tests/conftest.py, which also has ``canary_data`` and
``shared_run``).
"""

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="session")
def run(report_run):
    return report_run

WAVES = {"t1": 0.0, "t3": 2.0, "t4": 3.0}
LABELS = {
    "belastbarkeit": {"de": "Belastbarkeit", "en": "Resilience"},
    "selbststaendigkeit": {"de": "Selbstständigkeit", "en": "Autonomy"},
    "analysefaehigkeit": {"de": "Analysefähigkeit", "en": "Analytical ability"},
    "ilb": {"de": "iLB-Teilnahme", "en": "iLB use"},
    "age40": {"de": "Alter 40 und älter", "en": "Age 40 and over"},
}


@pytest.fixture
def waves():
    return dict(WAVES)


@pytest.fixture
def labels():
    return LABELS


@pytest.fixture
def fixed_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00:00 UTC
    return 1767225600


@pytest.fixture
def params():
    """A hand-made conditional growth model in lavaan vocabulary (one group)."""
    rows = [
        ("i", "=~", "y_t1", 1.0, 0.0, np.nan, np.nan, 1.0, 1.0, 0.8),
        ("i", "=~", "y_t3", 1.0, 0.0, np.nan, np.nan, 1.0, 1.0, 0.8),
        ("i", "=~", "y_t4", 1.0, 0.0, np.nan, np.nan, 1.0, 1.0, 0.8),
        ("s", "=~", "y_t1", 0.0, 0.0, np.nan, np.nan, 0.0, 0.0, 0.0),
        ("s", "=~", "y_t3", 2.0, 0.0, np.nan, np.nan, 2.0, 2.0, 0.3),
        ("s", "=~", "y_t4", 3.0, 0.0, np.nan, np.nan, 3.0, 3.0, 0.4),
        ("i", "~", "ilb", -0.2123, 0.0329, -6.45, 1.1e-10, -0.2768, -0.1478, -0.1802),
        ("i", "~", "age40", 0.0725, 0.0279, 2.60, 0.0093, 0.0178, 0.1271, 0.0775),
        ("s", "~", "ilb", 0.0941, 0.0104, 9.07, 0.0041, 0.0738, 0.1145, 0.5474),
        ("s", "~", "age40", -0.0148, 0.0088, -1.67, 0.0940, -0.0322, 0.0025, -0.1022),
        ("y_t1", "~~", "y_t1", 0.1017, 0.0243, 4.19, 2.8e-5, 0.0541, 0.1493, 0.33),
        ("y_t3", "~~", "y_t3", 0.0732, 0.0083, 8.77, 1e-12, 0.0568, 0.0895, 0.27),
        ("y_t4", "~~", "y_t4", 0.0996, 0.0147, 6.76, 1.3e-11, 0.0707, 0.1285, 0.32),
        ("i", "~~", "i", 0.1958, 0.0249, 7.87, 3.6e-15, 0.1470, 0.2446, 0.96),
        ("s", "~~", "s", 0.0034, 0.0041, 0.82, 0.4150, -0.0047, 0.0114, 0.68),
        ("i", "~~", "s", -0.0037, 0.0091, -0.41, 0.6854, -0.0215, 0.0141, -0.14),
        ("ilb", "~~", "ilb", 0.166, 0.0, np.nan, np.nan, 0.166, 0.166, 1.0),
        ("i", "~1", "", 3.6044, 0.0337, 106.8, 0.0, 3.5383, 3.6705, 7.98),
        ("s", "~1", "", 0.0433, 0.0106, 4.07, 4.65e-5, 0.0225, 0.0641, 0.62),
        ("ilb", "~1", "", 0.21, 0.0, np.nan, np.nan, 0.21, 0.21, 0.52),
    ]
    columns = ["lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"]
    frame = pd.DataFrame(rows, columns=columns)
    frame.insert(3, "group", 1)
    return frame


@pytest.fixture
def fit():
    return {"npar": 14, "chisq": 5.8208, "df": 6, "pvalue": 0.4436, "cfi": 0.9981, "tli": 0.9962,
            "rmsea": 0.0123, "rmsea_ci_lower": 0.0, "rmsea_ci_upper": 0.0307, "srmr": 0.0083,
            "ntotal": 1737}


@pytest.fixture
def trajectory_data():
    implied, observed = [], []
    for dim in ("belastbarkeit", "selbststaendigkeit"):
        for group, (a, b, n) in {"ilb": (3.5, 0.09, 377), "control": (3.7, 0.03, 1360)}.items():
            for t in (0.0, 1.0, 2.0, 3.0):
                e = a + b * t
                implied.append({"dimension": dim, "group": group, "time": t, "estimate": e,
                                "ci_lower": e - 0.06, "ci_upper": e + 0.06, "n": n})
            for wave, t in WAVES.items():
                m = a + b * t + 0.01
                observed.append({"dimension": dim, "group": group, "wave": wave, "mean": m,
                                 "ci_lower": m - 0.08, "ci_upper": m + 0.08,
                                 "n": int(n * (1 - 0.2 * t))})
    return pd.DataFrame(implied), pd.DataFrame(observed)
