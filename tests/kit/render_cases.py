"""What the format tests render: this repository's course graded three ways, and the hand-made sample.

Shared by tests/kit/test_render_*.py (not a test module itself). Results are graded once per
session with the in-process grader, whichever test file asks first.
"""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import RENDER_CASES, ROOT
from jsonschema import Draft202012Validator, FormatChecker
from test_render import sample

from autograder.grading import Grader
from autograder.render import RENDERERS, github
from autograder.result import CheckResult, Result

SCHEMAS = Path(__file__).parent / "schemas"
CASES = RENDER_CASES
#: Formats a student (or anyone with the student's repository) may read.
STUDENT_FACING = ("gradescope", "prairielearn", "junit", "github", "html")
HIDDEN_MARK = "HIDDEN-CHECK-PRINTED"
PUBLIC_MARK = "PUBLIC-CHECK-PRINTED"

_graded: dict[str, Result] = {}


def _partly_wrong(folder: Path) -> Path:
    """The reference, except: alexnet calls its layers' forward (a failure in the first exercise puts one
    in the browser's screenshot), batching adds the wrong dimension, mlp forgets its ReLU, views is the
    untouched stub, device.py is missing."""
    folder.mkdir(parents=True, exist_ok=True)
    for module in (ROOT / "solutions").glob("*.py"):
        shutil.copy(module, folder / module.name)
    for scenario, module in (("alexnet-wrong-forward-calls", "alexnet"), ("batching-wrong-unsqueeze-1", "batching"),
                             ("mlp-wrong-missing-relu", "mlp")):
        shutil.copy(ROOT / f"tests/kit/scenarios/{scenario}/submission/{module}.py", folder / f"{module}.py")
    shutil.copy(ROOT / "exercises/views.py", folder / "views.py")
    (folder / "device.py").unlink()
    return folder


def graded(grader: Grader, case: str, tmp_path_factory: pytest.TempPathFactory) -> Result:
    """The result of grading `case` (one of `CASES`), or ``"sample"`` for test_render's sample."""
    if case == "sample":
        return sample()
    if case not in _graded:
        folder = {"reference": ROOT / "solutions", "stubs": ROOT / "exercises"}.get(case)
        if folder is None:
            folder = _partly_wrong(tmp_path_factory.mktemp("partly-wrong") / "submission")
        _graded[case] = grader.grade(folder)
    return _graded[case]


def render(name: str, result: Result) -> str:
    """`result` in format `name`, everything on one stream (GitHub's job summary included)."""
    out = io.StringIO()
    if name == "github":
        github.render(result, out, summary="")
    else:
        RENDERERS[name](result, out)
    return out.getvalue()


def validate(schema: str, data: Any) -> None:
    """Fail with every violation when `data` does not match ``schemas/<schema>.schema.json``."""
    validator = Draft202012Validator(json.loads((SCHEMAS / f"{schema}.schema.json").read_text(encoding="utf-8")),
                                     format_checker=FormatChecker())
    errors = [f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
              for error in validator.iter_errors(data)]
    assert not errors, "\n".join(errors)


def with_output(result: Result) -> Result:
    """`result` as an instructor has it, each check having printed a mark that says whether it is hidden."""
    def marked(check: CheckResult) -> CheckResult:
        mark = HIDDEN_MARK if check.visibility == "hidden" else PUBLIC_MARK
        return replace(check, output=f"{mark} in {check.id}\n")

    return replace(result, exercises=tuple(replace(ex, checks=tuple(marked(c) for c in ex.checks))
                                           for ex in result.exercises))


def assert_no_hidden_output(name: str, result: Result) -> None:
    """Format `name` shows what public checks printed and nothing hidden checks printed."""
    text = render(name, with_output(result))
    assert HIDDEN_MARK not in text, f"{name} shows what student code printed during a hidden check"
    if name != "github":  # the Markdown summary shows no printed output at all
        assert PUBLIC_MARK in text
