"""The PrairieLearn format: an external grader's results.json (render/prairielearn.py)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from render_cases import assert_no_hidden_output, graded, render, validate

from autograder.render import prairielearn
from autograder.result import ExerciseResult, Result


def test_results_match_the_schema_and_mirror_the_checks(case):
    _name, result = case
    data = json.loads(render("prairielearn", result))
    validate("prairielearn", data)
    assert data["gradable"] is True
    assert len(data["tests"]) == len(result.checks)
    for test, check in zip(data["tests"], result.checks, strict=True):
        # Points on every test, or PrairieLearn shows none of them.
        assert (test["points"], test["max_points"]) == (check.score, check.max_score)
        assert test["name"].endswith(f": {check.name}")
        if not check.passed:
            assert test["message"].startswith(check.message)
            assert not check.hint or f"hint: {check.hint}" in test["message"]


def test_score_is_a_fraction(case):
    name, result = case
    data = json.loads(render("prairielearn", result))
    assert 0 <= data["score"] <= 1
    assert data["score"] == pytest.approx(result.score / result.max_score)
    expected = {"reference": 1.0, "stubs": 0.0}.get(name)
    if expected is not None:
        assert data["score"] == expected
    elif name == "partly-wrong":
        assert 0 < data["score"] < 1


def test_nothing_to_grade_is_not_gradable():
    data = json.loads(render("prairielearn", Result()))
    validate("prairielearn", data)
    assert data["gradable"] is False and data["tests"] == []


def test_file_stays_under_one_megabyte(inprocess_grader, tmp_path_factory):
    result = graded(inprocess_grader, "reference", tmp_path_factory)
    flooded = replace(result, exercises=tuple(
        replace(ex, checks=tuple(replace(c, output="x" * 400_000) if c.visibility == "public" else c
                                 for c in ex.checks)) for ex in result.exercises))
    text = render("prairielearn", flooded)
    assert len(text.encode("utf-8")) <= prairielearn.LIMIT_BYTES
    data = json.loads(text)
    validate("prairielearn", data)
    assert data["score"] == 1.0 and all("cut: PrairieLearn" in t["output"] for t in data["tests"] if t["output"])
    assert [t["points"] for t in data["tests"]] == [c.score for c in result.checks]


def test_course_faults_are_said_in_the_message(inprocess_grader, tmp_path_factory):
    data = json.loads(render("prairielearn", graded(inprocess_grader, "sample", tmp_path_factory)))
    assert "1 check could not judge this submission" in data["message"]


def test_hidden_output_never_appears(case):
    assert_no_hidden_output("prairielearn", case[1])


def test_an_exercise_without_checks_is_not_gradable():
    data = json.loads(render("prairielearn", Result(exercises=(ExerciseResult("x"),))))
    validate("prairielearn", data)
    assert data["gradable"] is False
