"""How fast `autograder batch` grades a class, against one `autograder grade` process each.

Generates N submissions of the six exercises (a mix: 40 % the reference, 20 % partly wrong —
one exercise taken from a wrong scenario —, 20 % stubs, 20 % hostile ones from
tests/kit/scenarios/hostile-*), grades them with `autograder batch --workers W` into a fresh
gradebook, then grades the same submissions with one `autograder grade` process each, one after
another, and prints submissions per minute and the ratio.

Targets on a 2-core machine (the batch issue): ≥ 300 submissions per minute, ≥ 20× faster than
one process per submission.

Usage: python benchmarks/batch_speed.py [--submissions 200] [--workers 2] [--baseline N] [--no-scaled-limits]
       (--baseline N: time the one-process-per-submission way on the first N only and scale;
        default: all of them, which takes several seconds per submission; 0: the batch alone.
        --no-scaled-limits: the batch with every check's full time limit, as `autograder grade` has)
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _course import FOUNDATION

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "tests" / "kit" / "scenarios"


def _copy(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)


def generate(folder: Path, count: int) -> dict[str, int]:
    """`count` submissions in `folder`; returns how many of each kind."""
    # Wrong answers of the graded exercises only: another exercise's would leave the reference in place.
    wrong = itertools.cycle(sorted(p for p in SCENARIOS.glob("*-wrong-*") if (p / "submission").is_dir()
                                   and p.name.partition("-")[0] in FOUNDATION))
    hostile = itertools.cycle(sorted(p for p in SCENARIOS.glob("hostile-*") if (p / "submission").is_dir()))
    kinds = {"reference": 0, "partly wrong": 0, "stubs": 0, "hostile": 0}
    for i in range(count):
        target = folder / f"student{i:04d}"
        kind = ("reference", "reference", "partly wrong", "stubs", "hostile")[i % 5]
        kinds[kind] += 1
        if kind == "stubs":
            _copy(ROOT / "exercises", target)
        elif kind == "hostile":
            _copy(ROOT / "solutions", target)  # what a hostile scenario leaves out is the reference
            _copy(next(hostile) / "submission", target)
        else:
            _copy(ROOT / "solutions", target)
            if kind == "partly wrong":
                _copy(next(wrong) / "submission", target)
        (target / "student.txt").write_text(target.name)  # every submission's content differs
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline", type=int, default=None, metavar="N")
    parser.add_argument("--no-scaled-limits", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="autograder-batch-bench-"))
    try:
        folder = work / "submissions"
        folder.mkdir()
        kinds = generate(folder, args.submissions)
        print(f"{args.submissions} submissions: " + ", ".join(f"{n} {kind}" for kind, n in kinds.items()))
        command = [sys.executable, "-m", "autograder", "batch", str(folder), "--course", str(ROOT),
                   "--workers", str(args.workers), "--gradebook", str(work / "gradebook.sqlite"), "--only", *FOUNDATION,
                   *(["--no-scaled-limits"] if args.no_scaled_limits else [])]
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        batch = time.perf_counter() - started
        rate = args.submissions / batch * 60
        print(f"autograder batch --workers {args.workers}{' --no-scaled-limits' * args.no_scaled_limits}: "
              f"{batch:.1f} s, {rate:.0f} submissions per minute (start-up included; target ≥ 300)")
        if args.baseline == 0:
            return

        sample = sorted(folder.iterdir())[: args.baseline or args.submissions]
        started = time.perf_counter()
        for submission in sample:
            subprocess.run([sys.executable, "-m", "autograder", "grade", str(submission), "--course", str(ROOT),
                            "--format", "json", "--only", *FOUNDATION],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        single = (time.perf_counter() - started) / len(sample)
        scaled = "" if len(sample) == args.submissions else f" (measured on {len(sample)}, scaled)"
        print(f"one `autograder grade` process each: {single:.2f} s per submission, "
              f"{single * args.submissions:.0f} s for all{scaled}")
        print(f"ratio: {single * args.submissions / batch:.1f}× faster (target ≥ 20×)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
