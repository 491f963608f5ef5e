"""How fast the sandboxed grader is, measured in one run on this machine.

Prints four figures (targets from the tamper-proof issue):

  (a) cold `autograder grade` of the reference vs a bare `python -c "import torch, torchvision"`
      (fresh processes, warm page cache; medians)                              target ≤ 1.5×
  (b) warm per-submission time, one grader grading N submissions in turn        target ≤ 0.3 s
      (in one pytest session, as `Grader.grade_many` grades a course)
      (and the wall time per submission of one warm grader per core, side by side)
  (c) sandboxed vs in-process grading of the same submissions, both warm,      target ≤ 1.5×
      in alternating rounds (the median of the per-round ratios)
  (d) peak memory: the grader process, the zygote, one student process

Usage: python benchmarks/grading_speed.py [--submissions 50] [--repeat 3] [--rounds 8]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import itertools
import multiprocessing
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _course import FOUNDATION

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def cold(repeat: int) -> tuple[float, float]:
    grade = [sys.executable, "-m", "autograder", "grade", "solutions", "--format", "json", "--only", *FOUNDATION]
    bare = [sys.executable, "-c", "import torch, torchvision"]
    _seconds(bare)  # the first run after a build also fills the page cache
    grades, bares = [], []
    for _ in range(repeat):  # alternate, so drift in machine load hits both alike
        bares.append(_seconds(bare))
        grades.append(_seconds(grade))
    return statistics.median(grades), statistics.median(bares)


def _submissions(count: int, workdir: Path) -> list[Path]:
    paths = []
    for i in range(count):
        target = workdir / f"student{i:03d}"
        shutil.copytree(ROOT / "solutions", target)
        paths.append(target)
    return paths


def warm(submissions: list[Path], rounds: int) -> tuple[list[float], list[tuple[float, float]], dict[str, int]]:
    """(b) per-submission seconds of one warm sandboxed grader over all submissions; (c) seconds
    per submission of the sandboxed and the in-process grader over the same blocks of
    submissions, in alternation (so the machine's drift hits both alike); peak memory (kB)."""
    from autograder.catalog import Course
    from autograder.grading import Grader

    with Grader(Course(ROOT), runner="sandbox") as sandbox, Grader(Course(ROOT), runner="inprocess") as inprocess:
        sandbox.runner.warm_up()
        for grader in (sandbox, inprocess):
            grader.grade(submissions[0], only=FOUNDATION)  # imports the checks and the references once
        stamps = [time.perf_counter()]

        def graded(path: Path, result: Any) -> None:
            stamps.append(time.perf_counter())
            assert result.score == result.max_score, f"{path}: {result}"

        sandbox.grade_many(submissions, only=FOUNDATION, on_graded=graded)  # one pytest session, as a course is graded
        times = [end - start for start, end in itertools.pairwise(stamps)]
        block = submissions[:10]
        pairs = []
        for _ in range(rounds):
            pair = []
            for grader in (sandbox, inprocess):
                started = time.perf_counter()
                grader.grade_many(block, only=FOUNDATION)
                pair.append((time.perf_counter() - started) / len(block))
            pairs.append((pair[0], pair[1]))
        memory = {"grader": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "zygote": _peak_kb(sandbox.runner._factory._process.pid)}  # type: ignore[attr-defined]
    return times, pairs, memory


def _peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _child_peak(submission: Path) -> int:
    """Peak resident memory of one student process (it shares most pages with the zygote)."""
    from autograder.catalog import Course
    from autograder.grading import Grader

    script = (
        "import resource, mlp, torch\n"
        "def peak():\n"
        "    net = mlp.MLP()\n"
        "    net(torch.randn(32, 784)).sum().backward()\n"
        "    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    )
    (submission / "probe_memory.py").write_text(script)
    with Grader(Course(ROOT), runner="sandbox") as grader:
        runner = grader.runner
        runner.load(submission)
        runner.begin_check(seed=0, time_limit=120)
        from autograder.runner.proxy import Student

        peak = Student(runner).probe_memory.peak()
        runner.unload()
    return int(peak)


def _worker(paths: list[str], ready: Any, go: Any) -> float:
    """One of several graders side by side: warm up, wait for the others, grade, return the end time."""
    from autograder.catalog import Course
    from autograder.grading import Grader

    with Grader(Course(ROOT), runner="sandbox") as grader:
        grader.runner.warm_up()
        grader.grade(Path(paths[0]), only=FOUNDATION)
        ready.wait()
        go.wait()
        grader.grade_many((Path(path) for path in paths), only=FOUNDATION)
        return time.perf_counter()


def side_by_side(submissions: list[Path], workers: int) -> float:
    """Wall seconds per submission for `workers` warm graders sharing the machine."""
    context = multiprocessing.get_context("spawn")  # never fork a process that holds torch threads
    with context.Manager() as manager:
        ready, go = manager.Barrier(workers + 1), manager.Barrier(workers + 1)
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            shares = [[str(p) for p in submissions[i::workers]] for i in range(workers)]
            futures = [pool.submit(_worker, share, ready, go) for share in shares]
            ready.wait()
            started = time.perf_counter()
            go.wait()
            finished = max(f.result() for f in futures)
    return (finished - started) / len(submissions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3, help="cold runs of each command (default 3)")
    parser.add_argument("--rounds", type=int, default=8, help="alternating rounds for (c) (default 8)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")

    grade_s, bare_s = cold(args.repeat)
    print(f"(a) cold grade {grade_s:.2f} s vs bare import torch, torchvision {bare_s:.2f} s: "
          f"{grade_s / bare_s:.2f}x (target <= 1.5x)")

    with tempfile.TemporaryDirectory() as tmp:
        submissions = _submissions(args.submissions, Path(tmp))
        sandbox, pairs, memory = warm(submissions, args.rounds)
        per = statistics.mean(sandbox)
        print(f"(b) warm sandboxed grading, {len(sandbox)} submissions of six exercises: {per:.3f} s each "
              f"(median {statistics.median(sandbox):.3f}, max {max(sandbox):.3f}) (target <= 0.3 s)")
        workers = os.cpu_count() or 1
        if workers > 1:
            print(f"    {workers} warm graders side by side (one per core): "
                  f"{side_by_side(submissions, workers):.3f} s of wall time per submission")
        ratios = sorted(s / i for s, i in pairs)
        print(f"(c) sandboxed {statistics.median(s for s, _ in pairs):.3f} s vs in-process "
              f"{statistics.median(i for _, i in pairs):.3f} s per submission (medians of {len(pairs)} alternating "
              f"rounds of 10): {statistics.median(ratios):.2f}x, rounds {ratios[0]:.2f}-{ratios[-1]:.2f}x "
              f"(target <= 1.5x)")
        child = _child_peak(submissions[0])
        print(f"(d) peak memory: grader process (both graders) {memory['grader'] / 1024:.0f} MiB, "
              f"zygote {memory['zygote'] / 1024:.0f} MiB, one student process {child / 1024:.0f} MiB "
              "(mostly pages shared with the zygote)")


if __name__ == "__main__":
    main()
