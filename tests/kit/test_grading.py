"""Grading a submission end to end: reference, stubs, broken submissions, determinism."""

from __future__ import annotations

import shutil
import zipfile

import pytest
from conftest import MAX_SCORE

from autograder.errors import CourseError, SubmissionError, UsageError
from autograder.grading import Grader
from autograder.result import Status

CORRECT_PADDING = None  # filled from the reference by the fixture below


@pytest.fixture(scope="module")
def reference_sources(course):
    return {p.name: p.read_text() for p in course.solutions.glob("*.py")}


def _without_times(result):
    data = result.to_dict()
    data.pop("duration_s")
    for exercise in data["exercises"]:
        for check in exercise["checks"]:
            check.pop("duration_s")
    return data


@pytest.mark.parametrize("which", ["grader", "inprocess_grader"])
def test_reference_solutions_score_full_marks(request, course, which):
    result = request.getfixturevalue(which).grade(course.solutions)
    assert result.max_score == MAX_SCORE and result.score == MAX_SCORE
    assert all(ex.max_score == 10 for ex in result.exercises)
    assert {c.status for c in result.checks} == {Status.PASSED}
    assert "cpu" in result.devices and "meta" in result.devices


def test_stubs_score_zero_and_every_check_is_not_attempted(grader, course):
    result = grader.grade(course.exercises_dir)
    assert result.score == 0 and result.max_score == MAX_SCORE
    assert {c.status for c in result.checks} == {Status.NOT_ATTEMPTED}
    # A stub's code raises NotImplementedError; a quiz's stub answers are the placeholder `...`.
    assert all("NotImplementedError" in c.message or "the stub's placeholder `...`" in c.message
               for c in result.checks)
    assert any("placeholder" in c.message for c in result.checks)


def test_grading_is_deterministic(grader, course):
    first = grader.grade(course.solutions, only=["param_list", "views"])
    second = grader.grade(course.solutions, only=["param_list", "views"])
    assert _without_times(first) == _without_times(second)


def test_missing_module_costs_only_its_checks(grader, write_submission, reference_sources):
    folder = write_submission({"padding.py": reference_sources["padding.py"]})
    result = grader.grade(folder, only=["mlp", "padding"])
    mlp, padding = result.exercises
    assert padding.score == 10
    assert mlp.score == 0 and {c.status for c in mlp.checks} == {Status.ERROR}
    assert "mlp.py is missing from the submission" in mlp.checks[0].message


def test_syntax_error_costs_only_its_checks(grader, write_submission, reference_sources):
    folder = write_submission({"mlp.py": "import torch\ndef broken(:\n    pass\n",
                               "views.py": reference_sources["views.py"]})
    result = grader.grade(folder, only=["mlp", "views"])
    mlp, views = result.exercises
    assert views.score == 10 and mlp.score == 0
    assert {c.status for c in mlp.checks} == {Status.ERROR}
    assert "SyntaxError" in mlp.checks[0].message and "mlp.py:2" in mlp.checks[0].message


def test_import_time_crash_costs_only_its_checks(grader, write_submission, reference_sources):
    folder = write_submission({"mlp.py": "import torch\nraise RuntimeError('boom at import')\n",
                               "padding.py": reference_sources["padding.py"]})
    result = grader.grade(folder, only=["mlp", "padding"])
    mlp, padding = result.exercises
    assert padding.score == 10 and mlp.score == 0
    assert "boom at import" in mlp.checks[0].message and "mlp.py:2" in mlp.checks[0].message


def test_hanging_function_times_out_and_the_rest_is_graded(grader, write_submission, reference_sources):
    hanging = reference_sources["views.py"].replace(
        "    return x.clone().reshape(shape)", "    while True:\n        pass")
    folder = write_submission({"views.py": hanging, "padding.py": reference_sources["padding.py"]})
    result = grader.grade(folder, only=["padding", "views"])
    padding, views = result.exercises
    assert padding.score == 10
    statuses = {c.id.split("::")[1]: c.status for c in views.checks}
    assert statuses["test_reshape_independent_copies"] == Status.TIMEOUT
    assert statuses["test_reshape_independent_keeps_autograd"] == Status.TIMEOUT
    assert statuses["test_reshape_shared_shares_memory"] == Status.PASSED
    assert statuses["test_to_scalar_python_types"] == Status.PASSED
    assert views.score == 10 - 3


def test_printed_output_is_kept_for_instructors(grader, write_submission, reference_sources):
    noisy = reference_sources["views.py"].replace(
        "    return x.clone().reshape(shape)", "    print('debug: copying', tuple(x.shape))\n    return x.view(shape)")
    result = grader.grade(write_submission({"views.py": noisy}), only=["views"])
    check = next(c for c in result.checks if c.id.endswith("test_reshape_independent_copies"))
    assert check.status == Status.FAILED and "debug: copying (24,)" in check.output


def test_zip_of_a_folder_and_a_single_file(grader, tmp_path, course):
    archive = tmp_path / "alice.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in course.solutions.glob("*.py"):
            zf.write(path, f"alice-submission/{path.name}")
    assert grader.grade(archive, only=["mlp", "device"]).score == 20
    assert grader.grade(course.solutions / "padding.py", only=["padding"]).score == 10


def test_submissions_that_cannot_be_opened(grader, tmp_path):
    with pytest.raises(SubmissionError, match="does not exist"):
        grader.grade(tmp_path / "nothing")
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(SubmissionError, match=r"not a directory, a \.zip, a \.py or an \.ipynb"):
        grader.grade(tmp_path / "notes.txt")
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    with pytest.raises(SubmissionError, match="not a readable zip"):
        grader.grade(tmp_path / "bad.zip")
    with pytest.raises(UsageError, match="unknown exercise"):
        grader.grade(tmp_path, only=["nope"])


def test_budget_stops_starting_checks(course, write_submission, reference_sources):
    slow = reference_sources["padding.py"].replace(
        "    out = (size", "    __import__('time').sleep(0.3)\n    out = (size")
    with Grader(course, runner="inprocess", budget=1.0) as grader:
        result = grader.grade(write_submission({"padding.py": slow}), only=["padding"])
    statuses = [c.status for c in result.checks]
    assert Status.TIMEOUT in statuses and statuses[-1] == Status.TIMEOUT
    assert "time budget" in result.checks[-1].message


def test_broken_check_file_is_a_course_error(tmp_path, course):
    for name in ("solutions", "exercises"):
        shutil.copytree(course.root / name, tmp_path / name)
    shutil.copytree(course.tests / "public", tmp_path / "tests" / "public")
    shutil.copytree(course.tests / "hidden", tmp_path / "tests" / "hidden")
    (tmp_path / "tests" / "hidden" / "test_mlp.py").write_text("import nonexistent_helper_module\n")
    with Grader(type(course)(tmp_path), runner="inprocess") as grader, \
            pytest.raises(CourseError, match=r"test_mlp\.py.*nonexistent_helper_module"):
        grader.grade(course.solutions, only=["mlp"])


def test_grade_many_grades_each_submission_as_grade_does(grader, course, write_submission, reference_sources,
                                                         tmp_path):
    hanging = reference_sources["views.py"].replace(
        "    return x.clone().reshape(shape)", "    while True:\n        pass")
    broken = write_submission({"views.py": hanging, "padding.py": "raise SystemExit(0)\n"})
    heard = []
    outcomes = grader.grade_many([course.solutions, tmp_path / "missing", broken, course.exercises_dir],
                                 only=["padding", "views"], on_graded=lambda path, outcome: heard.append(path))
    full, missing, hostile, stubs = outcomes
    assert heard == [course.solutions, tmp_path / "missing", broken, course.exercises_dir]
    assert full.score == full.max_score == 20 and full.submission == str(course.solutions)
    assert isinstance(missing, SubmissionError) and "does not exist" in str(missing)
    assert hostile.score == 7 and stubs.score == 0
    # One pytest session for all of them gives what separate sessions give.
    for path, outcome in ((course.solutions, full), (broken, hostile), (course.exercises_dir, stubs)):
        assert _without_times(outcome) == _without_times(grader.grade(path, only=["padding", "views"]))


def test_grade_many_callbacks_print_where_the_caller_prints(grader, course, capsys):
    grader.grade_many([course.solutions], only=["views"], on_graded=lambda path, outcome: print("graded", path.name))
    assert "graded solutions" in capsys.readouterr().out


def test_grade_many_reads_submissions_lazily(grader, course):
    seen = []

    def feed():
        for _ in range(2):
            seen.append(len(seen))
            yield course.solutions

    graded = []
    grader.grade_many(feed(), only=["device"], on_graded=lambda path, outcome: graded.append(len(seen)))
    assert graded == [1, 2]  # each result was out before the next submission was asked for


def test_an_interrupt_during_grade_many_reaches_the_caller(grader, course):
    def stop(path, outcome):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        grader.grade_many([course.solutions, course.solutions], only=["device"], on_graded=stop)
    assert grader.grade(course.solutions, only=["device"]).score == 10  # the grader still works


def test_checks_are_listed_without_grading(inprocess_grader):
    checks = inprocess_grader.checks(only=["views", "padding"])
    assert [c.exercise for c in checks] == sorted(c.exercise for c in checks), "in the order they run"
    assert sum(c.points for c in checks) == 20 and len({c.id for c in checks}) == len(checks)
    by_id = {c.id: c for c in checks}
    gated = by_id["hidden/test_views.py::test_to_scalar_rejects_many"]
    assert gated.visibility == "hidden" and gated.requires == ("hidden/test_views.py::test_to_scalar_python_types",)


def test_an_unreadable_notebook_is_an_error_for_its_submission_only(grader, tmp_path):
    from test_notebooks import notebook, write_notebooks

    good = write_notebooks(tmp_path / "alice", {"views": notebook("views"), "padding": notebook("padding")})
    empty = write_notebooks(tmp_path / "bob", {"views": b"", "padding": notebook("padding")})
    invalid = write_notebooks(tmp_path / "carol", {"views": '{"cells": [}'})
    heard = []
    outcomes = grader.grade_many([good, empty, invalid, good], only=["padding", "views"],
                                 on_graded=lambda path, outcome: heard.append(path))
    assert heard == [good, empty, invalid, good]
    first, bob, carol, last = outcomes
    assert first.score == last.score == 20
    assert isinstance(bob, SubmissionError) and str(bob) == "views.ipynb is empty, not a notebook"
    assert isinstance(carol, SubmissionError) and str(carol).startswith("views.ipynb is not valid JSON (line 1")
    assert "\n" not in str(carol)
