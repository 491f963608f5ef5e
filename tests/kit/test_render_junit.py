"""The JUnit format: XML that CI test panels and junitparser read (render/junit.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter

import pytest
from junitparser import Error, Failure, JUnitXml, Properties, Skipped
from render_cases import assert_no_hidden_output, render

from autograder.result import CheckResult, ExerciseResult, Result, Status

#: What a status becomes in JUnit: CI panels know only these.
OUTCOME = {Status.PASSED: None, Status.FAILED: Failure, Status.ERROR: Error, Status.TIMEOUT: Error,
           Status.SKIPPED: Skipped, Status.NOT_ATTEMPTED: Skipped}


def parse(result: Result) -> JUnitXml:
    return JUnitXml.fromstring(render("junit", result).encode("utf-8"))


def properties(element) -> dict[str, str]:
    found = element.child(Properties)
    return {} if found is None else {p.name: p.value for p in found}


def expected_counts(checks: tuple[CheckResult, ...]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for check in checks:
        outcome = OUTCOME[check.status]
        counts["tests"] += len(check.devices)
        counter = {Failure: "failures", Error: "errors", Skipped: "skipped", None: "passed"}[outcome]
        counts[counter] += len(check.devices)
    return counts


def test_counts_match_the_result(case):
    name, result = case
    xml = parse(result)
    want = expected_counts(result.checks)
    assert (xml.tests, xml.failures, xml.errors, xml.skipped) == (
        want["tests"], want["failures"], want["errors"], want["skipped"])
    suites = list(xml)
    assert [suite.name for suite in suites] == [exercise.name for exercise in result.exercises]
    for suite, exercise in zip(suites, result.exercises, strict=True):
        want = expected_counts(exercise.checks)
        assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (
            want["tests"], want["failures"], want["errors"], want["skipped"])
        assert len(list(suite)) == want["tests"]
    if name == "reference":
        assert xml.failures == xml.errors == xml.skipped == 0
    if name == "stubs":
        assert xml.skipped == xml.tests  # not attempted: skipped, not failed


def test_one_testcase_per_check_and_device_with_the_models_message(case):
    _name, result = case
    for suite, exercise in zip(parse(result), result.exercises, strict=True):
        cases = list(suite)
        assert len({c.name for c in cases}) == len(cases), "GitLab keeps only the first of equal names"
        expanded = [(check, device) for check in exercise.checks for device in check.devices]
        for testcase, (check, device) in zip(cases, expanded, strict=True):
            assert testcase.classname == exercise.name and testcase.name.startswith(f"{check.name} [{device}]")
            outcome = OUTCOME[check.status]
            if outcome is None:
                assert testcase.is_passed and not testcase.result
            else:
                [element] = testcase.result
                assert type(element) is outcome
                assert element.message == check.message and element.type == str(check.status)
                assert not check.hint or f"hint: {check.hint}" in element.text


def test_properties_carry_the_points(case):
    _name, result = case
    earned: dict[str, float] = {}
    for suite, exercise in zip(parse(result), result.exercises, strict=True):
        totals = properties(suite)
        assert (float(totals["score"]), float(totals["max_score"])) == (exercise.score, exercise.max_score)
        by_id = {check.id: check for check in exercise.checks}
        for testcase in suite:
            props = properties(testcase)
            check = by_id[props["check"]]
            assert (float(props["points"]), float(props["max_points"])) == (check.score, check.max_score)
            assert props["device"] in check.devices and props["visibility"] == check.visibility
            earned[props["check"]] = float(props["points"])
    # A check on two devices has two testcases and earns its points once.
    assert sum(earned.values()) == pytest.approx(result.score)


def test_control_characters_from_student_output_are_removed():
    nasty = "\x1b[31mred\x1b[0m \x00nul \x07bell \x08bs \x0bvt \ufffe\uffff tab\tnewline\n done"
    check = CheckResult("public/test_x.py::test_y", f"name {nasty}", Status.FAILED, 0, 1, "public",
                        message=f"message {nasty}", hint=f"hint {nasty}", output=f"printed {nasty}")
    text = render("junit", Result(exercises=(ExerciseResult("x", f"title {nasty}", (check,)),)))
    ET.fromstring(text.encode("utf-8"))  # well-formed
    [testcase] = list(next(iter(JUnitXml.fromstring(text.encode("utf-8")))))
    assert testcase.system_out.startswith("printed red nul bell bs vt  tab\tnewline\n done")
    assert testcase.result[0].message.startswith("message red nul")
    for bad in "\x00\x07\x08\x0b\x1b\ufffe\uffff":
        assert bad not in text


def test_markup_in_messages_stays_text():
    check = CheckResult("hidden/test_x.py::test_y", "a <b> & \"c\"", Status.ERROR, 0, 1,
                        message="]]></error><injected/>", hint="<hint>")
    xml = parse(Result(exercises=(ExerciseResult("x", "", (check,)),)))
    [testcase] = list(next(iter(xml)))
    assert testcase.name == 'a <b> & "c" [cpu]' and testcase.result[0].message == "]]></error><injected/>"


def test_hidden_output_never_appears(case):
    assert_no_hidden_output("junit", case[1])
