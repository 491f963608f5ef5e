"""The check API for whole models and statistics: `module_summary`, `output_shapes`,
`default_device`, `expect_normal`; and `grade_many(stop_at_first_loss=True)`, which the audit uses."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from conftest import toy_course

from autograder.checks import NORMAL_MIN_VALUES, expect_normal
from autograder.grading import Grader
from autograder.outcomes import CheckFailed, CourseFault
from autograder.result import CheckResult, Status

SOLUTION = '''
"""A small model."""

import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, width=8):
        super().__init__()
        ### BEGIN SOLUTION
        self.body = nn.Sequential(nn.Conv2d(3, width, 3), nn.ReLU(), nn.BatchNorm2d(width))
        self.head = nn.Linear(width, 2)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        return self.head(self.body(x).mean((2, 3)))
        ### END SOLUTION


def made_on():
    ### BEGIN SOLUTION
    return str(torch.zeros(1).device)
    ### END SOLUTION
'''

CHECKS = '''
import math

import pytest
import torch

from autograder.checks import default_device, expect, expect_equal, expect_normal, module_summary, output_shapes


@pytest.mark.points(1)
def test_summary(student):
    """the summary names parameters, buffers and submodules"""
    summary = module_summary(student.toy.Net(4))
    expect_equal(summary["type"], "Net")
    expect_equal(list(summary["parameters"]), ["body.0.weight", "body.0.bias", "body.2.weight", "body.2.bias",
                                               "head.weight", "head.bias"])
    expect_equal(summary["parameters"]["body.0.weight"]["shape"], [4, 3, 3, 3])
    expect_equal(summary["buffers"]["body.2.running_mean"]["shape"], [4])
    expect_equal([m["type"] for m in summary["modules"]], ["Sequential", "Conv2d", "ReLU", "BatchNorm2d", "Linear"])
    expect(summary["training"] is True, "the summary says the new model is not training")


@pytest.mark.points(1)
def test_shapes_on_meta(student):
    """a model built on meta traces its shapes"""
    with default_device("meta"):
        net = student.toy.Net(500)
        where = student.toy.made_on()
    expect_equal(where, "meta")
    expect_equal(student.toy.made_on(), "cpu")
    expect_equal(module_summary(net)["parameters"]["head.weight"]["device"], "meta")
    shapes = output_shapes(net, torch.empty(2, 3, 9, 9, device="meta"))
    expect_equal(shapes, [("body.0", (2, 500, 7, 7)), ("body.1", (2, 500, 7, 7)), ("body.2", (2, 500, 7, 7)),
                          ("head", (2, 2))])


@pytest.mark.points(1)
def test_head_is_normal(student):
    """values the student's process draws with randn pass expect_normal; its uniform ones do not"""
    expect_normal(student.torch.randn(400, 300) * 0.05, std=0.05)
    try:
        expect_normal(student.torch.rand(400, 300), std=0.05)
    except AssertionError:
        return
    raise RuntimeError("a uniform sample passed expect_normal")


@pytest.mark.points(1)
def test_bad_device(student):
    """a device that does not exist is the course's error"""
    with default_device("no-such-device"):
        student.toy.made_on()
'''


@pytest.fixture(scope="module")
def checks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CheckResult]:
    course = toy_course(tmp_path_factory.mktemp("models") / "course", SOLUTION, CHECKS)
    with Grader(course) as grader:
        result = grader.grade(course.solutions)
    return {check.id.split("::")[1]: check for check in result.checks}


def test_module_summary_describes_without_values(checks: dict[str, CheckResult]):
    assert checks["test_summary"].passed, checks["test_summary"].message


def test_default_device_applies_to_calls_in_the_block_only(checks: dict[str, CheckResult]):
    assert checks["test_shapes_on_meta"].passed, checks["test_shapes_on_meta"].message


def test_expect_normal_inside_a_check(checks: dict[str, CheckResult]):
    assert checks["test_head_is_normal"].passed, checks["test_head_is_normal"].message


def test_an_unknown_default_device_is_the_courses_error(checks: dict[str, CheckResult]):
    check = checks["test_bad_device"]
    assert check.status == Status.ERROR and check.fault == "course", check.message
    assert "no-such-device" in check.message


def test_expect_normal_tells_normal_from_uniform_and_wrong_scale():
    std = math.sqrt(2 / 784)
    generator = torch.Generator().manual_seed(0)
    for seed in range(20):  # a correct sample never fails (six standard errors)
        generator.manual_seed(seed)
        expect_normal(torch.randn(256, 784, generator=generator) * std, std=std)
    uniform = (torch.rand(256, 784, generator=generator) * 2 - 1) * math.sqrt(3) * std  # the same std
    with pytest.raises(CheckFailed, match="excess kurtosis"):
        expect_normal(uniform, std=std)
    with pytest.raises(CheckFailed, match="standard deviation"):
        expect_normal(torch.randn(256, 784, generator=generator) * std / math.sqrt(2), std=std)
    with pytest.raises(CheckFailed, match="mean"):
        expect_normal(torch.randn(256, 784, generator=generator) * std + 0.01, std=std)
    with pytest.raises(CourseFault, match=f"at least {NORMAL_MIN_VALUES}"):
        expect_normal(torch.randn(10), std=1.0)


PUBLIC_CHECK = '''
import pytest

from autograder.checks import expect_equal


@pytest.mark.points(1)
def test_first(student):
    """first"""
    expect_equal(type(student.toy.made_on()).__name__, "str")
'''

HIDDEN_CHECKS = '''
import pytest
import torch

from autograder.checks import expect_equal


@pytest.fixture(scope="module")
def table():
    return {"ready": True}


@pytest.mark.points(1)
def test_second(student, table):
    """second"""
    expect_equal(student.toy.made_on(), "cpu")


@pytest.mark.points(1)
def test_third(student, table):
    """third"""
    expect_equal(tuple(student.toy.Net()(torch.zeros(1, 3, 5, 5)).shape), (1, 2))
'''


def test_stop_at_first_loss_stops_and_leaves_the_next_submission_whole(tmp_path: Path):
    course = toy_course(tmp_path / "course", SOLUTION, HIDDEN_CHECKS)
    (course.public / "test_toy.py").write_text(PUBLIC_CHECK)
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    (wrong / "toy.py").write_text(SOLUTION.replace('return str(torch.zeros(1).device)', 'return "gpu"'))
    with Grader(course) as grader:
        stopped, whole = grader.grade_many([wrong, course.solutions], stop_at_first_loss=True)
        full = grader.grade(wrong)
    assert [c.name for c in stopped.checks] == ["first", "second"] and stopped.score == 1
    assert [c.name for c in full.checks] == ["first", "second", "third"], "without the option every check runs"
    # Stopped inside the hidden file, with a check of it still to come: its fixtures were torn down, so
    # the next submission starts in the public file with nothing of the last one standing.
    assert whole.score == whole.max_score == 3, [c.message for c in whole.checks]
