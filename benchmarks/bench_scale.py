"""The whole pipeline on the synthetic study at 100 times its size: time per step and peak memory.

Steps: ``simulate_study(scale=100)`` into a temporary folder (about 170,000
EAP and 49,000 ZP persons) -> ``load_waves`` -> ``build_panel`` -> the
conditional growth model of every competence scale of both samples (EAP with
the iLB group as a covariate) -> the report pipeline when it exists in this
checkout (``write_report``). Prints the wall time of each step and the peak resident memory
(``resource.getrusage`` ``ru_maxrss`` of this process and of its children,
e.g. the .sav worker processes). The run fails (exit 1) if the peak reaches
4 GB (issue 8, item 5).

Run: ``python benchmarks/bench_scale.py [--scale 100] [--limit-gb 4]``
"""

from __future__ import annotations

import argparse
import importlib
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path

from ilb_eval.growth import fit_growth
from ilb_eval.io import load_waves
from ilb_eval.prep import build_panel, growth_data
from ilb_eval.simulate import simulate_study
from ilb_eval.study import load_study


def peak_mb() -> tuple[float, float]:
    """Peak resident set size of this process and of its (waited-for) children, in MB (Linux: KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


class Steps:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float]] = []

    def run(self, name: str, func, *args, **kwargs):
        start = time.perf_counter()
        result = func(*args, **kwargs)
        seconds = time.perf_counter() - start
        own, children = peak_mb()
        self.rows.append((name, seconds, max(own, children)))
        print(f"{name:<48} {seconds:>9.1f} s   peak so far {own:>7.0f} MB (children {children:.0f} MB)",
              flush=True)
        return result


def fit_all(study, panel) -> list[str]:
    lines = []
    covariates = list(study.covariate_names) + (["ilb"] if study.ilb_use.kind == "reported" else [])
    for scale in study.scales:
        data = growth_data(panel, scale.name)
        outcomes = [w for w in scale.waves if w in data.columns]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = fit_growth(data, outcomes=outcomes, time_scores=data.attrs["time_scores"],
                                covariates=covariates)
        codes = sorted({w.code for w in result.warnings})
        lines.append(f"  {study.name} {scale.name:<20} n={result.fit['ntotal']:>7.0f} converged={result.converged} "
                     f"iterations={result.iterations} {codes or ''} ({len(caught)} warning(s))")
    return lines


def report_step():
    """``write_report`` of the report pipeline, if this checkout has it."""
    try:
        module = importlib.import_module("ilb_eval.report.pipeline")
    except ImportError:
        return None
    return getattr(module, "write_report", None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=100.0)
    parser.add_argument("--limit-gb", type=float, default=4.0)
    parser.add_argument("--no-report", action="store_true", help="skip the report pipeline")
    args = parser.parse_args(argv)
    steps = Steps()
    total = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ilb-bench-scale-") as folder:
        data = Path(folder) / "data"
        result = steps.run(f"simulate_study(scale={args.scale:g})", simulate_study, data, scale=args.scale)
        print(f"  persons {result.persons}, records "
              f"{ {k: sum(v.values()) for k, v in result.records.items()} }")
        fits = []
        for name in ("EAP", "ZP"):
            study = load_study(name)
            tables = steps.run(f"{name}: load_waves", load_waves, study, data)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                panel = steps.run(f"{name}: build_panel", build_panel, study,
                                  {w: t.frame for w, t in tables.items()})
            print(f"  {name}: {len(panel.wide):,} persons linked")
            del tables
            fits += steps.run(f"{name}: growth models ({len(study.scales)} scales)", fit_all, study, panel)
            del panel
        print("\n".join(fits))
        write_report = report_step()
        if write_report is None or args.no_report:
            print("report pipeline: skipped")
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                run = steps.run("write_report (EAP and ZP: analysis, figures, tables, PDF)", write_report,
                                data, out=Path(folder) / "reports")
            print(f"  run folder {run.path.name}: {sum(1 for p in run.path.rglob('*') if p.is_file())} files, "
                  f"steps { {k: round(v, 1) for k, v in run.seconds.items()} }, failed={run.failed}")
    seconds = time.perf_counter() - total
    own, children = peak_mb()
    peak = max(own, children)
    print(f"\ntotal {seconds:.1f} s; peak resident memory {own:.0f} MB (this process), "
          f"{children:.0f} MB (largest child); limit {args.limit_gb:g} GB")
    if peak >= args.limit_gb * 1024:
        print("FAIL: peak memory at or above the limit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
