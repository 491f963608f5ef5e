"""Every output format, pinned by a golden file (rewritten only by `python tests/kit/update_golden.py`)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from autograder.render import RENDERERS, table
from autograder.result import CheckResult, ExerciseResult, Fault, Result, SandboxReport, Status

GOLDEN = Path(__file__).parent / "golden"


def sample() -> Result:
    return Result(
        exercises=(
            ExerciseResult("mlp", "A multi-layer perceptron (多层感知机, MLP) with one hidden layer.", (
                CheckResult("public/test_mlp.py::test_output_shape", "a batch of 4 images gives 4 rows of 10 scores",
                            Status.PASSED, 1, 1, "public", duration_s=0.01),
                CheckResult("hidden/test_mlp.py::test_layers_called_in_order",
                            "hidden and output are called as modules", Status.FAILED, 0, 2, "hidden",
                            message="forward never called self.hidden as a module "
                                    "(the layers called were: act, output)",
                            hint="call each layer as self.hidden(x), not self.hidden.forward(x)",
                            fault=Fault.STUDENT, duration_s=0.02, output="shape torch.Size([2, 256])\n"),
                CheckResult("hidden/test_mlp.py::test_forward_matches_reference",
                            "forward gives the reference's output",
                            Status.TIMEOUT, 0, 3, "hidden", message="MLP(…)(tensor[1, 784]) did not finish within 10 s",
                            fault=Fault.STUDENT, devices=("cpu", "cuda"), duration_s=10.0),
                CheckResult("hidden/test_mlp.py::test_needs_data", "trains on the data set", Status.SKIPPED, 0, 1,
                            "hidden", message="skipped: the data set is not on this machine"),
            )),
            ExerciseResult("views", "Views, copies and scalars.", (
                CheckResult("public/test_views.py::test_to_scalar_float", "to_scalar gives a float",
                            Status.NOT_ATTEMPTED, 0, 1, "public", message="not attempted yet", fault=Fault.STUDENT),
                CheckResult("hidden/test_views.py::test_crash", "a crash", Status.ERROR, 0, 2, "hidden",
                            message="the submission's process was killed by a segmentation fault (SIGSEGV)",
                            fault=Fault.STUDENT, devices=("meta",)),
                CheckResult("hidden/test_views.py::test_broken", "a broken check", Status.ERROR, 0, 1, "hidden",
                            message="not judged (the course's fault, not yours): the check failed with KeyError: 'x'",
                            fault=Fault.COURSE),
            )),
        ),
        submission="alice.zip", duration_s=12.5,
        sandbox=SandboxReport("sandbox", ("uid 61000",), ("private /dev/shm (EPERM: Operation not permitted)",)),
    )


@pytest.fixture(autouse=True)
def _outside_github_actions(monkeypatch):
    # The github format appends to $GITHUB_STEP_SUMMARY when it is set: the golden file holds all of it.
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def _render(name: str) -> str:
    out = io.StringIO()
    if name == "table":
        table.render(sample(), out, width=100)
    else:
        RENDERERS[name](sample(), out)
    return out.getvalue()


def golden_file(name: str) -> Path:
    return GOLDEN / f"result.{name}.txt"


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_format_matches_its_golden_file(name):
    # Only compares: a test that rewrote its expectation could not fail (see update_golden.py).
    assert _render(name) == golden_file(name).read_text(encoding="utf-8")


def test_table_shows_reasons_hints_and_output_for_failures_only():
    text = _render("table")
    assert "forward never called self.hidden" in text and "hint: call each layer" in text
    assert "your code printed:" in text and "│ shape torch.Size([2, 256])" in text
    assert "Total 1 / 11" in text and "devices: cpu, cuda, meta" in text
    assert "1 check could not judge this submission" in text and "1 skipped" in text
    assert "isolation limits unavailable here: private /dev/shm" in text
    assert "\x1b[" not in text, "no colour codes when not writing to a terminal"


def test_json_is_the_models_plain_form():
    data = json.loads(_render("json"))
    assert data == json.loads(json.dumps(sample().to_dict()))
    assert Result.from_dict(data) == sample()


def test_markdown_cells_cannot_break_the_table_or_inject_html():
    evil = CheckResult("hidden/test_x.py::test_y", "a | b", Status.FAILED, 0, 1, message="<script>x</script>\n| y")
    out = io.StringIO()
    RENDERERS["markdown"](Result(exercises=(ExerciseResult("x", "", (evil,)),)), out)
    row = next(line for line in out.getvalue().splitlines() if line.startswith("| ❌"))
    assert "a \\| b" in row and "&lt;script&gt;" in row and "<script>" not in row and "<br>\\| y" in row
