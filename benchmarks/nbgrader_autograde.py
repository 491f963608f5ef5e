"""`nbgrader autograde` with the kit's preprocessor against nbgrader's own Execute, in one run.

Builds one nbgrader course from this repository (`autograder nbgrader build`), copies it into two
course directories that differ only in the autograde pipeline:

  kit      the generated nbgrader_config.py: GradeWithKit grades each notebook in the kit's sandbox
           (no kernel, no executed cell);
  execute  the same config with nbgrader's own pipeline: Execute starts a kernel per notebook and
           runs every cell, the grade cells calling the kit (with $AUTOGRADER_COURSE set, so that
           they run the hidden checks too and both score the same);

generates the assignment in each, submits the same N copies of the reference answers to both, and
times one `nbgrader autograde` call per course (its command-line start-up included, as an
instructor runs it). Prints the time per submission of each, for the whole command and once it is
under way (from nbgrader's time-stamped log), their ratios (target: at least 10×) and whether both
gradebooks hold the same scores.

Usage: python benchmarks/nbgrader_autograde.py [--submissions 20] [--exercise mlp ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ASSIGNMENT = "ps1"
#: nbgrader 0.9's default autograde pipeline (nbgrader/converters/autograde.py), Execute first.
EXECUTE_PIPELINE = '''
# The baseline: nbgrader's own pipeline, a kernel per notebook executing every cell.
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
'''


def nbgrader(root: Path, *args: str) -> tuple[float, str]:
    """Run nbgrader's command line in `root`; returns its wall time and its log (each line time-stamped)."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           # For the Execute baseline: the grade cells in the kernel grade with the full course.
           "AUTOGRADER_COURSE": str(ROOT)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--Application.log_format=%(created)f %(message)s"],
                          cwd=root, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"nbgrader {' '.join(args)} failed in {root}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return elapsed, done.stdout + done.stderr


def steady(log: str) -> float:
    """Seconds per notebook once the command and its first notebook are done: between the first and
    the last autograded notebook written (nbgrader's log, time-stamped), per notebook in between."""
    written: list[float] = []
    grading = False
    for line in log.splitlines():
        stamp, _, message = line.partition(" ")
        grading = grading or message.startswith("Autograding ")  # the second pass; the first sanitizes
        if grading and message.startswith("Writing "):
            written.append(float(stamp))
            grading = False
    return (written[-1] - written[0]) / (len(written) - 1) if len(written) > 1 else float("nan")


def scores(root: Path) -> dict[tuple[str, str], float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        return {(notebook.student.id, notebook.name): notebook.score
                for submission in gradebook.assignment_submissions(ASSIGNMENT)
                for notebook in submission.notebooks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=20, help="students, each submitting every exercise")
    parser.add_argument("--exercise", nargs="+", default=["mlp"], help="exercises in the assignment (default: mlp)")
    options = parser.parse_args()

    from autograder.catalog import Course
    from autograder.nbgrader import DEFAULT_KERNEL, build_course, ensure_kernel

    ensure_kernel(DEFAULT_KERNEL)  # the Execute baseline starts one kernel per notebook
    with tempfile.TemporaryDirectory(prefix="nbgrader-bench-") as workdir:
        kit = build_course(Course(ROOT), Path(workdir) / "kit", assignment=ASSIGNMENT, exercises=options.exercise)
        execute = Path(workdir) / "execute"
        shutil.copytree(kit.root, execute)
        with (execute / "nbgrader_config.py").open("a", encoding="utf-8") as config:
            config.write(EXECUTE_PIPELINE)
        times: dict[str, float] = {}
        steady_times: dict[str, float] = {}
        for root in (kit.root, execute):
            nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
            for i in range(options.submissions):
                folder = root / "submitted" / f"student{i:03d}" / ASSIGNMENT
                folder.mkdir(parents=True)
                for notebook in kit.notebooks:
                    shutil.copyfile(notebook, folder / notebook.name)
        for root in (kit.root, execute):
            elapsed, log = nbgrader(root, "autograde", ASSIGNMENT, "--force")
            times[root.name] = elapsed / options.submissions
            # Per notebook written; notebooks per submission = len(kit.notebooks).
            steady_times[root.name] = steady(log) * len(kit.notebooks)
        kit_scores, execute_scores = scores(kit.root), scores(execute)
    full = sum(kit.points.values())
    notebooks = options.submissions * len(kit.notebooks)
    print(f"nbgrader autograde of {options.submissions} submissions ({', '.join(options.exercise)}: "
          f"{notebooks} notebooks, reference answers), one command each:")
    print("                                          whole command    after start-up (nbgrader's log)")
    labels = {"kit": "kit preprocessor (sandbox, no kernel)", "execute": "nbgrader Execute (a kernel each)"}
    for name, label in labels.items():
        print(f"  {label:<38} {times[name]:6.2f} s          {steady_times[name]:6.2f} s   per submission")
    print(f"  {'ratio':<38} {times['execute'] / times['kit']:6.1f}×          "
          f"{steady_times['execute'] / steady_times['kit']:6.1f}×   (target ≥ 10×)")
    same = kit_scores == execute_scores
    totals = {s: sum(v for (who, _), v in kit_scores.items() if who == s) for s, _ in kit_scores}
    print(f"  gradebooks agree: {'yes' if same else 'NO'}; full marks ({full:g}) for "
          f"{sum(t == full for t in totals.values())}/{options.submissions} submissions")
    if not same:
        print(f"  kit: {kit_scores}\n  execute: {execute_scores}")


if __name__ == "__main__":
    main()
