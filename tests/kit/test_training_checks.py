"""The check API for training code and quizzes: `take` (a student's iterable as data),
`expect_close` on Python numbers, `records_graph`, `fake_cuda`'s device queries, `entry` and the
stub placeholder `...`."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from conftest import toy_course

from autograder.checks import NUMBER_TOLERANCE, expect_close, expect_equal, take
from autograder.grading import Grader
from autograder.outcomes import CheckFailed, CourseFault, NotAttempted
from autograder.result import CheckResult, Status

SOLUTION = '''
"""Training helpers."""

import torch

ANSWERS = {
    ### BEGIN SOLUTION
    "layers": 1,
    "shape": (256, 784),
    ### END SOLUTION
}


def squares(n):
    ### BEGIN SOLUTION
    for i in range(n):
        yield i * i
    ### END SOLUTION


def loader(n):
    ### BEGIN SOLUTION
    data = torch.utils.data.TensorDataset(torch.arange(n, dtype=torch.float32), torch.arange(n) % 2)
    return torch.utils.data.DataLoader(data, batch_size=4)
    ### END SOLUTION


def mean_loss(model, x):
    ### BEGIN SOLUTION
    return model(x).pow(2).mean().item()
    ### END SOLUTION


def evaluate(model, x):
    ### BEGIN SOLUTION
    with torch.no_grad():
        return model(x).sum().item()
    ### END SOLUTION


def devices():
    ### BEGIN SOLUTION
    cuda = torch.cuda.device_count()
    names = [torch.cuda.get_device_name(i) for i in range(cuda)]
    current = torch.cuda.current_device() if cuda else None
    return names, current, torch.backends.mps.is_available()
    ### END SOLUTION
'''

CHECKS = '''
import pytest
import torch

from autograder.checks import entry, expect, expect_close, expect_equal, fake_cuda, records_graph, take


@pytest.mark.points(1)
def test_take_generator(student):
    """take reads a generator's first items"""
    expect_equal(take(student.toy.squares(10), 4), [0, 1, 4, 9])
    expect_equal(take(student.toy.squares(2), 5), [0, 1])


@pytest.mark.points(1)
def test_take_loader(student, reference):
    """take reads a DataLoader's batches as data"""
    got = take(student.toy.loader(10), 3, what="loader(10)")
    want = list(reference.toy.loader(10))
    expect_equal(len(got), 3)
    for batch, expected in zip(got, want):
        expect_close(batch[0], expected[0])
        expect_close(batch[1], expected[1])


@pytest.mark.points(1)
def test_loss_is_a_float(student, reference):
    """a loss comes back as a float close to the reference's"""
    model = student.torch.nn.Linear(3, 2)
    state = {name: torch.full_like(p, 0.5) for name, p in torch.nn.Linear(3, 2).state_dict().items()}
    model.load_state_dict(state)
    x = torch.linspace(-1, 1, 12).reshape(4, 3)
    mine = torch.nn.Linear(3, 2)
    mine.load_state_dict(state)
    expect_close(student.toy.mean_loss(model, x), reference.toy.mean_loss(mine, x), what="mean_loss")


@pytest.mark.points(1)
def test_no_graph(student):
    """evaluate runs without building a graph"""
    value, graph = records_graph(student.toy.evaluate, student.torch.nn.Linear(3, 2), torch.ones(2, 3))
    expect(type(value) is float, "evaluate returned no float")
    expect(not graph, "evaluate recorded an autograd graph")
    _, trained = records_graph(student.toy.mean_loss, student.torch.nn.Linear(3, 2), torch.ones(2, 3))
    expect(trained, "a forward pass with grad enabled recorded no graph")


@pytest.mark.points(1)
def test_fake_devices(student):
    """fake_cuda answers current_device, get_device_name and mps"""
    with fake_cuda(available=True, device_count=2, mps=True):
        names, current, mps = student.toy.devices()
    expect_equal(names, ["Fake GPU 0", "Fake GPU 1"])
    expect_equal(current, 0)
    expect_equal(mps, True)
    with fake_cuda(available=False):
        expect_equal(student.toy.devices(), ([], None, False))


@pytest.mark.points(1)
def test_layers(student, reference):
    """question 1"""
    expect_equal(entry(student.toy.ANSWERS, "layers", what="ANSWERS"), reference.toy.ANSWERS["layers"],
                 what="ANSWERS['layers']")


@pytest.mark.points(1)
def test_shape(student, reference):
    """question 2"""
    expect_equal(entry(student.toy.ANSWERS, "shape", what="ANSWERS"), reference.toy.ANSWERS["shape"],
                 what="ANSWERS['shape']")
'''

WRONG = '''
import torch

ANSWERS = {"layers": ..., "shap": (256, 784)}


def squares(n):
    return iter(range(n))


def loader(n):
    return torch.nn.Linear(1, 1)


def mean_loss(model, x):
    return model(x).pow(2).mean()


def evaluate(model, x):
    return model(x).sum().item()


def devices():
    return [], None, False
'''


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, CheckResult], dict[str, CheckResult]]:
    root = tmp_path_factory.mktemp("training")
    course = toy_course(root / "course", SOLUTION, CHECKS)
    wrong = root / "wrong"
    wrong.mkdir()
    (wrong / "toy.py").write_text(WRONG)
    with Grader(course) as grader:
        right, bad = grader.grade_many([course.solutions, wrong])
    by_name = lambda result: {check.id.split("::")[1]: check for check in result.checks}  # noqa: E731
    return by_name(right), by_name(bad)


def test_the_reference_passes_every_check(results):
    right, _ = results
    assert all(check.passed for check in right.values()), {n: c.message for n, c in right.items() if not c.passed}


def test_take_reads_a_students_iterables(results):
    _, bad = results
    assert bad["test_take_generator"].status == Status.FAILED  # range's items are not the squares
    check = bad["test_take_loader"]
    assert check.status == Status.ERROR and check.fault == "student", check.message
    assert "iterating over toy.loader(…)" in check.message and "not iterable" in check.message, check.message
    with pytest.raises(CheckFailed, match="loader is 7, which cannot be iterated over"):
        take(7, 2, what="loader")
    with pytest.raises(CourseFault, match="from 0 to"):
        take([1], 5000)


def test_a_loss_tensor_is_not_a_float(results):
    _, bad = results
    check = bad["test_loss_is_a_float"]
    assert check.status == Status.FAILED
    assert "should be a float" in check.message and ".item()" in check.message, check.message


def test_records_graph_tells_no_grad_apart(results):
    _, bad = results
    assert bad["test_no_graph"].status == Status.FAILED
    assert "recorded an autograd graph" in bad["test_no_graph"].message


def test_fake_cuda_answers_every_device_query(results):
    right, bad = results
    assert right["test_fake_devices"].passed
    assert bad["test_fake_devices"].status == Status.FAILED


def test_one_unanswered_question_is_not_attempted_alone(results):
    _, bad = results
    assert bad["test_layers"].status == Status.NOT_ATTEMPTED, bad["test_layers"].message
    assert "placeholder" in bad["test_layers"].message
    assert bad["test_shape"].status == Status.FAILED
    assert "no entry 'shape'" in bad["test_shape"].message


def test_expect_close_on_numbers():
    expect_close(0.1 + 0.2, 0.3)
    expect_close([1.0, 2.0], [1.0, 2.0 + 1e-7])
    expect_close(3, 3)
    expect_close(math.nan, math.nan)
    rtol, _ = NUMBER_TOLERANCE
    with pytest.raises(CheckFailed, match=r"is 0\.5, expected 0\.6"):
        expect_close(0.5, 0.6, what="the accuracy")
    with pytest.raises(CheckFailed, match="should be a float"):
        expect_close(1, 1.0)
    with pytest.raises(CheckFailed, match=r"should be a float, got a tensor of shape \(\).*\.item\(\)"):
        expect_close(torch.tensor(1.0), 1.0)
    with pytest.raises(CheckFailed, match=r"has 1 items, expected 2"):
        expect_close([1.0], [1.0, 2.0])
    with pytest.raises(CheckFailed, match=r"is a tuple"):
        expect_close((1.0, 2.0), [1.0, 2.0])
    with pytest.raises(CheckFailed, match=r"the losses\[1\] is 2\.1"):
        expect_close([1.0, 2.1], [1.0, 2.0], what="the losses")
    with pytest.raises(CheckFailed):
        expect_close(1.0 + 3 * rtol, 1.0)
    expect_close(1.0 + 3 * rtol, 1.0, rtol=1e-4)
    with pytest.raises(CourseFault, match="expect_equal"):
        expect_close("a", "a")


def test_the_placeholder_is_not_attempted():
    with pytest.raises(NotAttempted, match="placeholder"):
        expect_equal(..., 3, what="ANSWERS['x']")
    with pytest.raises(NotAttempted):
        expect_close(..., 0.5)


def test_fake_cuda_refuses_contradictions(tmp_path: Path):
    checks = '''
import pytest
from autograder.checks import fake_cuda


@pytest.mark.points(1)
def test_contradiction(student):
    """two GPUs that are not available"""
    with fake_cuda(available=False, device_count=2):
        student.toy.devices()
'''
    course = toy_course(tmp_path / "course", SOLUTION, checks)
    with Grader(course) as grader:
        (check,) = grader.grade(course.solutions).checks
    assert check.status == Status.ERROR and check.fault == "course", check.message


def test_only_the_stubs_not_implemented_error_is_not_attempted():
    from autograder.outcomes import RaisedInfo, StudentRaised, failure_for

    mro = ("NotImplementedError", "RuntimeError", "Exception", "BaseException")
    stub = RaisedInfo("NotImplementedError", mro, "complete f", "toy.py:3", 'raise NotImplementedError("complete f")')
    assert isinstance(failure_for("toy.f(1)", stub), NotAttempted)
    # torch's own, raised under a line of the student's that calls it: an answer, wrong on that device.
    torch_said = RaisedInfo("NotImplementedError", mro, "Cannot copy out of meta tensor; no data!", "toy.py:5",
                            "return x.cpu()")
    failure = failure_for("toy.f(tensor[2, meta])", torch_said)
    assert isinstance(failure, StudentRaised) and "Cannot copy out of meta tensor" in failure.message
