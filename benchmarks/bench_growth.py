"""Benchmark of the growth-model engine (and lavaan, where R is installed).

Simulates (numpy, seeded) the conditional three-wave model of the iLB study
(time scores 0, 2, 3; five binary covariates predicting intercept and slope;
heavy attrition, about 1.4 observed waves per person, some persons without
t1) for 1,737, 100,000 and 1,000,000 persons, fits it with
:func:`ilb_eval.growth.fit_growth` and prints the fit time (median of several
runs for the small sizes). Where ``Rscript`` with lavaan is available, the
same CSV file is fitted with ``growth(..., missing = "fiml")`` in the same
run and the ratio is printed (lavaan's time is measured inside R, around the
growth() call only). Also printed: ML without the 5 extra starts (their cost),
MLR (sandwich SEs from casewise scores and the Yuan-Bentler scaled test) and
the latent-basis model (ML, the time score of t3 estimated; with lavaan, its
time and the log-likelihood difference, positive where lavaan stops early).

Run: ``python benchmarks/bench_growth.py [--sizes 1737 100000 1000000] [--no-lavaan]``
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

from ilb_eval.growth import GrowthModel, GrowthSpec

OUTCOMES = ["y1", "y3", "y4"]
TIME_SCORES = [0.0, 2.0, 3.0]
COVARIATES = ["ilb", "age40", "female", "program", "degree"]

_R_SCRIPT = """
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
model <- '
i =~ 1*y1 + 1*y3 + 1*y4
s =~ SLOPE_LOADINGS
i + s ~ ilb + age40 + female + program + degree
'
t0 <- proc.time()[["elapsed"]]
fit <- growth(model, data = d, missing = "fiml")
t1 <- proc.time()[["elapsed"]]
cat(sprintf("%.6f %.6f\\n", t1 - t0, fitMeasures(fit, "logl")))
"""


def simulate(n: int, seed: int = 20240601) -> pd.DataFrame:
    """The conditional growth model with heavy attrition (seeded)."""
    rng = np.random.default_rng(seed)
    probs = np.array([0.21, 0.37, 0.73, 0.34, 0.59])
    x = (rng.random((n, 5)) < probs).astype(float)
    gamma = np.array([[-0.20, 0.07, -0.03, 0.00, 0.06], [0.09, -0.015, -0.008, 0.006, 0.009]])
    psi = np.array([[0.20, -0.004], [-0.004, 0.004]])
    factors = np.array([3.6, 0.045]) + x @ gamma.T + rng.multivariate_normal([0, 0], psi, n)
    lam = np.column_stack([np.ones(3), TIME_SCORES])
    y = factors @ lam.T + rng.normal(0.0, np.sqrt([0.10, 0.073, 0.10]), (n, 3))
    y = np.clip(np.round(y * 4) / 4, 1.0, 5.0)
    # attrition: 10% miss t1 (late joiners); t3 and t4 are often missing
    observed = np.column_stack([rng.random(n) > 0.10, rng.random(n) < 0.25, rng.random(n) < 0.15])
    none = ~observed.any(axis=1)
    observed[none, 0] = True
    y[~observed] = np.nan
    data = pd.DataFrame(y, columns=OUTCOMES)
    data[COVARIATES] = x.astype(int)
    return data


def time_fit(
    data: pd.DataFrame,
    repeats: int,
    estimator: str = "ML",
    n_starts: int = 5,
    time_basis: str = "fixed",
) -> tuple[float, float]:
    """Median wall time of ``repeats`` fits and the log-likelihood."""
    spec = GrowthSpec(
        outcomes=tuple(OUTCOMES),
        time_scores=tuple(TIME_SCORES),
        covariates=tuple(COVARIATES),
        estimator=estimator,  # type: ignore[arg-type]
        time_basis=time_basis,  # type: ignore[arg-type]
    )
    times = []
    logl = float("nan")
    for _ in range(repeats):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            res = GrowthModel(spec, n_starts=n_starts).fit(data)
            times.append(time.perf_counter() - start)
        logl = float(res.fit["logl"])
    return statistics.median(times), logl


def lavaan_available() -> bool:
    """Whether ``Rscript`` exists and loads lavaan."""
    if shutil.which("Rscript") is None:
        return False
    check = subprocess.run(
        ["Rscript", "-e", "suppressPackageStartupMessages(library(lavaan))"],
        capture_output=True,
        timeout=120,
    )
    return check.returncode == 0


def time_lavaan(csv: Path, script: Path) -> tuple[float, float]:
    """lavaan's growth() time (measured in R) and its log-likelihood."""
    out = subprocess.run(
        ["Rscript", str(script), str(csv)], capture_output=True, text=True, timeout=3600, check=True
    )
    seconds, logl = out.stdout.split()[-2:]
    return float(seconds), float(logl)


def main() -> None:
    """Run the benchmark and print one line per size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1737, 100_000, 1_000_000])
    parser.add_argument("--no-lavaan", action="store_true", help="skip the lavaan comparison")
    args = parser.parse_args()
    if args.no_lavaan:
        use_r, note = False, "no (--no-lavaan)"
    else:
        use_r = lavaan_available()
        note = "yes" if use_r else "no (Rscript with lavaan not found)"
    print(f"lavaan comparison: {note}")
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "fit.R"
        script.write_text(_R_SCRIPT.replace("SLOPE_LOADINGS", "0*y1 + 2*y3 + 3*y4"))
        basis_script = Path(tmp) / "basis.R"
        basis_script.write_text(_R_SCRIPT.replace("SLOPE_LOADINGS", "0*y1 + NA*y3 + 3*y4"))
        for n in args.sizes:
            data = simulate(n)
            waves = float(data[OUTCOMES].notna().sum(axis=1).mean())
            repeats = 7 if n < 10_000 else 3
            seconds, logl = time_fit(data, repeats)
            no_starts, _ = time_fit(data, repeats, n_starts=0)
            robust, _ = time_fit(data, repeats, estimator="MLR")
            basis, basis_logl = time_fit(data, repeats, time_basis="latent")
            line = (
                f"n={n:>9,}  waves/person={waves:.2f}  ilb_eval ML {seconds * 1000:9.1f} ms"
                f" (without extra starts {no_starts * 1000:8.1f} ms)  MLR {robust * 1000:9.1f} ms"
                f"  latent basis {basis * 1000:8.1f} ms"
            )
            if use_r:
                csv = Path(tmp) / f"sim_{n}.csv"
                data.to_csv(csv, index=False)
                r_seconds, r_logl = time_lavaan(csv, script)
                b_seconds, b_logl = time_lavaan(csv, basis_script)
                line += (
                    f"  lavaan {r_seconds * 1000:10.1f} ms  ratio {r_seconds / seconds:6.1f}x"
                    f"  |logl diff| {abs(r_logl - logl):.1e}"
                    f"  lavaan latent basis {b_seconds * 1000:10.1f} ms"
                    f"  ratio {b_seconds / basis:6.1f}x  logl ours - lavaan {basis_logl - b_logl:.1e}"
                )
            print(line, flush=True)


if __name__ == "__main__":
    main()
