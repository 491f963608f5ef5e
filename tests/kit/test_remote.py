"""The runner protocol, the same under both runners: copies, identity, handles, lookups."""

from __future__ import annotations

import pytest
import torch

from autograder.outcomes import StudentRaised
from autograder.runner import make_runner
from autograder.runner.proxy import Remote, Student

MODULE = '''
import torch

def zero_in_place(t):
    t.zero_()
    return t

def first_row(t):
    return t[0]

def zero_entry(d, key):
    d[key].zero_()

def rebind():
    global answer
    def answer():
        return "new"
    return "rebound"

def answer():
    return "old"

def apply(fn, *args):
    return fn(*args)

class Box:
    def __init__(self):
        self.items = []
    def add(self, item):
        self.items.append(item)
        return len(self.items)
'''


@pytest.fixture(params=["sandbox", "inprocess"])
def student(request, grader, write_submission):
    runner = grader.runner if request.param == "sandbox" else make_runner("inprocess")
    runner.load(write_submission({"toolbox.py": MODULE}))
    runner.begin_check(seed=3, time_limit=20)
    yield Student(runner)
    runner.unload()
    if request.param == "inprocess":
        runner.close()


def _probe(student, name, *args):
    return student._runner.probe(name, *args)


def test_arguments_are_copies_the_student_cannot_change(student):
    mine = torch.ones(3)
    out = student.toolbox.zero_in_place(mine)
    assert torch.equal(mine, torch.ones(3)), "the check's tensor is untouched"
    assert torch.equal(out, torch.zeros(3))
    assert _probe(student, "shares_memory", out, mine), "the student's copy and its result are one storage"


def test_views_of_arguments_are_recognised(student):
    x = torch.arange(6.0).reshape(2, 3)
    row = student.toolbox.first_row(x)
    assert torch.equal(row, x[0]) and _probe(student, "shares_memory", row, x)
    assert not _probe(student, "shares_memory", row, torch.arange(6.0))


def test_objects_stay_behind_handles_that_never_equal_values(student):
    box = student.toolbox.Box()
    assert isinstance(box, Remote) and box != [] and box is not None
    assert box.add("a") == 1 and box.add("b") == 2
    assert box.items == ["a", "b"]
    with pytest.raises(TypeError, match="handle to a student object"):
        list(box)


def test_functions_are_looked_up_when_called(student):
    module = student.toolbox
    assert module.answer() == "old"
    assert module.rebind() == "rebound"
    assert module.answer() == "new", "a rebound function is called, not a stale handle"
    assert module.apply(module.answer) == "new", "a function handle passed as an argument"


def test_student_exceptions_carry_type_and_location(student):
    with pytest.raises(StudentRaised) as raised:
        student.toolbox.first_row(torch.tensor(1.0))
    assert raised.value.info.is_a("IndexError") and raised.value.info.where == "toolbox.py:9"
    assert "toolbox.first_row(tensor[])" in raised.value.message


def test_a_300_mb_state_dict_crosses_both_ways(student):
    """Whole models cross (AlexNet's parameters are 244 MB): held in the student's process,
    changed there by student code, and read back exactly."""
    state = {f"layer{i}.weight": torch.randn(2_500, 10_000) for i in range(3)}  # 3 × 100 MB of float32
    assert sum(t.numel() * t.element_size() for t in state.values()) == 300_000_000
    held = student._runner.hold(state)
    student.toolbox.zero_entry(held, "layer1.weight")  # changed where it lives
    back = student._runner.fetch(held)
    assert list(back) == list(state)
    assert torch.equal(back["layer0.weight"], state["layer0.weight"])
    assert torch.equal(back["layer2.weight"], state["layer2.weight"])
    assert not back["layer1.weight"].any() and state["layer1.weight"].any()
