"""The result as Gradescope's ``results.json`` (``gradescope/autograder_samples:docs/specs.md``)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from autograder.render._text import feedback, summary
from autograder.result import CheckResult, ExerciseResult, Result, redact

__all__ = ["VISIBILITY", "render", "results"]

#: Gradescope's visibility for each of the kit's. A hidden check's details wait until the grades are
#: published; never Gradescope's own ``hidden``, which keeps a test from students for good and, with
#: any such test, their total score too (specs.md, "Controlling Test Case Visibility").
VISIBILITY = {"public": "visible", "hidden": "after_published"}


def _output(check: CheckResult) -> str:
    parts = [feedback(check)] if feedback(check) else []
    if check.output:
        parts.append(f"your code printed:\n{check.output.rstrip()}")
    # Unix line endings only: Gradescope shows a "\r" as it is.
    return "\n\n".join(parts).replace("\r\n", "\n")


def _test(number: str, exercise: ExerciseResult, check: CheckResult) -> dict[str, Any]:
    return {
        "number": number,
        "name": f"{exercise.name}: {check.name}",
        "score": check.score,
        "max_score": check.max_score,
        # Without a status Gradescope calls a test passed iff score == max_score, which a 0-point check would be.
        "status": "passed" if check.passed else "failed",
        "output": _output(check),
        "visibility": VISIBILITY[check.visibility],
        "tags": [exercise.name],
        # Stored for instructors and scripts, never shown.
        "extra_data": {"id": check.id, "status": str(check.status),
                       "fault": None if check.fault is None else str(check.fault), "devices": list(check.devices)},
    }


def results(result: Result) -> dict[str, Any]:
    """The ``results.json`` object for `result`, as students may see it (hidden checks' output removed)."""
    result = redact(result, "student")
    tests = [_test(f"{i}.{j}", exercise, check)
             for i, exercise in enumerate(result.exercises, start=1)
             for j, check in enumerate(exercise.checks, start=1)]
    return {
        # A top-level score overrides the tests' sum (specs.md): it is that sum, added in the same order.
        "score": sum(test["score"] for test in tests),
        # A number of seconds (gradescope-utils writes a string; the spec says seconds).
        "execution_time": round(result.duration_s, 2),
        "output": summary(result),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        # The harness's captured stdout may hold anything the grading printed: instructors only.
        "stdout_visibility": "hidden",
        "extra_data": {"max_score": result.max_score, "unjudged": result.unjudged, "devices": list(result.devices),
                       "sandbox": result.sandbox.mode},
        "tests": tests,
    }


def render(result: Result, out: TextIO) -> None:
    """Write `result` as one JSON object and nothing else: the whole file in a single write."""
    out.write(json.dumps(results(result), indent=2, ensure_ascii=False) + "\n")
