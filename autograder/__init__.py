"""Grading kit for PyTorch courses: stub exercises, hidden pytest checks, a sandboxed grader.

The public API (imported lazily, so `import autograder` stays cheap for the sandbox's zygote)::

    from autograder import Course, Grader
    with Grader(Course.find(), runner="sandbox") as grader:
        result = grader.grade(Path("submissions/alice.zip"))
    print(result.score, result.max_score)

Check authors import their helpers from `autograder.checks`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = ["CheckResult", "Course", "ExerciseResult", "Grader", "Result", "Status", "grade", "redact"]

_EXPORTS = {
    "CheckResult": "autograder.result",
    "Course": "autograder.catalog",
    "ExerciseResult": "autograder.result",
    "Grader": "autograder.grading",
    "Result": "autograder.result",
    "Status": "autograder.result",
    "grade": "autograder.grading",
    "redact": "autograder.result",
}

if TYPE_CHECKING:
    from autograder.catalog import Course
    from autograder.grading import Grader, grade
    from autograder.result import CheckResult, ExerciseResult, Result, Status, redact


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'autograder' has no attribute {name!r}")
    return getattr(import_module(module), name)
