"""The result model: totals, plain-data round trip, redaction."""

from __future__ import annotations

import json

import pytest

from autograder.result import CheckResult, ExerciseResult, Result, SandboxReport, Status, redact


def sample() -> Result:
    return Result(
        exercises=(
            ExerciseResult("mlp", "An MLP", (
                CheckResult("public/test_mlp.py::test_shape", "shape", Status.PASSED, 1, 1, "public"),
                CheckResult("hidden/test_mlp.py::test_values", "values", Status.FAILED, 0, 3, "hidden",
                            message="differs", hint="ReLU", devices=("cpu", "cuda"), output="secret input"),
            )),
            ExerciseResult("views", "Views", (
                CheckResult("hidden/test_views.py::test_t", "t", Status.TIMEOUT, 0, 2, "hidden", devices=("meta",)),
            )),
        ),
        submission="alice", duration_s=1.25,
        sandbox=SandboxReport("sandbox", ("uid 61000",), ()),
    )


def test_totals_and_devices():
    result = sample()
    assert (result.score, result.max_score) == (1, 6)
    assert result.percent == pytest.approx(100 / 6)
    assert result.exercises[0].passed == 1
    assert result.devices == ("cpu", "cuda", "meta")


def test_round_trip_through_json():
    result = sample()
    again = Result.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again == result


def test_json_fields_named_by_the_format():
    data = sample().to_dict()
    assert {"score", "max_score", "exercises", "devices", "duration_s"} <= set(data)
    check = data["exercises"][0]["checks"][1]
    assert {"id", "name", "status", "score", "max_score", "message", "devices"} <= set(check)
    assert check["status"] == "failed" and check["devices"] == ["cpu", "cuda"]


def test_student_redaction_drops_hidden_output_only():
    student = redact(sample(), "student")
    hidden = student.exercises[0].checks[1]
    assert hidden.output == "" and hidden.message == "differs" and hidden.hint == "ReLU"
    assert redact(sample(), "instructor") == sample()
    with pytest.raises(ValueError, match="audience"):
        redact(sample(), "everyone")  # type: ignore[arg-type]
