"""What a submission whose every function loops forever costs: one warm sandboxed grader grades it.

The submission is the course's solutions with the body of every function and method (``__init__``
included) replaced by ``while True: pass``. Prints its wall time, how many checks timed out and
how many of those waited out their time limit, for each variant:

  after    the grader as it is: a function that timed out is not called again in that
           submission, and the course's budget (`autograder.toml`, default 120 s) caps the rest
  before   both taken away (`--before`): every check waits out its own time limit

Usage: python benchmarks/hangs.py [--time-limit 10] [--before]
"""

from __future__ import annotations

import argparse
import ast
import sys
import tempfile
import time
from pathlib import Path

from _course import FOUNDATION

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class _Loop(ast.NodeTransformer):
    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        node.body = [ast.While(test=ast.Constant(True), body=[ast.Pass()], orelse=[])]
        return node


def hanging_submission(target: Path) -> Path:
    """The solutions, every function and method a loop that never ends."""
    target.mkdir()
    for module in sorted((ROOT / "solutions").glob("*.py")):
        if module.name.startswith("_"):
            continue
        tree = _Loop().visit(ast.parse(module.read_text(encoding="utf-8")))
        (target / module.name).write_text(ast.unparse(ast.fix_missing_locations(tree)), encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per check and device (default 10)")
    parser.add_argument("--before", action="store_true",
                        help="call timed-out functions again and set no budget (the grader before both)")
    args = parser.parse_args()

    from autograder.catalog import Course
    from autograder.grading import Grader
    from autograder.result import Status

    course = Course(ROOT)
    options = {"budget": float("inf")} if args.before else {}
    with tempfile.TemporaryDirectory() as tmp, \
            Grader(course, runner="sandbox", time_limit=args.time_limit, **options) as grader:
        if args.before:
            grader.runner.remember_timeouts = False
        submission = hanging_submission(Path(tmp) / "hanging")
        grader.runner.warm_up()
        grader.grade(ROOT / "solutions", only=FOUNDATION)  # imports the checks and the references: not the figure
        started = time.perf_counter()
        result = grader.grade(submission, only=FOUNDATION)
        wall = time.perf_counter() - started
    timeouts = [c for c in result.checks if c.status is Status.TIMEOUT]
    waited = [c for c in timeouts if c.duration_s >= 0.5 * args.time_limit]
    print(f"{'before' if args.before else 'after'}: {wall:.1f} s for {len(result.checks)} checks "
          f"(time limit {args.time_limit:g} s): {len(timeouts)} timed out, {len(waited)} of them waiting out "
          f"their limit; score {result.score:g}/{result.max_score:g}")


if __name__ == "__main__":
    main()
