"""The kit as users get it: a wheel, installed away from the checkout, grading a course of its own.

One wheel is built per session (module-scoped fixtures). Every command runs from a working
directory outside the checkout with only the installed kit on PYTHONPATH, so a file that the
wheel lacks (a template, a module) fails here instead of on a user's machine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXERCISES as COURSE_EXERCISES
from conftest import ROOT

from autograder.stubs import strip_solutions

#: the course's exercises and the probe this test adds
EXERCISES = sorted([*COURSE_EXERCISES, "kit_location"])

# A probe exercise: the submission's process (the zygote's child, started with `python -I`, which
# ignores PYTHONPATH) says where it imported the kit from; the check compares it with the grader's.
_PROBE_SOLUTION = '''"""Where the kit was imported from, in the submission's process."""

import sys


def kit_file() -> str:
    ### BEGIN SOLUTION
    return sys.modules["autograder"].__file__
    ### END SOLUTION
'''
_PROBE_CHECK = '''"""The submission's process runs the same kit as the grader (the installed one)."""

from pathlib import Path

import pytest

import autograder


@pytest.mark.points(1)
def test_the_submission_runs_the_installed_kit(student):
    """the submission's process imported the kit the grader runs"""
    where = student.kit_location.kit_file()
    assert Path(where).resolve() == Path(autograder.__file__).resolve(), where
'''


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    run = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"{command} exited with {run.returncode}:\n{run.stdout}\n{run.stderr}"
    return run


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kit's wheel, installed with `pip install --target` into a folder of its own."""
    work = tmp_path_factory.mktemp("packaging")
    # Build from a copy of what the build reads: a build in the shared checkout would leave build/
    # there, whose stale files a later wheel could pick up.
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "autograder", source / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--disable-pip-version-check",
         "-w", work / "dist", source, cwd=work)
    (wheel,) = (work / "dist").glob("torch_autograder-*.whl")
    _run(sys.executable, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check", "--target",
         work / "site", wheel, cwd=work)
    return work / "site"


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of this repository's course, plus the probe exercise."""
    root = tmp_path_factory.mktemp("course")
    for part in ("solutions", "exercises", "tests/public", "tests/hidden"):
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "solutions" / "kit_location.py").write_text(_PROBE_SOLUTION, encoding="utf-8")
    (root / "exercises" / "kit_location.py").write_text(strip_solutions(_PROBE_SOLUTION), encoding="utf-8")
    (root / "tests" / "public" / "test_kit_location.py").write_text(_PROBE_CHECK, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory with neither the checkout nor the course above it."""
    return tmp_path_factory.mktemp("elsewhere")


@pytest.fixture(scope="module")
def env(site: Path) -> dict[str, str]:
    """The caller's environment with only the installed kit on the path."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "AUTOGRADER_", "PYTEST_"))}
    return {**keep, "PYTHONPATH": str(site), "COLUMNS": "120"}


def test_the_installed_kit_is_the_one_that_runs(site: Path, outside: Path, env: dict[str, str]):
    run = _run(sys.executable, "-c", "import autograder, autograder.render.markdown as m; "
               "print(autograder.__file__); print(m.__file__)", cwd=outside, env=env)
    files = [Path(line) for line in run.stdout.splitlines()]
    assert files == [site / "autograder" / "__init__.py", site / "autograder" / "render" / "markdown.py"]
    assert (site / "autograder" / "templates" / "result.md.j2").is_file()
    # The kit and nothing else of the checkout (no course, no tests): bin/ holds the console script.
    assert {p.name for p in site.iterdir()} == {"autograder", "bin", "torch_autograder-0.1.0.dist-info"}


def test_grade_solutions_as_markdown_gives_full_marks(course: Path, outside: Path, env: dict[str, str]):
    run = _run(sys.executable, "-m", "autograder", "grade", course / "solutions", "--course", course,
               "--format", "markdown", cwd=outside, env=env)
    text = run.stdout
    heading = re.match(r"## (\d+) / (\d+) points \(([\d.]+) %\)\n", text)
    assert heading, text
    assert heading[1] == heading[2] and int(heading[2]) > 0 and heading[3] == "100.0", text
    rows = re.findall(r"^\| (\w+) \| (\d+) / (\d+) \| (\d+) / (\d+) \|$", text, flags=re.MULTILINE)
    assert [row[0] for row in rows] == EXERCISES, text
    assert all(row[1] == row[2] and row[3] == row[4] for row in rows), text
    assert "the submission's process imported the kit the grader runs" in text  # the probe passed with the rest
    for symbol in ("❌", "💥", "⏱️", "⬜", "Traceback"):
        assert symbol not in text + run.stderr, text
    mode = re.search(r"<sub>devices: .* · (\S+)</sub>", text)
    assert mode and mode[1] in ("sandbox", "process"), "student code ran in a child interpreter"


def test_check_the_stubs_gives_zero_points_not_attempted(course: Path, outside: Path, env: dict[str, str]):
    run = _run(sys.executable, "-m", "autograder", "check", "--course", course, "--format", "json",
               cwd=outside, env=env)
    data = json.loads(run.stdout)
    assert [ex["name"] for ex in data["exercises"]] == EXERCISES
    checks = [check for ex in data["exercises"] for check in ex["checks"]]
    assert data["score"] == 0 and data["max_score"] > 0 and checks
    assert {check["status"] for check in checks} == {"not_attempted"}
    assert all(check["id"].startswith("public/") for check in checks), "check runs the public checks only"
    assert "Traceback" not in run.stderr

