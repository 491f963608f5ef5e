"""The GitHub format: the job summary and the notice GitHub Classroom reads (render/github.py)."""

from __future__ import annotations

import io

from render_cases import assert_no_hidden_output, render

from autograder.render import RENDERERS, github, markdown
from autograder.result import CheckResult, ExerciseResult, Result, Status, redact


def _markdown(result: Result) -> str:
    out = io.StringIO()
    markdown.render(redact(result, "student"), out)
    return out.getvalue()


def test_notice_is_the_reporters_exactly(case):
    name, result = case
    lines = render("github", result).splitlines()
    total = f"{result.score:g}"
    maximum = f"{result.max_score:g}"
    # classroom-resources/autograding-grading-reporter, src/notify-classroom.js: core.notice(text, {title}).
    assert lines[-2:] == [f"::notice title=Autograding complete::Points {total}/{maximum}",
                          f'::notice title=Autograding report::{{"totalPoints":{total},"maxPoints":{maximum}}}']
    if name == "reference":
        assert lines[-2] == f"::notice title=Autograding complete::Points {maximum}/{maximum}"
    if name == "stubs":
        assert lines[-2] == f"::notice title=Autograding complete::Points 0/{maximum}"


def test_fractional_points_are_written_as_javascript_does():
    result = Result(exercises=(ExerciseResult("x", "", (
        CheckResult("a", "a", Status.PASSED, 1.5, 1.5), CheckResult("b", "b", Status.PASSED, 6.0, 6.0),
        CheckResult("c", "c", Status.FAILED, 0.0, 2.5))),))
    assert github.notices(result) == ('::notice title=Autograding complete::Points 7.5/10\n'
                                      '::notice title=Autograding report::{"totalPoints":7.5,"maxPoints":10}\n')


def test_in_a_workflow_stdout_gets_only_the_notices(case, tmp_path, monkeypatch):
    _name, result = case
    summary = tmp_path / "step_summary"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = io.StringIO()
    RENDERERS["github"](result, out)  # as the command line calls it
    assert out.getvalue() == github.notices(result)
    # One source for the Markdown: the markdown format's, appended after what earlier steps wrote.
    assert summary.read_text(encoding="utf-8") == "earlier step\n" + _markdown(result)


def test_outside_a_workflow_the_summary_comes_first(case, monkeypatch):
    _name, result = case
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    out = io.StringIO()
    RENDERERS["github"](result, out)
    assert out.getvalue() == _markdown(result) + "\n" + github.notices(result)


def test_student_text_cannot_forge_a_workflow_command(monkeypatch):
    forged = "\n::notice title=Autograding complete::Points 99/99\n::error::x"
    check = CheckResult("public/test_x.py::test_y", f"name{forged}", Status.FAILED, 0, 1, "public",
                        message=f"message{forged}", hint=f"hint{forged}", output=f"printed{forged}")
    result = Result(exercises=(ExerciseResult("x", "", (check,)),))
    commands = [line for line in render("github", result).splitlines() if line.startswith("::")]
    assert commands == github.notices(result).splitlines()
    assert commands[0].endswith("Points 0/1")


def test_no_points_no_notice():
    assert github.notices(Result()) == ""


def test_hidden_output_never_appears(case):
    assert_no_hidden_output("github", case[1])
