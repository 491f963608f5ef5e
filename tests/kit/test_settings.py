"""The course's settings file, `autograder.toml`, and how a grader takes its time limits from it."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest
from conftest import toy_course

from autograder.catalog import DEFAULT_BUDGET, DEFAULT_TIME_LIMIT, SETTINGS_FILE, Course, Settings
from autograder.errors import CourseError, UsageError
from autograder.grading import Grader
from autograder.result import Status

SOLUTION = '''
"""A toy exercise."""


def double(n):
    ### BEGIN SOLUTION
    return n * 2
    ### END SOLUTION
'''

CHECKS = "".join(f'''
def test_double_{i}(student):
    """double, {i}"""
    assert student.toy.double({i}) == {2 * i}
''' for i in range(3))


@pytest.fixture
def toy(tmp_path: Path) -> Course:
    return toy_course(tmp_path / "course", SOLUTION, CHECKS)


def _settings(course: Course, text: str) -> Settings:
    (course.root / SETTINGS_FILE).write_text(text, encoding="utf-8")
    return course.settings()


def test_without_a_file_everything_is_the_default(toy, course):
    assert toy.settings() == Settings() == Settings(time_limit=DEFAULT_TIME_LIMIT, budget=DEFAULT_BUDGET)
    assert (DEFAULT_TIME_LIMIT, DEFAULT_BUDGET) == (10.0, 120.0)
    # This repository's course keeps the defaults.
    assert course.settings() == Settings()


def test_a_valid_file(toy):
    assert _settings(toy, "[grading]\ntime_limit = 2.5\nbudget = 60\n") == Settings(time_limit=2.5, budget=60.0)
    assert _settings(toy, "[grading]\nbudget = 30\n") == Settings(time_limit=DEFAULT_TIME_LIMIT, budget=30.0)
    assert _settings(toy, "# nothing set\n") == Settings()
    assert _settings(toy, "[grading]\nbudget = inf\n").budget is None  # TOML's infinity: no cap


@pytest.mark.parametrize(("text", "match"), [
    ("[grading]\ntime_limt = 3\n", r"unknown key 'time_limt' in \[grading\] \(known: time_limit, budget\)"),
    ("time_limit = 3\n", r"unknown key 'time_limit' \(the settings are time_limit, budget, in the table \[grading\]\)"),
    ("[grader]\nbudget = 3\n", r"unknown key 'grader'"),
    ("grading = 3\n", r"grading must be a table"),
])
def test_an_unknown_key_is_named_with_the_file(toy, text, match):
    with pytest.raises(CourseError, match=match) as raised:
        _settings(toy, text)
    assert str(raised.value).startswith(f"{toy.root / SETTINGS_FILE}: ")


@pytest.mark.parametrize(("text", "match"), [
    ("[grading]\ntime_limit = 0\n", r"time_limit must be a positive number of seconds, got 0"),
    ("[grading]\ntime_limit = -1.5\n", r"time_limit must be a positive number of seconds, got -1.5"),
    ("[grading]\ntime_limit = inf\n", r"time_limit must be a positive number of seconds, got inf"),
    ("[grading]\ntime_limit = nan\n", r"time_limit must be a positive number of seconds, got nan"),
    ("[grading]\ntime_limit = \"10\"\n", r"time_limit must be a positive number of seconds, got '10'"),
    ("[grading]\nbudget = true\n", r"budget must be a positive number of seconds \(or inf\), got True"),
    ("[grading]\nbudget = 0\n", r"budget must be a positive number of seconds \(or inf\), got 0"),
    ("[grading\nbudget = 1\n", r"cannot read the course's settings"),
])
def test_an_invalid_value_is_a_course_error(toy, text, match):
    with pytest.raises(CourseError, match=match) as raised:
        _settings(toy, text)
    assert str(raised.value).startswith(f"{toy.root / SETTINGS_FILE}: ")


def test_the_grader_takes_the_courses_settings_unless_told_otherwise(toy):
    _settings(toy, "[grading]\ntime_limit = 2.5\nbudget = 60\n")
    with Grader(toy, runner="inprocess") as grader:
        assert (grader.time_limit, grader.budget) == (2.5, 60.0)
    with Grader(toy, runner="inprocess", time_limit=1.0) as grader:
        assert (grader.time_limit, grader.budget) == (1.0, 60.0)
    with Grader(toy, runner="inprocess", budget=math.inf) as grader:  # no cap, whatever the course says
        assert (grader.time_limit, grader.budget) == (2.5, None)
    (toy.root / SETTINGS_FILE).unlink()
    with Grader(toy, runner="inprocess") as grader:
        assert (grader.time_limit, grader.budget) == (DEFAULT_TIME_LIMIT, DEFAULT_BUDGET)


def test_a_broken_settings_file_stops_the_grader_before_it_starts(toy):
    (toy.root / SETTINGS_FILE).write_text("[grading]\nbudgett = 60\n", encoding="utf-8")
    with pytest.raises(CourseError, match="unknown key 'budgett'"):
        Grader(toy, runner="inprocess")
    # Explicit values need nothing from the file.
    Grader(toy, runner="inprocess", time_limit=1.0, budget=1.0).close()


@pytest.mark.parametrize("options", [{"time_limit": 0.0}, {"time_limit": math.inf}, {"budget": -1.0},
                                     {"budget": math.nan}])
def test_explicit_values_must_be_positive(toy, options):
    with pytest.raises(UsageError, match="must be a positive number of seconds"):
        Grader(toy, runner="inprocess", **options)


def test_waiting_for_a_process_to_start_is_not_the_budget(toy):
    """A cold zygote (here: a factory that takes 0.6 s per process) must not spend an honest
    submission's budget."""
    with Grader(toy, runner="inprocess", budget=0.5) as grader:
        factory = grader.runner._factory
        start = factory.start

        def slow(*args, **kwargs):
            time.sleep(0.6)
            return start(*args, **kwargs)

        factory.start = slow  # type: ignore[method-assign]
        result = grader.grade(toy.solutions)
    assert [check.status for check in result.checks] == [Status.PASSED] * 3
    assert result.duration_s >= 0.6


@pytest.mark.parametrize("hidden", [False, True])
def test_the_settings_travel_with_the_course(toy, tmp_path, hidden):
    """The hand-out (`autograder check`) and the CI bundles grade with the course's own limits."""
    from autograder.bundle import copy_course

    text = "[grading]\ntime_limit = 2.5\n"
    (toy.root / SETTINGS_FILE).write_text(text, encoding="utf-8")
    copy_course(toy, tmp_path / "copy", hidden=hidden)
    assert (tmp_path / "copy" / SETTINGS_FILE).read_text(encoding="utf-8") == text
    assert Course(tmp_path / "copy").settings() == Settings(time_limit=2.5)
    (toy.root / SETTINGS_FILE).write_text("[grading]\ntime_limit = -1\n", encoding="utf-8")
    with pytest.raises(CourseError, match="time_limit must be a positive number"):
        copy_course(toy, tmp_path / "again", hidden=hidden)
