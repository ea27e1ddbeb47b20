"""Benchmark of the synthetic-study generator and Monte Carlo recovery with the growth engine.

1. Times :func:`ilb_eval.simulate.simulate_study` (both samples, all files
   written) at the given scales (default 1 and 100; scale 600 is about a
   million persons) and prints persons per second.
2. Runs the Monte Carlo recovery check: ``--replications`` samples (default
   50) at ``--size`` (default 0.5, about 870 EAP persons), the conditional
   growth model of three competence scales fitted by
   :func:`ilb_eval.growth.fit_growth`, and prints bias, RMSE, mean standard
   error vs. the spread of the estimates and 95 % CI coverage per parameter.

Run: ``python benchmarks/bench_simulate.py [--scales 1 100 600] [--replications 50] [--size 0.5]``
"""

from __future__ import annotations

import argparse
import tempfile
import time

import pandas as pd

from ilb_eval.simulate import simulate_study
from ilb_eval.simulate.recovery import recovery_replications, summarise_recovery


def time_generator(scales: list[float]) -> None:
    """Print the wall time of one full simulation per scale."""
    print("simulate_study (both samples, all files)")
    print(f"{'scale':>8} {'persons':>10} {'records':>10} {'seconds':>9} {'persons/s':>11}")
    for scale in scales:
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            result = simulate_study(folder, scale=scale)
            seconds = time.perf_counter() - start
        persons = sum(result.persons.values())
        records = sum(sum(r.values()) for r in result.records.values())
        print(f"{scale:>8g} {persons:>10,} {records:>10,} {seconds:>9.2f} {persons / seconds:>11,.0f}")


def recovery(replications: int, size: float) -> None:
    """Print the Monte Carlo recovery summary."""
    start = time.perf_counter()
    table = recovery_replications(replications, size=size)
    seconds = time.perf_counter() - start
    summary = summarise_recovery(table)
    print(f"\nMonte Carlo recovery: {replications} replications at size {size} "
          f"({table['converged'].groupby(table['replication']).all().mean():.0%} converged, {seconds:.1f} s)")
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(summary.drop(columns=["relative_bias"]).round(4).to_string(index=False))
    print(f"pooled coverage: {summary['coverage'].mean():.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", type=float, default=[1.0, 100.0])
    parser.add_argument("--replications", type=int, default=50)
    parser.add_argument("--size", type=float, default=0.5)
    args = parser.parse_args()
    time_generator(args.scales)
    if args.replications > 0:
        recovery(args.replications, args.size)


if __name__ == "__main__":
    main()
