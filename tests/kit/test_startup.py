"""Start-up from Python: `Grader(course)` starts the sandbox's zygote before the grader imports
torch, so the two imports run side by side (as `autograder grade` does)."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def _run(code: str) -> list[str]:
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return run.stdout.split()


def test_importing_the_grader_loads_no_torch():
    code = ("import sys\n"
            "from autograder import Course, Grader, Result\n"
            "import autograder.grading, autograder.plugin\n"
            "print('torch' in sys.modules)")
    assert _run(code) == ["False"]


def test_the_zygote_starts_before_the_grader_imports_torch():
    code = ("import sys\n"
            "from autograder import Course, Grader\n"
            "from autograder.runner import factory\n"
            "launch = factory.ZygoteFactory._launch\n"
            "def spy(self):\n"
            "    print('torch' in sys.modules)\n"
            "    launch(self)\n"
            "factory.ZygoteFactory._launch = spy\n"
            "with Grader(Course.find('.')) as grader:\n"
            "    print('torch' in sys.modules)\n")
    assert _run(code) == ["False", "True"]
