"""The long fuzz run of the loaders and validators (issue 8, item 2; R-3.8: >= 10 minutes nightly).

Feeds mutated and random wave exports (CSV, .xlsx) to ``load_waves``/``validate_study_data`` and
mutated study definitions and table schemas to ``load_study``, round robin, for ``--minutes``.
Only the package's own errors (IlbEvalError) may escape, each input must answer within
``TIME_LIMIT`` seconds and no input file may change; the first violation stops the run with the
seed that replays it (exit 1). The harness is tests/robustness/fuzz_harness.py; the suite runs a
short version of it (tests/robustness/test_fuzz_inputs.py).

Run: ``python benchmarks/fuzz_loaders.py --minutes 10 [--seed 0]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "robustness"))

import fuzz_harness  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        counts = fuzz_harness.fuzz_for(args.minutes * 60, seed=args.seed)
    except AssertionError as error:
        print(f"FAIL: {error}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - start
    total = sum(sum(c.values()) for c in counts.values())
    print(f"\n{total} inputs in {seconds:.0f} s ({total / seconds:.1f}/s), seed {args.seed}; "
          "no crash, no hang, no input changed")
    for target, outcome in counts.items():
        print(f"  {target:<6} " + ", ".join(f"{k} {v}" for k, v in sorted(outcome.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
