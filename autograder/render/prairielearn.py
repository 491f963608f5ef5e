"""The result as PrairieLearn's external-grader results.json (PrairieLearn/PrairieLearn:docs/externalGrading.md)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from autograder.render._text import feedback, points, summary
from autograder.result import Result, redact

__all__ = ["LIMIT_BYTES", "render", "results"]

#: PrairieLearn limits the file to 1 MB; what it cannot hold is cut from the checks' printed output.
LIMIT_BYTES = 1_000_000
_CUT = "\n… (cut: PrairieLearn's results.json is limited to 1 MB)"


def results(result: Result, *, limit_bytes: int = LIMIT_BYTES) -> dict[str, Any]:
    """The ``results.json`` object for `result`, as students may see it, within `limit_bytes`."""
    result = redact(result, "student")
    # Every test carries points and max_points: one without them turns the per-test view off for all.
    tests = [{
        "name": f"{exercise.name}: {check.name}",
        "description": exercise.title,
        "points": check.score,
        "max_points": check.max_score,
        "message": feedback(check),
        "output": check.output,
    } for exercise in result.exercises for check in exercise.checks]
    overview = "\n".join(f"{exercise.name}: {points(exercise.score)} / {points(exercise.max_score)} points, "
                         f"{exercise.passed} / {len(exercise.checks)} checks passed" for exercise in result.exercises)
    data: dict[str, Any] = {
        # Not gradable ("no points awarded or lost, no attempt used") only when no check ran at all.
        "gradable": bool(tests),
        "score": min(1.0, max(0.0, result.score / result.max_score)) if result.max_score else 0.0,
        "max_points": result.max_score,
        "message": summary(result) if tests else "no check could run on this submission",
        "output": overview,
        "tests": tests,
    }
    return _fit(data, limit_bytes)


def _size(data: dict[str, Any]) -> int:
    return len(_dumps(data).encode("utf-8"))


def _fit(data: dict[str, Any], limit_bytes: int) -> dict[str, Any]:
    """Cut the longest outputs first until the file fits (messages and points are never cut)."""
    excess = _size(data) - limit_bytes
    if excess <= 0:
        return data
    tests = data["tests"]
    cap = max((len(test["output"]) for test in tests), default=0)
    while excess > 0 and cap > 0:
        cap //= 2
        for test in tests:
            if len(test["output"]) > cap:
                test["output"] = test["output"][:cap] + _CUT
        excess = _size(data) - limit_bytes
    return data


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render(result: Result, out: TextIO) -> None:
    """Write `result` as one JSON object."""
    out.write(_dumps(results(result)))
