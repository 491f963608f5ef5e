"""`forbid`: a forbidden function is refused under every alias, an ATen operator however it is
reached, and only inside the block; a name that names nothing is the course's error."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import toy_course

from autograder.grading import Grader
from autograder.result import CheckResult, Fault, Status

SOLUTION = '''
"""Ways to reach the same computation."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.functional import linear as imported_linear


def linear_by(way, x, w):
    ### BEGIN SOLUTION
    if way == "F.linear":
        return F.linear(x, w)
    if way == "imported":
        return imported_linear(x, w)
    if way == "torch._C._nn.linear":
        return torch._C._nn.linear(x, w)
    if way == "nn.Linear":
        layer = nn.Linear(w.shape[1], w.shape[0], bias=False)
        with torch.no_grad():
            layer.weight.copy_(w)
        return layer(x).detach()
    return (x.unsqueeze(-2) * w).sum(-1)  # by hand
    ### END SOLUTION


def conv_by(way, x, k):
    ### BEGIN SOLUTION
    if way == "F.conv2d":
        return F.conv2d(x, k)
    if way == "torch.conv2d":
        return torch.conv2d(x, k)
    if way == "nn.Conv2d":
        conv = nn.Conv2d(1, 1, k.shape[-1], bias=False)
        with torch.no_grad():
            conv.weight.copy_(k)
        return conv(x).detach()
    if way == "torch.ops.aten.convolution":
        return torch.ops.aten.convolution(x, k, None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1)
    if way == "F.unfold":
        h, w = x.shape[-2] - k.shape[-2] + 1, x.shape[-1] - k.shape[-1] + 1
        return (F.unfold(x, k.shape[-2:]).transpose(1, 2) @ k.reshape(-1, 1)).reshape(1, 1, h, w)
    h, w = k.shape[-2:]
    rows, cols = x.shape[-2] - h + 1, x.shape[-1] - w + 1
    out = torch.zeros(1, 1, rows, cols)
    for i in range(rows):
        for j in range(cols):
            out[0, 0, i, j] = (x[0, 0, i:i + h, j:j + w] * k[0, 0]).sum()
    return out
    ### END SOLUTION
'''

LINEAR = {"F_linear": "F.linear", "imported": "imported", "c_nn": "torch._C._nn.linear", "module": "nn.Linear",
          "by_hand": "by hand"}
CONV = {"F_conv2d": "F.conv2d", "torch_conv2d": "torch.conv2d", "module": "nn.Conv2d",
        "ops": "torch.ops.aten.convolution", "unfold": "F.unfold", "by_hand": "by hand"}

#: One check per way (the kit grades a parametrized check as one).
CHECKS = """
import pytest
import torch
import torch.nn.functional as F

from autograder.checks import expect_close, forbid
""" + "".join(f'''

@pytest.mark.points(1)
def test_linear_{key}(student):
    """linear by {way} under forbid"""
    x, w = torch.randn(2, 3), torch.randn(4, 3)
    with forbid("torch.nn.functional.linear"):
        out = student.toy.linear_by("{way}", x, w)
    expect_close(out, F.linear(x, w))
''' for key, way in LINEAR.items()) + "".join(f'''

@pytest.mark.points(1)
def test_conv_{key}(student):
    """convolution by {way} under forbid"""
    x, k = torch.randn(1, 1, 5, 6), torch.randn(1, 1, 3, 3)
    with forbid("aten::convolution", "aten::im2col"):
        out = student.toy.conv_by("{way}", x, k)
    expect_close(out, F.conv2d(x, k))
''' for key, way in CONV.items()) + '''

@pytest.mark.points(1)
def test_allowed_again_after_the_block(student):
    """everything works again outside the block"""
    x, w, k = torch.randn(2, 3), torch.randn(4, 3), torch.randn(1, 1, 3, 3)
    with forbid("torch.nn.functional.linear", "aten::convolution"):
        pass
    expect_close(student.toy.linear_by("nn.Linear", x, w), F.linear(x, w))
    expect_close(student.toy.conv_by("nn.Conv2d", torch.ones(1, 1, 4, 4), k), F.conv2d(torch.ones(1, 1, 4, 4), k))


@pytest.mark.points(1)
def test_unknown_operator(student):
    """forbids an operator that does not exist"""
    with forbid("aten::convolutoin"):
        student.toy.conv_by("by hand", torch.randn(1, 1, 4, 4), torch.randn(1, 1, 3, 3))
'''


@pytest.fixture(scope="module")
def checks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CheckResult]:
    course = toy_course(tmp_path_factory.mktemp("forbid") / "course", SOLUTION, CHECKS)
    with Grader(course) as grader:
        result = grader.grade(course.solutions)
    return {check.id.split("::")[1]: check for check in result.checks}


@pytest.mark.parametrize("key", [key for key in LINEAR if key != "by_hand"])
def test_every_alias_of_a_forbidden_function_is_refused(checks: dict[str, CheckResult], key: str):
    check = checks[f"test_linear_{key}"]
    assert check.status == Status.FAILED and check.fault is not Fault.COURSE, check.message
    assert "uses torch.nn.functional.linear, which this exercise does not allow" in check.message


@pytest.mark.parametrize("key", [key for key in CONV if key != "by_hand"])
def test_a_forbidden_operator_is_refused_however_it_is_reached(checks: dict[str, CheckResult], key: str):
    check = checks[f"test_conv_{key}"]
    assert check.status == Status.FAILED, check.message
    assert "which this exercise does not allow" in check.message
    assert ("aten::im2col" if key == "unfold" else "aten::convolution") in check.message


def test_the_same_computation_by_hand_passes(checks: dict[str, CheckResult]):
    assert checks["test_linear_by_hand"].passed, checks["test_linear_by_hand"].message
    assert checks["test_conv_by_hand"].passed, checks["test_conv_by_hand"].message
    assert checks["test_allowed_again_after_the_block"].passed, checks["test_allowed_again_after_the_block"].message


def test_an_unknown_operator_is_the_courses_error(checks: dict[str, CheckResult]):
    check = checks["test_unknown_operator"]
    assert (check.status, check.fault) == (Status.ERROR, Fault.COURSE)
    assert "aten::convolutoin" in check.message and "no such ATen operator" in check.message


def test_an_operator_torch_rewrites_is_refused_as_a_course_error():
    """aten::conv2d never reaches a dispatch mode (torch turns it into aten::convolution first):
    forbidding it would refuse nothing, so forbid says so."""
    from autograder.runner.environment import check_forbidden

    with pytest.raises(ValueError, match=r"aten::conv2d.*turns it into other operators"):
        check_forbidden(("aten::conv2d",))
    check_forbidden(("aten::convolution", "torch.nn.functional.linear"))


def test_an_unknown_name_is_refused_before_the_student_runs(tmp_path: Path):
    """The name is checked in the grader: the student's function is never called."""
    solution = SOLUTION.replace('    if way == "F.linear":', '    print("called")\n    if way == "F.linear":')
    checks = CHECKS + '''

@pytest.mark.points(1)
def test_misspelt(student):
    """forbids a misspelt name"""
    with forbid("torch.nn.functional.lineer"):
        student.toy.linear_by("by hand", torch.randn(2, 3), torch.randn(4, 3))
'''
    course = toy_course(tmp_path / "course", solution, checks)
    with Grader(course) as grader:
        result = grader.grade(course.solutions, only=["toy"])
    [check] = [c for c in result.checks if c.id.endswith("::test_misspelt")]
    assert (check.status, check.fault) == (Status.ERROR, Fault.COURSE) and "lineer" in check.message
    assert "called" not in check.output
