"""Scenario folders, graded end to end in the sandbox.

Each ``scenarios/<name>/`` holds ``submission/`` (the student's modules) and ``expected.json``::

    {"description": "what the submission does", "kind": "wrong", "exercises": ["device"],
     "needs_full_sandbox": false, "max_score": 10,
     "checks": {"public/test_device.py::test_default_device_matches_machine": "passed",
                "hidden/test_device.py::test_to_device_keeps_container_types": "failed", ...}}

``"exercises"`` are the exercises graded (``--only``), ``"max_score"`` their maximum, and
``"checks"`` pins the outcome of *every* check of them: its status, plus whose fault an error or
a time-out is (``"error:student"``, ``"timeout:student"``, ``"error:course"``). Where a hostile
submission races the grader by design, a pin may list the outcomes it can end with
(``"failed|error:student"``). The kinds:

* ``"correct"`` — an answer written differently from the reference: every check passes;
* ``"wrong"`` — a named mistake: at least one check does not pass;
* ``"constant"`` — computes nothing (constants of the right type and shape, its input returned
  as it came): 0 points. Every exercise has one;
* ``"hostile"`` — an attack: each check ends as its honest work deserves.

``"needs_full_sandbox"`` skips a scenario where the sandbox lacks root. ``"known_limitation"``
marks an attack that still wins (README, "Security model"): ``{"reason": "...", "forged":
{"<check id>": "passed"}}`` says those checks end forged instead of their honest pin while every
other check matches its pin. When a forgery stops working the test fails, so the fix is noticed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import full_sandbox

from autograder.result import CheckResult, Fault, Status

SCENARIOS = Path(__file__).parent / "scenarios"
KINDS = ("correct", "wrong", "constant", "hostile")
#: the fault a check that ends this way always has (a pin names the fault only where it can differ)
NATURAL_FAULT = {Status.PASSED: None, Status.SKIPPED: None, Status.FAILED: Fault.STUDENT,
                 Status.NOT_ATTEMPTED: Fault.STUDENT}


def load_scenarios() -> list[tuple[Path, dict]]:
    return [(folder, json.loads((folder / "expected.json").read_text(encoding="utf-8")))
            for folder in sorted(SCENARIOS.iterdir()) if folder.is_dir()]


def scenario_params(*kinds: str) -> list[pytest.param]:
    """The scenarios of these kinds, as test parameters (folder, spec) named after their folder."""
    found = []
    for folder, spec in load_scenarios():
        if spec["kind"] in kinds:
            marks = [pytest.mark.skipif(not full_sandbox(), reason="needs the full sandbox")] \
                if spec.get("needs_full_sandbox") else []
            found.append(pytest.param(folder, spec, id=folder.name, marks=marks))
    return found


def grade_scenario(grader, folder: Path, spec: dict):
    return grader.grade(folder / "submission", only=spec["exercises"], label=folder.name)


def outcome(check: CheckResult) -> str:
    """A check's outcome as expected.json pins it: "failed", "error:student", "timeout:course", …"""
    if check.status in (Status.ERROR, Status.TIMEOUT) or check.fault != NATURAL_FAULT.get(check.status):
        return f"{check.status}:{check.fault}"
    return str(check.status)


def _outcomes(pin: str) -> set[str]:
    return set(pin.split("|"))


def _valid_outcome(text: str) -> bool:
    status, _, fault = text.partition(":")
    if status not in {str(s) for s in Status}:
        return False
    if Status(status) in (Status.ERROR, Status.TIMEOUT):
        return fault in {str(f) for f in Fault}
    return fault == "" or fault in {str(f) for f in Fault}


# --------------------------------------------------------------------------- the pins themselves


@pytest.mark.parametrize(("folder", "spec"), [pytest.param(f, s, id=f.name) for f, s in load_scenarios()])
def test_expectation_is_well_formed(folder, spec):
    """Every expected.json says what it pins in the one format, and its pins fit its kind."""
    assert (folder / "submission").is_dir(), f"{folder.name} has no submission/"
    assert spec.get("description"), f"{folder.name}: say what the submission does"
    assert spec.get("kind") in KINDS, f"{folder.name}: kind must be one of {KINDS}, not {spec.get('kind')!r}"
    assert spec.get("exercises"), f"{folder.name}: name the exercises graded"
    assert isinstance(spec.get("needs_full_sandbox"), bool), f"{folder.name}: needs_full_sandbox must be true or false"
    assert isinstance(spec.get("max_score"), (int, float)) and spec["max_score"] > 0, f"{folder.name}: pin max_score"
    pins = spec.get("checks")
    assert isinstance(pins, dict) and pins, f"{folder.name}: pin the outcome of every check in \"checks\""
    stale = set(spec) - {"description", "kind", "exercises", "needs_full_sandbox", "max_score", "checks",
                         "known_limitation"}
    assert not stale, f"{folder.name}: {sorted(stale)} belong to the old format (the checks' pins replace them)"
    for check_id, pin in pins.items():
        assert all(_valid_outcome(o) for o in _outcomes(pin)), f"{folder.name}: {check_id}: {pin!r} is no outcome"
        assert "|" not in pin or spec["kind"] == "hostile", \
            f"{folder.name}: {check_id}: only a hostile scenario that races the grader may pin several outcomes"
    honest = [pin for pin in pins.values() if pin != "passed"]
    if spec["kind"] == "correct":
        assert not honest, f"{folder.name}: a correct answer passes every check"
    if spec["kind"] == "wrong":
        assert honest, f"{folder.name}: a wrong answer must lose at least one check"
    if spec["kind"] == "constant":
        assert len(honest) == len(pins), f"{folder.name}: a submission that computes nothing passes no check"
    limitation = spec.get("known_limitation")
    if limitation is not None:
        assert spec["kind"] == "hostile", f"{folder.name}: only an attack has a known limitation"
        assert limitation.get("reason") and limitation.get("forged"), \
            f"{folder.name}: known_limitation is {{\"reason\": ..., \"forged\": {{check id: outcome}}}}"
        for check_id, forged in limitation["forged"].items():
            assert check_id in pins, f"{folder.name}: the forged {check_id} has no honest pin in \"checks\""
            assert _valid_outcome(forged) and forged not in _outcomes(pins[check_id]), \
                f"{folder.name}: {check_id} ends {forged!r} forged, which must differ from its honest pin"


def test_every_exercise_has_a_constant_scenario(course):
    """A submission that computes nothing must score 0 on every exercise, present and future."""
    covered = {spec["exercises"][0] for _, spec in load_scenarios()
               if spec["kind"] == "constant" and len(spec["exercises"]) == 1}
    missing = [exercise.name for exercise in course.exercises() if exercise.name not in covered]
    assert not missing, (
        f"no constant scenario for {', '.join(missing)}: add scenarios/<exercise>-constant/ whose submission "
        "returns right-typed, right-shaped constants (or its input unchanged) and raises nothing, with "
        "\"kind\": \"constant\" and \"exercises\": [<exercise>]")


# --------------------------------------------------------------------------- grading them


@pytest.mark.parametrize(("folder", "spec"), scenario_params(*KINDS))
def test_every_check_ends_as_pinned(grader, folder, spec):
    result = grade_scenario(grader, folder, spec)
    got = {check.id: outcome(check) for check in result.checks}
    pins = spec["checks"]
    assert got, f"{folder.name}: no checks were collected for {spec['exercises']}"
    missing, extra = sorted(pins.keys() - got.keys()), sorted(got.keys() - pins.keys())
    assert not missing and not extra, (f"{folder.name}: the pins do not match the checks collected: pinned but not "
                                       f"collected {missing}, collected but not pinned {extra}")
    assert result.max_score == spec["max_score"], f"{folder.name}: max_score is {result.max_score}"

    forged = (spec.get("known_limitation") or {}).get("forged", {})
    messages = {check.id: check.message for check in result.checks}
    differ = [f"{check_id}: pinned {pins[check_id]}, ended {got[check_id]} ({messages[check_id]})"
              for check_id in pins if check_id not in forged and got[check_id] not in _outcomes(pins[check_id])]
    assert not differ, f"{folder.name} ({spec['description']}):\n  " + "\n  ".join(differ)
    for check_id, wanted in forged.items():
        if got[check_id] in _outcomes(pins[check_id]):
            pytest.fail(f"{folder.name}: the known limitation is fixed: {check_id} now ends {got[check_id]}, its "
                        f"honest outcome, instead of the forged {wanted}. Remove \"known_limitation\" from "
                        f"{folder.name}/expected.json (and update the README's \"Security model\")")
        assert got[check_id] == wanted, \
            f"{folder.name}: {check_id} ended {got[check_id]}, neither forged ({wanted}) nor honest ({pins[check_id]})"

    unexplained = [check.id for check in result.checks if not check.passed and not check.message]
    assert not unexplained, f"{folder.name}: a check that does not pass must say why: {unexplained}"
    if spec["kind"] == "constant":
        assert result.score == 0, f"{folder.name}: a submission that computes nothing scored {result.score}"
    if spec["kind"] == "correct":
        assert result.score == result.max_score


@pytest.mark.parametrize(("folder", "spec"), scenario_params("correct", "wrong", "constant"))
def test_inprocess_runner_agrees_with_the_sandbox(grader, inprocess_grader, folder, spec):
    """The unprotected runner is the sandbox's stand-in for debugging: same outcome, check by check."""
    sandboxed = grade_scenario(grader, folder, spec)
    local = grade_scenario(inprocess_grader, folder, spec)
    assert [(c.id, c.status, c.score) for c in local.checks] == [(c.id, c.status, c.score) for c in sandboxed.checks]
