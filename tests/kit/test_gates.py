"""The ``requires`` marker: a property earns its points only together with correct values."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import toy_course

from autograder.catalog import Course
from autograder.errors import CourseError
from autograder.grading import Grader
from autograder.result import Fault, Status

SOLUTION = '''
"""A toy exercise."""


def double(x):
    ### BEGIN SOLUTION
    return 2 * x
    ### END SOLUTION
'''

CHECKS = '''
import pytest

from autograder.checks import expect_equal


@pytest.mark.points(2)
def test_value(student):
    """doubles"""
    expect_equal(student.toy.double(3), 6)


@pytest.mark.points(1)
@pytest.mark.requires("test_value")
def test_type(student):
    """returns an int"""
    expect_equal(type(student.toy.double(1)).__name__, "int")


@pytest.mark.points(1)
@pytest.mark.requires("test_type")
def test_chained(student):
    """requires a check that requires another"""


@pytest.mark.points(1)
def test_skipping(student):
    """skips"""
    pytest.skip("not here")


@pytest.mark.points(1)
@pytest.mark.requires("test_skipping")
def test_after_skip(student):
    """requires a check that skipped"""
'''


def _course(root: Path, checks: str) -> Course:
    return toy_course(root, SOLUTION, checks)


def _grade(tmp_path: Path, student: str, checks: str = CHECKS) -> dict[str, object]:
    course = _course(tmp_path / "course", checks)
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "toy.py").write_text(student)
    with Grader(course, runner="inprocess") as grader:
        result = grader.grade(submission)
    return {check.id.split("::")[1]: check for check in result.checks}


def test_a_property_of_a_wrong_value_earns_nothing(tmp_path):
    checks = _grade(tmp_path, "def double(x):\n    return 1\n")  # an int, the wrong one
    assert checks["test_value"].status is Status.FAILED
    gated = checks["test_type"]
    assert (gated.status, gated.score, gated.fault) == (Status.FAILED, 0, Fault.STUDENT)
    assert gated.message == "not counted until \u201cdoubles\u201d passes" and "correct values" in gated.hint
    assert checks["test_chained"].score == 0, "requirements chain"


def test_a_property_of_a_correct_value_counts(tmp_path):
    checks = _grade(tmp_path, "def double(x):\n    return x + x\n")
    assert all(checks[name].passed for name in ("test_value", "test_type", "test_chained"))


def test_a_gate_that_skipped_skips_what_requires_it(tmp_path):
    checks = _grade(tmp_path, "def double(x):\n    return x + x\n")
    after = checks["test_after_skip"]
    assert (after.status, after.score, after.fault, after.max_score) == (Status.SKIPPED, 0, None, 1)


@pytest.mark.parametrize(("extra", "problem"), [
    ('@pytest.mark.requires("test_nowhere")\ndef test_lost(student):\n    pass\n', "not a check of its file"),
    ('@pytest.mark.requires("test_b")\ndef test_a(student):\n    pass\n\n\n'
     '@pytest.mark.requires("test_a")\ndef test_b(student):\n    pass\n', "requires itself"),
])
def test_requirements_that_cannot_hold_are_course_errors(tmp_path, extra, problem):
    with pytest.raises(CourseError, match=problem):
        _grade(tmp_path, "def double(x):\n    return x + x\n", CHECKS + "\n\n" + extra)
