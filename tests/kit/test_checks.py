"""The check-author API, on a small course of its own, under both runners."""

from __future__ import annotations

import textwrap

import pytest

from autograder.catalog import Course
from autograder.grading import Grader
from autograder.result import Status
from autograder.stubs import write_stubs

SOLUTION = '''
"""Toy exercise."""

import torch


def double(x):
    ### BEGIN SOLUTION
    return x * 2
    ### END SOLUTION


def first(t):
    ### BEGIN SOLUTION
    return float(t.reshape(-1)[0])
    ### END SOLUTION


def where():
    ### BEGIN SOLUTION
    return "cuda" if torch.cuda.is_available() else "cpu"
    ### END SOLUTION


def grow(items):
    ### BEGIN SOLUTION
    items.append(len(items))
    ### END SOLUTION


def flat_view(x):
    ### BEGIN SOLUTION
    return x.view(-1)
    ### END SOLUTION


def flat_copy(x):
    ### BEGIN SOLUTION
    return x.reshape(-1).clone()
    ### END SOLUTION


def train(module):
    ### BEGIN SOLUTION
    return module.train()
    ### END SOLUTION
'''

CHECKS = '''
import pytest
import torch

from autograder.checks import (
    expect_close,
    expect_copy,
    expect_equal,
    expect_same_object,
    expect_view,
    fake_cuda,
    fetch,
    forbid,
    hold,
)


@pytest.mark.points(1)
def test_double(student):
    x = torch.arange(4.0)
    expect_close(student.toy.double(x), x * 2, what="double(x)")


@pytest.mark.points(2)
def test_first_without_item(student):
    with forbid("torch.Tensor.item"):
        expect_equal(student.toy.first(torch.tensor([[7.0]])), 7.0, what="first")


@pytest.mark.points(1)
def test_where_with_a_gpu(student):
    with fake_cuda(available=True):
        expect_equal(student.toy.where(), "cuda", what="where()")
    expect_equal(student.toy.where(), "cuda" if torch.cuda.is_available() else "cpu", what="where()")


@pytest.mark.points(1)
def test_grow_changes_the_list_in_place(student):
    items = [5]
    student.toy.grow(items)
    expect_equal(items, [5], what="the check's own list")
    held = hold([5])
    student.toy.grow(held)
    expect_equal(fetch(held), [5, 1], what="items after grow(items)")


@pytest.mark.points(1)
def test_identity(student):
    x = torch.arange(6.0).reshape(2, 3)
    expect_view(student.toy.flat_view(x), x, what="flat_view(x)", of="x")
    expect_copy(student.toy.flat_copy(x), x, what="flat_copy(x)", of="x")
    module = student.torch.nn.Linear(2, 2)
    expect_same_object(student.toy.train(module), module, what="train(module)", of="the module")
'''

HIDDEN = '''
import pytest
import torch

from autograder.checks import expect_close, expect_equal


@pytest.mark.points(1)
def test_double_hidden(student):
    x = torch.arange(4.0)
    expect_close(student.toy.double(x), x * 2, what="double(x)")


@pytest.mark.points(1)
def test_where_hidden(student):
    expect_equal(student.toy.where(), "gpu-or-cpu", what="where()")
'''


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> Course:
    root = tmp_path_factory.mktemp("toy")
    (root / "solutions").mkdir()
    (root / "solutions" / "toy.py").write_text(textwrap.dedent(SOLUTION).lstrip())
    for visibility, text in (("public", CHECKS), ("hidden", HIDDEN)):
        (root / "tests" / visibility).mkdir(parents=True)
        (root / "tests" / visibility / "test_toy.py").write_text(textwrap.dedent(text).lstrip())
    write_stubs(root / "solutions", root / "exercises")
    return Course(root)


@pytest.fixture(scope="module", params=["sandbox", "inprocess"])
def toy_grader(request, toy):
    with Grader(toy, runner=request.param, time_limit=5) as grader:
        yield grader


def _student(tmp_path, **changes: str):
    source = textwrap.dedent(SOLUTION).lstrip()
    for old, new in changes.items():
        source = source.replace(old, new)
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "toy.py").write_text(source)
    return folder


def _by_name(result):
    return {c.id.split("::")[1]: c for c in result.checks}


def test_reference_passes_everything_but_the_deliberately_wrong_hidden_check(toy_grader, toy):
    checks = _by_name(toy_grader.grade(toy.solutions))
    assert {name for name, c in checks.items() if not c.passed} == {"test_where_hidden"}


def test_public_checks_reveal_expected_values_hidden_ones_do_not(toy_grader, tmp_path):
    checks = _by_name(toy_grader.grade(_student(tmp_path, **{"return x * 2": "return x * 3"})))
    public, hidden = checks["test_double"], checks["test_double_hidden"]
    assert public.status == hidden.status == Status.FAILED
    assert public.message == ("double(x) differs in 3 of 4 values (tolerance rtol=1.3e-06, atol=1e-05); the largest "
                              "difference is 3 at index (3,); the first wrong value is at index (1,): got 3, "
                              "expected 2")
    assert hidden.message == ("double(x) differs from the reference in 3 of 4 values (largest difference 3; "
                              "tolerance rtol=1.3e-06, atol=1e-05)")
    assert "which is not the right value" in checks["test_where_hidden"].message
    assert "gpu-or-cpu" not in checks["test_where_hidden"].message


def test_forbidden_calls_fail_the_check_even_when_caught(toy_grader, tmp_path):
    sneaky = "try:\n        return t.reshape(-1)[0].item()\n    except Exception:\n        return 7.0"
    checks = _by_name(toy_grader.grade(_student(tmp_path, **{"return float(t.reshape(-1)[0])": sneaky})))
    check = checks["test_first_without_item"]
    assert check.status == Status.FAILED and "torch.Tensor.item" in check.message
    assert checks["test_double"].passed, "the forbidden name is restored after the check"


def test_fake_cuda_applies_to_student_calls_only(toy_grader, tmp_path):
    checks = _by_name(toy_grader.grade(toy_grader.course.solutions))
    assert checks["test_where_with_a_gpu"].passed
    always_cpu = {'"cuda" if torch.cuda.is_available() else "cpu"': '"cpu"'}
    checks = _by_name(toy_grader.grade(_student(tmp_path, **always_cpu)))
    assert checks["test_where_with_a_gpu"].status == Status.FAILED


def test_student_code_changes_only_copies_which_hold_and_fetch_reveal(toy_grader, tmp_path):
    checks = _by_name(toy_grader.grade(_student(tmp_path, **{"items.append(len(items))": "items = items + [1]"})))
    assert checks["test_grow_changes_the_list_in_place"].status == Status.FAILED
    assert "[5]" in checks["test_grow_changes_the_list_in_place"].message


@pytest.mark.parametrize(("change", "message", "hint"), [
    ({"return x.view(-1)": "return x.flatten().clone()"},
     "flat_view(x) does not share memory with x: expected a view of it, got a copy", "`clone()`, `contiguous()`"),
    ({"return x.reshape(-1).clone()": "return x.reshape(-1)"},
     "flat_copy(x) shares memory with x: expected an independent copy",
     "`reshape` returns a view of a contiguous tensor"),
    ({"return module.train()": "return type(module)(2, 2)"},
     "train(module) is a new object: expected the module itself", "not a new one"),
])
def test_identity_failures_say_what_was_expected_and_the_usual_cause(toy_grader, tmp_path, change, message, hint):
    check = _by_name(toy_grader.grade(_student(tmp_path, **change)))["test_identity"]
    assert check.status == Status.FAILED
    assert check.message.startswith(message) and hint in check.hint


def test_stub_is_not_attempted_everywhere(toy_grader, toy):
    result = toy_grader.grade(toy.exercises_dir)
    assert {c.status for c in result.checks} == {Status.NOT_ATTEMPTED} and result.score == 0
