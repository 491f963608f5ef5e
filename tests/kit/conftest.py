"""Fixtures for the kit's own tests: the course in this repository and warm graders.

Graders are session-scoped: the sandbox's zygote imports torch once for the whole run.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from autograder.catalog import Course
from autograder.grading import Grader

ROOT = Path(__file__).resolve().parents[2]
#: The course's exercises, by name, and its maximum: 10 points each.
EXERCISES = sorted(p.stem for p in (ROOT / "solutions").glob("*.py") if not p.name.startswith("_"))
MAX_SCORE = 10 * len(EXERCISES)
#: Short limits keep hostile scenarios (hangs, sleeps) quick; honest checks take milliseconds.
TIME_LIMIT = 3.0


def full_sandbox() -> bool:
    """Whether this machine gives the sandbox everything (root on Linux: namespaces, uid)."""
    return sys.platform.startswith("linux") and os.geteuid() == 0


needs_full_sandbox = pytest.mark.skipif(not full_sandbox(),
                                        reason="needs root on Linux for namespaces and a uid change")


@pytest.fixture(scope="session")
def course() -> Course:
    return Course(ROOT)


@pytest.fixture(scope="session")
def grader(course: Course) -> Iterator[Grader]:
    """A warm sandbox grader shared by the whole session."""
    with Grader(course, runner="sandbox", time_limit=TIME_LIMIT) as warm:
        yield warm


@pytest.fixture(scope="session")
def inprocess_grader(course: Course) -> Iterator[Grader]:
    with Grader(course, runner="inprocess", time_limit=TIME_LIMIT) as warm:
        yield warm


def solution_lines(course: Course) -> list[str]:
    """Every line of every solution region that could give an answer away: the stripped, non-blank
    lines that name at least two things (`try:`, `)` and `return out` say nothing of the answer),
    unless the exercise's stub shows them anyway (a docstring that states the interface:
    "zeroes the gradients (`optimizer.zero_grad()`)")."""
    import keyword
    import re

    from autograder.stubs import BEGIN, END, strip_solutions

    found = []
    for path in sorted(course.solutions.glob("*.py")):
        inside = False
        source = path.read_text(encoding="utf-8")
        stub = strip_solutions(source)
        for line in source.splitlines():
            marker = line.strip()
            if marker in (BEGIN, END):
                inside = marker == BEGIN
            elif inside and len([w for w in re.findall(r"[A-Za-z_]\w*", marker) if not keyword.iskeyword(w)]) >= 2 \
                    and marker not in stub:
                found.append(marker)
    return found


def hidden_check_names(course: Course) -> list[str]:
    """Every hidden check's function name and the name reports give it (its docstring's first line)."""
    import ast

    names = []
    for path in sorted(course.hidden.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                names.append(node.name)
                doc = ast.get_docstring(node)
                if doc:
                    names.append(doc.splitlines()[0].strip())
    return names


def toy_course(root: Path, solution: str, checks: str) -> Course:
    """A one-exercise course ("toy") in `root`: its solution module and its hidden check file."""
    (root / "solutions").mkdir(parents=True)
    (root / "solutions" / "toy.py").write_text(textwrap.dedent(solution))
    for visibility in ("public", "hidden"):
        (root / "tests" / visibility).mkdir(parents=True)
    (root / "tests" / "hidden" / "test_toy.py").write_text(checks)
    return Course(root)


#: The submissions every output format is produced for (graded by render_cases.graded).
RENDER_CASES = ("reference", "stubs", "partly-wrong")


@pytest.fixture(params=(*RENDER_CASES, "sample"))
def case(request: pytest.FixtureRequest, inprocess_grader: Grader,
         tmp_path_factory: pytest.TempPathFactory) -> tuple[str, object]:
    """(name, result) of each submission the format tests render, and of test_render's sample."""
    from render_cases import graded

    return request.param, graded(inprocess_grader, request.param, tmp_path_factory)


@pytest.fixture
def write_submission(tmp_path: Path):
    """Write {filename: source} into a fresh submission directory and return it."""

    def write(files: dict[str, str]) -> Path:
        folder = tmp_path / "submission"
        folder.mkdir(exist_ok=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        return folder

    return write


pytest_plugins = ["pytester"]
