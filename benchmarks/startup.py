"""How long Python code waits for its first graded submission: a fresh `python3 -c` that does
`from autograder import Course, Grader` and grades `solutions/` with the sandbox.

Prints, for each run, the seconds from the interpreter's start to the end of the imports, to the
grader built and to the first result, and the medians; runs alternate with a bare
`python3 -c "import torch"` so the machine's drift hits both alike. `Grader(course)` starts the
sandbox's zygote before the grader imports torch itself, so both imports run side by side.

Usage: python benchmarks/startup.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _course import FOUNDATION

ROOT = Path(__file__).resolve().parents[1]

#: The child: what a script grading from Python does, stamped against the parent's start time.
_SCRIPT = f"ONLY = {FOUNDATION!r}\n" + """
import json, sys, time
started = float(sys.argv[1])
from pathlib import Path
from autograder import Course, Grader

imported = time.monotonic()
with Grader(Course.find(".")) as grader:
    built = time.monotonic()
    result = grader.grade(Path("solutions"), only=ONLY)
    graded = time.monotonic()
    assert result.score == result.max_score, result
print(json.dumps({"import": imported - started, "grader": built - started, "first": graded - started}))
"""


def _run(script: str) -> dict[str, float]:
    started = time.monotonic()  # CLOCK_MONOTONIC is one clock for every process of the machine
    done = subprocess.run([sys.executable, "-c", script, repr(started)], cwd=ROOT, check=True,
                          capture_output=True, text=True)
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {}
    figures["exit"] = time.monotonic() - started
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    _run("import torch")  # fills the page cache
    runs, bares = [], []
    for _ in range(args.repeat):
        bares.append(_run("import torch")["exit"])
        runs.append(_run(_SCRIPT))
        print(f"imports {runs[-1]['import']:.2f} s, Grader(course) {runs[-1]['grader']:.2f} s, first result "
              f"{runs[-1]['first']:.2f} s (bare `import torch` {bares[-1]:.2f} s)", flush=True)
    print(f"median: first result {statistics.median(r['first'] for r in runs):.2f} s after start "
          f"(Grader(course) {statistics.median(r['grader'] for r in runs):.2f} s), "
          f"bare `import torch` {statistics.median(bares):.2f} s")


if __name__ == "__main__":
    main()
