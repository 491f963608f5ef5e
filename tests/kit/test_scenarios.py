"""Scenario folders, graded end to end in the sandbox.

Each ``scenarios/<name>/`` holds ``submission/`` (the student's modules) and ``expected.json``:

* ``"kind": "correct"`` — an answer written differently from the reference: full marks;
* ``"kind": "wrong"`` — a named mistake: every check in ``"loses"`` scores 0;
* ``"kind": "hostile"`` — an attack: exactly ``"score"`` points (what its honest work earns), and
  each check in ``"statuses"`` ends with that status.

``"exercises"`` lists the exercises graded (``--only``). ``"needs_full_sandbox"`` skips a scenario
where the sandbox lacks root. ``"known_limitation"`` marks an attack that still wins, with the
reason (README, "Security model"): it runs as a strict expected failure, so a fix is noticed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import full_sandbox

from autograder.result import Status

SCENARIOS = Path(__file__).parent / "scenarios"


def _load(kind: str) -> list[pytest.param]:
    found = []
    for folder in sorted(SCENARIOS.iterdir()) if SCENARIOS.is_dir() else []:
        spec = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
        if spec["kind"] == kind:
            marks = []
            if spec.get("needs_full_sandbox"):
                marks.append(pytest.mark.skipif(not full_sandbox(), reason="needs the full sandbox"))
            if spec.get("known_limitation"):
                marks.append(pytest.mark.xfail(strict=True, reason=f"known limitation: {spec['known_limitation']}"))
            found.append(pytest.param(folder, spec, id=folder.name, marks=marks))
    return found


def _grade(grader, folder: Path, spec: dict):
    return grader.grade(folder / "submission", only=spec["exercises"], label=folder.name)


@pytest.mark.parametrize(("folder", "spec"), _load("correct"))
def test_correct_answer_scores_full(grader, folder, spec):
    result = _grade(grader, folder, spec)
    lost = [(c.id, str(c.status), c.message) for c in result.checks if not c.passed]
    assert result.score == result.max_score, f"{spec['description']}: lost {lost}"


@pytest.mark.parametrize(("folder", "spec"), _load("wrong"))
def test_wrong_answer_loses_points_where_meant(grader, folder, spec):
    result = _grade(grader, folder, spec)
    checks = {c.id: c for c in result.checks}
    assert spec["loses"], "a wrong-answer scenario must name the checks meant to catch it"
    for check_id in spec["loses"]:
        assert check_id in checks, f"{check_id} is not a check of {spec['exercises']}"
        assert checks[check_id].score == 0, f"{spec['description']}: {check_id} passed"
        assert checks[check_id].message, "a failed check must say why"
    assert result.score < result.max_score


@pytest.mark.parametrize(("folder", "spec"), _load("hostile"))
def test_hostile_submission_gains_nothing(grader, folder, spec):
    result = _grade(grader, folder, spec)
    statuses = {c.id: c.status for c in result.checks}
    outcome = [(c.id, str(c.status), c.message) for c in result.checks]
    assert result.score == spec["score"], f"{spec['description']}: {outcome}"
    for check_id, status in spec.get("statuses", {}).items():
        assert statuses[check_id] == Status(status), f"{check_id}: {statuses[check_id]}"


@pytest.mark.parametrize(("folder", "spec"), _load("correct") + _load("wrong"))
def test_inprocess_runner_agrees_with_the_sandbox(grader, inprocess_grader, folder, spec):
    """The unprotected runner is the sandbox's stand-in for debugging: same outcome, check by check."""
    sandboxed = _grade(grader, folder, spec)
    local = _grade(inprocess_grader, folder, spec)
    assert [(c.id, c.status, c.score) for c in local.checks] == [(c.id, c.status, c.score) for c in sandboxed.checks]
