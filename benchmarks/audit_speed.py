"""How long `autograder audit` takes on the whole course, from the command line to its report.

Runs `python -m autograder audit --format json --jobs N` on this repository's course (a cold
start: the interpreter, torch and the graders' zygotes included) and prints, per exercise, the
mutants made, killed, survived and declared equivalent, then the wall time and mutants per second.

Target on a 2-core machine (the audit issue): the six foundation exercises in under 3 minutes.

Usage: python benchmarks/audit_speed.py [--jobs 2] [EXERCISE … | --all]
       (default: the six foundation exercises; --all: every exercise of the course)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from _course import FOUNDATION

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("exercises", nargs="*")
    parser.add_argument("--all", action="store_true", help="every exercise of the course")
    args = parser.parse_args()
    exercises = [] if args.all else args.exercises or list(FOUNDATION)
    command = [sys.executable, "-m", "autograder", "audit", *exercises, "--course", str(ROOT),
               "--format", "json", "--jobs", str(args.jobs)]
    started = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if run.returncode not in (0, 1):
        sys.exit(f"autograder audit failed ({run.returncode}): {run.stderr.strip()}")
    report = json.loads(run.stdout)
    made = 0
    for ex in report["exercises"]:
        made += ex["made"]
        print(f"{ex['exercise']:>12}: {ex['made']:3d} mutants, {ex['killed']:3d} killed, {ex['survived']} survived, "
              f"{ex['equivalent']} equivalent")
    print(f"autograder audit --jobs {args.jobs}: {made} mutants in {wall:.1f} s from the command line "
          f"({report['duration_s']:.1f} s inside the audit; {made / wall:.1f} mutants/s; target for the six foundation "
          "exercises < 180 s)")


if __name__ == "__main__":
    main()
