"""Adversarial inputs and faults against the command line (issue 18): tries every class and counts failures.

Runs, in process through ``python -m ilb_eval``'s ``main``: the adversarial attempts of
``tests/robustness/adversarial.py`` (file system: missing, unreadable, unlistable, read-only and
full-disk paths, link loops, folders where files belong, outputs over inputs; binary formats under
a .csv name; control characters; personal data; person codes that split or vanish), the bad-input
catalogue of ``tests/robustness/bad_inputs.py``, and ``--mutations N`` wave files with random byte
mutations. Prints the counts: inputs tried, tracebacks, wrong exit codes, raw control characters
in the output, personal data in the output, more than one line per problem, inputs changed,
missing problem codes. Exit 1 when any count but "inputs tried" is not 0.

Run: ``python benchmarks/adversarial_cli.py [--mutations 50]`` (about a minute).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "robustness"))

import adversarial  # noqa: E402

RULES = {
    "traceback": "tracebacks",
    "exit code": "wrong exit codes",
    "control": "raw control characters in the output",
    "personal data": "personal data in the output",
    "error lines for one problem": "more than one line per problem",
    "no error line": "errors without a message",
    "stderr line": "stray stderr lines",
    "input changed": "inputs changed",
    "partial output": "partial outputs left",
    "is not named": "problem codes missing",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutations", type=int, default=30, help="randomly mutated wave files to try (default 30)")
    parser.add_argument("--seed", type=int, default=0, help="first seed of the mutations")
    args = parser.parse_args(argv)
    attempts = [*adversarial.ATTEMPTS, *adversarial.CATALOGUE_ATTEMPTS,
                *(adversarial.mutated_attempt(args.seed + i) for i in range(args.mutations))]
    counts: Counter[str] = Counter()
    per_category: Counter[str] = Counter()
    failed: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as root:
        for i, attempt in enumerate(attempts):
            outcome = adversarial.run_attempt(attempt, Path(root) / f"a{i:03d}")
            per_category[attempt.category] += 1
            for failure in outcome.failures:
                rule = next((label for key, label in RULES.items() if key in failure), "other failures")
                counts[rule] += 1
                failed.append(f"  {attempt.category} / {attempt.name}: {failure}")
    seconds = time.perf_counter() - started
    print(f"inputs tried: {len(attempts)} ({', '.join(f'{k} {v}' for k, v in per_category.items())}) "
          f"in {seconds:.0f} s")
    for label in (*RULES.values(), "other failures"):
        print(f"{label}: {counts[label]}")
    if failed:
        print("failures:")
        print("\n".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
