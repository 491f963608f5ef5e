"""Do the runner's round-trip optimisations pay? Interleaved A/B runs on this machine.

Each variant is the same warm sandboxed grader with one optimisation taken away:

  callattr    a function of a student module is looked up and called in one request
              (`Runner._callables`), instead of a lookup and then a call
  rehearse    the zygote answers a round of typical requests before its first fork
              (`_child.rehearse`), so children inherit specialised bytecode and torch's set-up

Rounds alternate the variants over the same block of submissions (so the machine's drift hits
all alike); the figure is each variant's median seconds per submission and its median ratio to
the baseline over the rounds (above 1.00: the optimisation saves that much).

Usage: python benchmarks/round_trips.py [--rounds 10] [--block 10]
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from _course import FOUNDATION

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class _NoCallables(set[Any]):
    """A `_callables` set that never remembers anything: every call looks its function up first."""

    def add(self, item: Any) -> None:
        pass


@contextlib.contextmanager
def _patched(owner: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, old)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--block", type=int, default=10, help="submissions graded per variant and round")
    args = parser.parse_args()

    from autograder.catalog import Course
    from autograder.grading import Grader
    from autograder.runner import factory

    course = Course(ROOT)
    quiet = factory._BOOTSTRAP.replace("from autograder.runner import {module} as m",
                                       "from autograder.runner import _child; _child.rehearse = lambda: None; "
                                       "from autograder.runner import {module} as m")
    with tempfile.TemporaryDirectory() as tmp:
        block = []
        for i in range(args.block):
            block.append(Path(tmp) / f"student{i:02d}")
            shutil.copytree(ROOT / "solutions", block[-1])
        with Grader(course, runner="sandbox") as baseline, contextlib.ExitStack() as stack:
            with _patched(factory, "_BOOTSTRAP", quiet):
                unrehearsed = stack.enter_context(Grader(course, runner="sandbox"))
            no_callattr = stack.enter_context(Grader(course, runner="sandbox"))
            no_callattr.runner._callables = _NoCallables()
            variants: dict[str, tuple[Any, Callable[[], Any]]] = {
                "baseline": (baseline, contextlib.nullcontext),
                "callattr": (no_callattr, contextlib.nullcontext),
                "rehearse": (unrehearsed, contextlib.nullcontext),
            }
            for grader, _ in variants.values():
                grader.runner.warm_up()
                grader.grade(block[0], only=FOUNDATION)  # checks and references imported once
            times: dict[str, list[float]] = {name: [] for name in variants}
            for _ in range(args.rounds):
                for name, (grader, patch) in variants.items():
                    with patch():
                        started = time.perf_counter()
                        results = grader.grade_many(block, only=FOUNDATION)
                        times[name].append((time.perf_counter() - started) / len(block))
                    assert all(r.score == r.max_score for r in results), name
    base = times["baseline"]
    print(f"baseline: {statistics.median(base):.3f} s per submission (median of {args.rounds} rounds of "
          f"{args.block})")
    for name in ("callattr", "rehearse"):
        ratios = sorted(t / b for t, b in zip(times[name], base, strict=True))
        print(f"without {name:<9}: {statistics.median(times[name]):.3f} s per submission, "
              f"{statistics.median(ratios):.2f}x the baseline (rounds {ratios[0]:.2f}-{ratios[-1]:.2f}x)")


if __name__ == "__main__":
    main()
