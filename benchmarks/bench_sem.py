"""Benchmark of the general SEM engine against lavaan, in the same run.

The model of issue 13: three factors with four indicators each, two covariates
predicting the factors, missing values at random (the probability of a missing
indicator depends on a covariate), fitted by FIML; single group, and two groups
with scalar invariance (``group.equal = c("loadings", "intercepts")``). Data
are simulated with numpy (seeded) for 1,600 and 100,000 persons and written to
a CSV file that both engines read. lavaan's time is measured inside R around
the ``sem()`` call only; ours around :func:`ilb_eval.sem.sem` (data checks,
patterns, h1, estimation, standard errors, fit measures). Printed: times
(median of several runs for the small size), the ratio, and the largest
difference of the log-likelihoods (a check that both found the same maximum).

Run: ``python benchmarks/bench_sem.py [--sizes 1600 100000] [--no-lavaan] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ilb_eval.sem import sem

MODEL = """
f1 =~ y1 + y2 + y3 + y4
f2 =~ y5 + y6 + y7 + y8
f3 =~ y9 + y10 + y11 + y12
f1 + f2 + f3 ~ x1 + x2
"""

_R_SCRIPT = """
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
model <- '%s'
group <- if (args[2] == "1") "g" else NULL
equal <- if (args[2] == "1") c("loadings", "intercepts") else ""
t0 <- proc.time()[["elapsed"]]
fit <- sem(model, data = d, missing = "fiml", group = group, group.equal = equal)
t1 <- proc.time()[["elapsed"]]
cat(sprintf("%%.6f %%.6f\\n", t1 - t0, fitMeasures(fit, "logl")))
""" % MODEL.strip()


def simulate(n: int, seed: int = 20261205) -> pd.DataFrame:
    """Three correlated factors, four indicators each, two covariates, MAR missingness."""
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n)])
    g = rng.integers(0, 2, n)
    psi = np.array([[1.0, 0.4, 0.3], [0.4, 1.0, 0.5], [0.3, 0.5, 1.0]])
    f = rng.multivariate_normal(np.zeros(3), psi, n) + x @ np.array([[0.3, 0.2, 0.1],
                                                                    [-0.2, 0.1, 0.3]])  # fmt: skip
    f += 0.2 * g[:, None]
    loadings = np.array([1.0, 0.8, 1.1, 0.9])
    y = np.column_stack(
        [2.0 + loadings[j % 4] * f[:, j // 4] + rng.normal(0, 0.6, n) for j in range(12)]
    )
    p_missing = 1.0 / (1.0 + np.exp(-(-1.8 + 0.8 * x[:, [0]])))
    y[rng.random(y.shape) < p_missing] = np.nan
    frame = pd.DataFrame(np.round(y, 4), columns=[f"y{j + 1}" for j in range(12)])
    frame["x1"] = np.round(x[:, 0], 4)
    frame["x2"] = x[:, 1]
    frame["g"] = g
    return frame


def _ours(data: pd.DataFrame, groups: bool) -> tuple[float, float]:
    options = {"group": "g", "group_equal": ["loadings", "intercepts"]} if groups else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        started = time.perf_counter()
        res = sem(MODEL, data, **options)
        return time.perf_counter() - started, float(res.fit["logl"])


def _lavaan(csv: Path, groups: bool) -> tuple[float, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as handle:
        handle.write(_R_SCRIPT)
    out = subprocess.run(["Rscript", handle.name, str(csv), "1" if groups else "0"],
                         capture_output=True, text=True, check=True)  # fmt: skip
    Path(handle.name).unlink()
    seconds, logl = out.stdout.split()
    return float(seconds), float(logl)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1600, 100_000])
    parser.add_argument("--no-lavaan", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with_lavaan = not args.no_lavaan and shutil.which("Rscript") is not None
    print(f"lavaan comparison: {'yes' if with_lavaan else 'no'}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            data = simulate(n)
            csv = Path(tmp) / f"sem_{n}.csv"
            data.to_csv(csv, index=False)
            data = pd.read_csv(csv)
            repeat = args.repeat if n < 10_000 else max(1, args.repeat // 3)
            for groups in (False, True):
                ours = [_ours(data, groups) for _ in range(repeat)]
                ours_t = statistics.median(t for t, _ in ours)
                line = (f"n={n:>9,}  {'2 groups, scalar' if groups else 'single group    '}  "
                        f"ilb_eval {ours_t * 1000:9.1f} ms")  # fmt: skip
                if with_lavaan:
                    lav = [_lavaan(csv, groups) for _ in range(min(repeat, 3))]
                    lav_t = statistics.median(t for t, _ in lav)
                    diff = abs(ours[0][1] - lav[0][1])
                    line += (f"  lavaan {lav_t * 1000:9.1f} ms  ratio {lav_t / ours_t:6.1f}x  "
                             f"|logl diff| {diff:.1e}")  # fmt: skip
                print(line, flush=True)


if __name__ == "__main__":
    main()
