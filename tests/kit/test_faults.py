"""Mistakes go where they belong: a fault of the course or the grader never costs the student.

Each kind of course error is provoked in a small course of its own and must come out as status
``error`` with fault ``course`` (withheld points the result counts as unjudged), while the
student's own mistakes of the same shape stay the student's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import toy_course

from autograder.catalog import Course
from autograder.cli import ExitCode, main
from autograder.grading import Grader
from autograder.result import Fault, Status
from autograder.runner.client import Runner
from autograder.runner.inprocess import InProcessFactory
from autograder.runner.policy import Policy

#: The message limit of the runner below: small, so that "too large" is cheap to provoke.
LIMIT = 1 << 20

SOLUTION = '''
"""A toy exercise."""

import torch


def double(x):
    ### BEGIN SOLUTION
    return x * 2
    ### END SOLUTION


def layer(n):
    ### BEGIN SOLUTION
    return torch.nn.Linear(n, n)
    ### END SOLUTION


def big():
    ### BEGIN SOLUTION
    return torch.ones(8)
    ### END SOLUTION
'''

CHECKS = '''
import pytest
import torch

from autograder.checks import expect_close, forbid, named_parameters


@pytest.fixture
def broken_fixture():
    raise KeyError("no such data set")


@pytest.mark.points(1)
def test_value(student):
    """the honest check"""
    expect_close(student.toy.double(torch.ones(2)), torch.full((2,), 2.0))


@pytest.mark.points(1)
def test_forbids_a_misspelt_name(student):
    """forbids a name that does not exist"""
    with forbid("torch.nn.functional.lineer"):
        student.toy.double(torch.ones(2))


@pytest.mark.points(1)
def test_probe_answer_too_large(student):
    """asks a probe for more than a message may hold"""
    named_parameters(student.toy.layer(1024))


@pytest.mark.points(1)
def test_argument_too_large(student):
    """sends more than a message may hold"""
    student.toy.double(torch.ones(1024, 1024))


@pytest.mark.points(1)
def test_check_bug(student):
    """a check with a bug of its own"""
    student.toy.double(torch.ones(2))
    {}["missing"]


@pytest.mark.points(1)
def test_fixture_bug(student, broken_fixture):
    """a check whose fixture fails"""


@pytest.mark.points(2)
def test_skips(student):
    """skips itself"""
    pytest.skip("needs a data set this machine does not have")


@pytest.mark.points(1)
def test_students_value_too_large(student):
    """the student's own answer is too large to send back"""
    student.toy.big()
'''


def _course(root: Path, checks: str = CHECKS) -> Course:
    return toy_course(root, SOLUTION, checks)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    course = _course(root)
    submission = root / "submission"
    submission.mkdir()
    student = SOLUTION.replace("return torch.ones(8)", "return torch.ones(1024, 1024)")
    (submission / "toy.py").write_text(student)
    runner = Runner(InProcessFactory(), Policy(namespaces=False, message_bytes=LIMIT))
    with Grader(course, runner=runner) as grader:
        result = grader.grade(submission)
    return result, {check.id.split("::")[1]: check for check in result.checks}


@pytest.mark.parametrize("name", ["test_forbids_a_misspelt_name", "test_probe_answer_too_large",
                                  "test_argument_too_large", "test_check_bug", "test_fixture_bug"])
def test_course_errors_are_reported_as_the_courses(outcome, name):
    _, checks = outcome
    check = checks[name]
    assert (check.status, check.fault, check.score) == (Status.ERROR, Fault.COURSE, 0)
    assert check.message.startswith("not judged (the course's fault, not yours)"), check.message


def test_each_course_error_says_what_went_wrong(outcome):
    _, checks = outcome
    assert "lineer" in checks["test_forbids_a_misspelt_name"].message
    assert "named_parameters" in checks["test_probe_answer_too_large"].message
    assert "larger than" in checks["test_argument_too_large"].message
    assert "KeyError" in checks["test_check_bug"].message
    assert "set-up" in checks["test_fixture_bug"].message and "no such data set" in checks["test_fixture_bug"].message


def test_the_result_counts_what_could_not_be_judged(outcome):
    result, checks = outcome
    assert result.unjudged == 5
    assert checks["test_value"].passed and result.score == 1


def test_a_students_own_unsendable_value_stays_the_students(outcome):
    _, checks = outcome
    check = checks["test_students_value_too_large"]
    assert (check.status, check.fault) == (Status.ERROR, Fault.STUDENT)
    assert "cannot be sent back" in check.message


def test_a_skipped_check_still_counts_in_max_score(outcome):
    result, checks = outcome
    check = checks["test_skips"]
    assert (check.status, check.score, check.max_score) == (Status.SKIPPED, 0, 2)
    assert "data set" in check.message
    assert result.max_score == 9, "every check counts, wherever it runs"


def test_a_check_file_that_cannot_run_is_exit_code_3(tmp_path, capsys):
    course = _course(tmp_path, checks="import no_such_library\n")
    code = main(["grade", str(course.solutions), "--course", str(course.root), "--runner", "inprocess"])
    assert code == ExitCode.COURSE_ERROR
    error = capsys.readouterr().err
    assert error.startswith("error: a check file could not be loaded") and "no_such_library" in error
    assert len(error.strip().splitlines()) == 1
