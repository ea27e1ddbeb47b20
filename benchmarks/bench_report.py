"""End-to-end time of the default report (``python -m ilb_eval report`` without arguments).

Runs :func:`ilb_eval.report.pipeline.write_report` on the shipped synthetic
study (EAP and ZP, German) into a temporary reports folder and prints the
time per step (analysis, building the report, figures and tables, PDF) and
the total, against the target of 60 s.

Run: ``python benchmarks/bench_report.py [--repeat 1] [--lang de]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings

from pypdf import PdfReader

from ilb_eval.report.pipeline import write_report

TARGET_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--lang", choices=("de", "en"), default="de")
    args = parser.parse_args()
    totals = []
    for k in range(args.repeat):
        with tempfile.TemporaryDirectory() as out, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            started = time.perf_counter()
            run = write_report(out=out, lang=args.lang)
            total = time.perf_counter() - started
            pages = len(PdfReader(run.path / "report.pdf").pages)
            files = sum(1 for p in run.path.rglob("*") if p.is_file())
        totals.append(total)
        steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in run.seconds.items())
        print(f"run {k + 1}: total {total:.1f} s ({steps}); {pages} pages, {files} files, "
              f"{len(run.results.records)} models")
    best = min(totals)
    print(f"end-to-end: median {statistics.median(totals):.1f} s, best {best:.1f} s; "
          f"target {TARGET_SECONDS:.0f} s: {'met' if best < TARGET_SECONDS else 'NOT met'}")


if __name__ == "__main__":
    main()
