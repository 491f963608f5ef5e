"""A hang costs one time limit per function, not one per check.

A toy course whose checks call a function that loops forever, a constructor, methods and a
returned closure that do, and correct functions in between: only the first call of each hung
function waits out its time limit (and costs a fresh student process); later calls of it (on any
instance, through a probe, looked up first) fail at once as `timeout`, naming the check where it
hung, while every other function keeps being called. A call that timed out only because slower
calls before it used up its check's time is not held against it. Both runners, which enforce the
limit differently (a deadline on the socket, SIGALRM in-process), behave alike.
"""

from __future__ import annotations

import pytest
from conftest import toy_course

from autograder.grading import Grader
from autograder.result import CheckResult, Result, Status

#: Short, so the three waits below stay cheap; honest calls take milliseconds.
LIMIT = 1.5

SOLUTION = '''
"""A toy exercise."""

import time

import torch


def loop(n):
    ### BEGIN SOLUTION
    return n + 1
    ### END SOLUTION


def fine(n):
    ### BEGIN SOLUTION
    return n * 2
    ### END SOLUTION


def nap(seconds):
    ### BEGIN SOLUTION
    return seconds
    ### END SOLUTION


def spinner():
    ### BEGIN SOLUTION
    return lambda: 1
    ### END SOLUTION


def adder():
    return lambda n: n + 1


class Stuck:
    def __init__(self):
        ### BEGIN SOLUTION
        self.ready = True
        ### END SOLUTION


class Net(torch.nn.Module):
    def forward(self, x):
        ### BEGIN SOLUTION
        return x + 1
        ### END SOLUTION

    def spin(self):
        ### BEGIN SOLUTION
        return 1
        ### END SOLUTION

    def ok(self):
        return 2
'''

#: The student's version: everything hangs but fine, adder, Net.ok and nap (which sleeps as long as
#: asked); spinner returns a function that hangs.
HANGING = SOLUTION.replace("    return n + 1\n", "    while True:\n        pass\n") \
    .replace("        self.ready = True\n", "        while True:\n            pass\n") \
    .replace("        return x + 1\n", "        while True:\n            pass\n") \
    .replace("        return 1\n", "        while True:\n            pass\n") \
    .replace("    return seconds\n", "    time.sleep(seconds)\n    return seconds\n") \
    .replace("    return lambda: 1\n", "    def spin():\n        while True:\n            pass\n    return spin\n")

CHECKS = f'''
import pytest
import torch

from autograder.checks import expect, expect_close, forward_trace


@pytest.mark.points(1)
def test_loop_first(student):
    """loop, first"""
    expect(student.toy.loop(1) == 2, "loop(1) is 2")


@pytest.mark.points(1)
def test_fine_first(student):
    """fine, first"""
    expect(student.toy.fine(2) == 4, "fine(2) is 4")


@pytest.mark.points(1)
def test_loop_again(student):
    """loop, again"""
    expect(student.toy.loop(5) == 6, "loop(5) is 6")


@pytest.mark.points(1)
def test_fine_then_loop(student):
    """fine, then loop"""
    expect(student.toy.fine(3) == 6, "fine(3) is 6")
    student.toy.loop(0)


@pytest.mark.points(1)
def test_loop_looked_up_first(student):
    """loop, looked up before the call"""
    function = student.toy.loop
    expect(function(2) == 3, "loop(2) is 3")


@pytest.mark.points(1)
def test_stuck_first(student):
    """Stuck(), first"""
    expect(student.toy.Stuck().ready is True, "ready")


@pytest.mark.points(1)
def test_stuck_again(student):
    """Stuck(), again"""
    student.toy.Stuck()


@pytest.mark.points(1)
def test_net_called(student):
    """a Net called"""
    expect_close(student.toy.Net()(torch.ones(2)), torch.full((2,), 2.0))


@pytest.mark.points(1)
def test_net_called_again(student):
    """another Net called"""
    net = student.toy.Net()
    expect(net.ok() == 2, "ok() is 2")
    net(torch.zeros(2))


@pytest.mark.points(1)
def test_net_traced(student):
    """a Net called by a probe"""
    forward_trace(student.toy.Net(), torch.ones(2))


@pytest.mark.points(1)
def test_spin_first(student):
    """Net.spin, first"""
    expect(student.toy.Net().spin() == 1, "spin() is 1")


@pytest.mark.points(1)
def test_spin_other_instance(student):
    """Net.spin, on another instance"""
    first, second = student.toy.Net(), student.toy.Net()
    expect(first.ok() == 2, "ok() is 2")
    second.spin()


@pytest.mark.points(1)
def test_closure_called(student):
    """spinner's function called"""
    expect(student.toy.spinner()() == 1, "spinner()() is 1")


@pytest.mark.points(1)
def test_other_closure_called(student):
    """adder's function called"""
    expect(student.toy.adder()(1) == 2, "adder()(1) is 2")


@pytest.mark.points(1)
def test_closure_called_again(student):
    """spinner's function called again"""
    student.toy.spinner()()


@pytest.mark.points(1)
def test_nap_after_slow_calls(student):
    """nap, its time used up by slow calls before it"""
    student.toy.nap({LIMIT * 0.7:.2f})
    student.toy.nap({LIMIT * 0.7:.2f})


@pytest.mark.points(1)
def test_nap_again(student):
    """nap, quick"""
    expect(student.toy.nap(0.01) == 0.01, "nap(0.01) is 0.01")


@pytest.mark.points(1)
def test_fine_last(student):
    """fine, last"""
    expect(student.toy.fine(4) == 8, "fine(4) is 8")
'''

#: check function → how it ends for the hanging submission: (status, first words of its message)
EXPECTED = {
    "test_loop_first": (Status.TIMEOUT, "toy.loop(1) did not finish within the check's 1.5 s"),
    "test_fine_first": (Status.PASSED, ""),
    "test_loop_again": (Status.TIMEOUT, "not run: toy.loop timed out in an earlier check (\u201cloop, first\u201d: "
                                        "toy.loop(1))"),
    "test_fine_then_loop": (Status.TIMEOUT, "not run: toy.loop timed out"),
    "test_loop_looked_up_first": (Status.TIMEOUT, "not run: toy.loop timed out"),
    "test_stuck_first": (Status.TIMEOUT, "toy.Stuck() did not finish"),
    "test_stuck_again": (Status.TIMEOUT, "not run: toy.Stuck timed out in an earlier check (\u201cStuck(), first"),
    "test_net_called": (Status.TIMEOUT, "toy.Net(…)(tensor[2]) did not finish"),
    "test_net_called_again": (Status.TIMEOUT, "not run: toy.Net.__call__ timed out in an earlier check "
                                              "(\u201ca Net called\u201d"),
    "test_net_traced": (Status.TIMEOUT, "not run: toy.Net.__call__ timed out"),
    "test_spin_first": (Status.TIMEOUT, "toy.Net(…).spin() did not finish"),
    "test_spin_other_instance": (Status.TIMEOUT, "not run: toy.Net.spin timed out in an earlier check"),
    "test_closure_called": (Status.TIMEOUT, "toy.spinner(…)() did not finish"),
    "test_other_closure_called": (Status.PASSED, ""),
    "test_closure_called_again": (Status.TIMEOUT, "not run: toy.spinner(…) timed out in an earlier check"),
    "test_nap_after_slow_calls": (Status.TIMEOUT, "toy.nap(1.05) did not finish"),
    "test_nap_again": (Status.PASSED, ""),
    "test_fine_last": (Status.PASSED, ""),
}
#: the checks whose call waited out the time limit: one per function that hangs, and the nap
WAITED = {"test_loop_first", "test_stuck_first", "test_net_called", "test_spin_first", "test_closure_called",
          "test_nap_after_slow_calls"}


class _Counted:
    """How many student processes a runner's factory starts."""

    def __init__(self, grader: Grader) -> None:
        self.starts = 0
        factory = grader.runner._factory
        start = factory.start

        def counted(*args, **kwargs):
            self.starts += 1
            return start(*args, **kwargs)

        factory.start = counted  # type: ignore[method-assign]


@pytest.fixture(scope="module", params=["sandbox", "inprocess"])
def graded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, int, Result]:
    """(result, student processes started) of the hanging submission, and the reference's result
    graded next by the same grader."""
    root = tmp_path_factory.mktemp(f"hangs-{request.param}")
    course = toy_course(root / "course", SOLUTION, CHECKS)
    submission = root / "alice"
    submission.mkdir()
    (submission / "toy.py").write_text(HANGING, encoding="utf-8")
    with Grader(course, runner=request.param, time_limit=LIMIT) as grader:
        assert grader.grade(course.solutions).score == len(EXPECTED), "the toy reference passes everything"
        counted = _Counted(grader)
        result = grader.grade(submission)
        starts = counted.starts
        after = grader.grade(course.solutions)
    return result, starts, after


def _checks(result: Result) -> dict[str, CheckResult]:
    return {check.id.rpartition("::")[2]: check for check in result.checks}


def test_each_check_ends_as_expected(graded):
    result, _, _ = graded
    checks = _checks(result)
    assert set(checks) == set(EXPECTED)
    wrong = {name: (check.status, check.message) for name, check in checks.items()
             if check.status is not EXPECTED[name][0] or not check.message.startswith(EXPECTED[name][1])}
    assert not wrong, wrong
    assert all(check.fault is not None for check in checks.values() if check.status is Status.TIMEOUT)
    assert checks["test_loop_again"].message.endswith("(\u201cloop, first\u201d: toy.loop(1))")
    assert checks["test_loop_again"].hint.startswith("a function that timed out is not called again in the same "
                                                     "submission; look for a loop that never ends")


def test_only_the_first_call_of_a_hung_function_waits(graded):
    """Each hang costs one time limit and one fresh process; the refusals cost neither."""
    result, starts, _ = graded
    checks = _checks(result)
    # The first process, and one after each call that had to be stopped.
    assert starts == 1 + len(WAITED)
    for name in WAITED:
        assert checks[name].duration_s >= LIMIT * 0.9, (name, checks[name].duration_s)
    refused = [name for name, check in checks.items() if check.message.startswith("not run:")]
    assert len(refused) == 8
    # Loose (the machine is noisy): a refusal sends nothing, so it waits for nothing.
    assert sum(checks[name].duration_s for name in refused) < len(refused) * LIMIT / 2


def test_a_correct_submission_is_never_affected(graded):
    """What hung in one submission is forgotten before the next: the reference, graded next by the
    same grader, passes everything."""
    _, _, after = graded
    assert after.score == after.max_score == len(EXPECTED)
    assert all(check.status is Status.PASSED for check in after.checks)



CPU_SOLUTION = """
\"\"\"CPU time.\"\"\"

import time


def burn():
    ### BEGIN SOLUTION
    return 1
    ### END SOLUTION
"""

CPU_CHECKS = """
import pytest

from autograder.checks import expect_equal


@pytest.mark.points(1)
@pytest.mark.time_limit(5)
def test_burn(student):
    \"\"\"burn\"\"\"
    expect_equal(student.toy.burn(), 1)


@pytest.mark.points(1)
def test_burn_again(student):
    \"\"\"burn again\"\"\"
    expect_equal(student.toy.burn(), 1)
"""


def test_a_call_past_its_cpu_time_is_a_timeout_of_that_call(tmp_path, monkeypatch):
    from autograder.runner import factory

    course = toy_course(tmp_path / "course", CPU_SOLUTION, CPU_CHECKS)
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "toy.py").write_text(CPU_SOLUTION.replace("return 1", "time.sleep(3)\n    return 1"))
    # As if its threads together burnt 4 s of CPU time in every 0.1 s the grader waits.
    readings = iter(range(0, 10_000, 4))
    monkeypatch.setattr(factory, "cpu_time", lambda pid: float(next(readings)))
    with Grader(course) as grader:
        first, again = grader.grade(submission).checks
    assert first.status == Status.TIMEOUT and first.fault == "student", first.message
    assert "used more CPU time than the check's 5 s" in first.message, first.message
    assert first.duration_s < 2.5, "it was stopped on its CPU time, long before its wall time"
    assert again.status == Status.TIMEOUT and "not run: toy.burn timed out" in again.message, again.message


def test_cpu_time_reads_a_processs_threads_together():
    import subprocess
    import sys
    import time

    from autograder.runner.factory import cpu_time

    spin = "import time\nend = time.process_time() + 0.6\nwhile time.process_time() < end: pass\ntime.sleep(30)"
    process = subprocess.Popen([sys.executable, "-c", spin])
    try:
        deadline = time.monotonic() + 30
        while (used := cpu_time(process.pid)) is not None and used < 0.6 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert used is not None and 0.6 <= used < 5, used
    finally:
        process.kill()
        process.wait()
    assert cpu_time(process.pid) is None, "a process that is gone has no CPU time"


SCALED_SOLUTION = '''
"""Scaled limits."""

import time


def quick(n):
    ### BEGIN SOLUTION
    return n + 1
    ### END SOLUTION


def slow(n):
    ### BEGIN SOLUTION
    time.sleep(0.2)
    return n
    ### END SOLUTION
'''

SCALED_CHECKS = '''
import pytest

from autograder.checks import expect_equal


@pytest.mark.points(1)
def test_quick(student):
    """quick"""
    expect_equal(student.toy.quick(1), 2)


@pytest.mark.points(1)
@pytest.mark.time_limit(30)
def test_slow(student):
    """slow"""
    expect_equal(student.toy.slow(1), 1)


@pytest.mark.points(1)
def test_quick_again(student):
    """quick again"""
    expect_equal(student.toy.quick(2), 3)
'''


def test_scaled_limits_cost_a_hang_seconds_and_a_correct_submission_nothing(tmp_path):
    from autograder.grading import SCALE, SCALED_FLOOR

    course = toy_course(tmp_path / "course", SCALED_SOLUTION, SCALED_CHECKS)
    hangs = tmp_path / "hangs"
    hangs.mkdir()
    # quick hangs; slow takes 8 s, inside its marker's 30 s but not 20 times the reference's 0.2 s.
    (hangs / "toy.py").write_text(SCALED_SOLUTION.replace("return n + 1", "while True:\n        pass")
                                  .replace("time.sleep(0.2)", "time.sleep(8)"))
    with Grader(course, scaled_limits=True) as grader:
        hung, reference = grader.grade_many([hangs, course.solutions])
    quick, slow, again = hung.checks
    assert quick.status == Status.TIMEOUT and f"within the check's {SCALED_FLOOR:g} s" in quick.message
    assert quick.duration_s < SCALED_FLOOR + 2, "the hang cost the floor, not the 10 s limit"
    assert slow.status == Status.TIMEOUT and 0.2 * SCALE <= slow.duration_s < 8, slow.message
    assert again.status == Status.TIMEOUT and "not run" in again.message
    assert reference.score == reference.max_score == 3, [c.message for c in reference.checks]


def test_the_grader_measures_the_students_own_process(tmp_path, monkeypatch):
    """The CPU time read while a call runs is the student's process's (the right pid, readable
    from the grader whatever uid the sandbox gave it): it grows as the call spins."""
    from autograder.runner import factory

    readings: list[tuple[int, float | None]] = []
    real = factory.cpu_time

    def spy(pid: int) -> float | None:
        readings.append((pid, real(pid)))
        return readings[-1][1]

    monkeypatch.setattr(factory, "cpu_time", spy)
    course = toy_course(tmp_path / "course", CPU_SOLUTION, CPU_CHECKS)
    submission = tmp_path / "submission"
    submission.mkdir()
    spin = "end = time.process_time() + 1.0\n    while time.process_time() < end:\n        pass\n    return 1"
    (submission / "toy.py").write_text(CPU_SOLUTION.replace("return 1", spin))
    with Grader(course) as grader:
        first, again = grader.grade(submission).checks
    assert first.passed and again.passed, (first.message, again.message)
    seen = [value for _, value in readings if value is not None]
    assert len({pid for pid, _ in readings}) >= 1 and seen, readings
    assert max(seen) - min(seen) >= 0.5, readings
