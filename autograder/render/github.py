"""The result for GitHub Actions: the job summary in Markdown and the notice GitHub Classroom reads.

In a workflow step, ``autograder grade SUBMISSION --format github`` does both: the Markdown (the
``markdown`` format's, one source for both) is appended to the file ``$GITHUB_STEP_SUMMARY`` names, and
standard output gets only the two workflow commands that ``classroom-resources/autograding-grading-reporter``
(``src/notify-classroom.js``) emits, which Classroom reads the score from::

    ::notice title=Autograding complete::Points 7/10
    ::notice title=Autograding report::{"totalPoints":7,"maxPoints":10}

Student text never reaches standard output there, so it cannot forge a workflow command. Outside
Actions (no ``$GITHUB_STEP_SUMMARY``) the Markdown comes first on the stream, then the notices.
"""

from __future__ import annotations

import json
import os
from typing import TextIO

from autograder.render import markdown
from autograder.result import Result, redact

__all__ = ["SUMMARY_VARIABLE", "notices", "render"]

#: The variable GitHub Actions sets to the file of the step's job summary.
SUMMARY_VARIABLE = "GITHUB_STEP_SUMMARY"


def _number(value: float) -> int | float:
    """A number as JavaScript prints it in the reporter's template string: 7, not 7.0."""
    return int(value) if float(value).is_integer() else float(value)


def _escape(text: str) -> str:
    """A workflow command's message escaped as ``@actions/core`` does (``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def notices(result: Result) -> str:
    """The Classroom notices as workflow-command lines; none when there are no points, as the reporter does."""
    if not result.max_score:
        return ""
    total, maximum = _number(result.score), _number(result.max_score)
    report = json.dumps({"totalPoints": total, "maxPoints": maximum}, separators=(",", ":"))
    return (f"::notice title=Autograding complete::{_escape(f'Points {total}/{maximum}')}\n"
            f"::notice title=Autograding report::{_escape(report)}\n")


def render(result: Result, out: TextIO, *, summary: str | None = None) -> None:
    """Write the job summary and the notices.

    Args:
        result: the grade.
        out: where the notices go (standard output, in a workflow step).
        summary: the job-summary file to append the Markdown to; by default ``$GITHUB_STEP_SUMMARY``,
            and ``""`` writes the Markdown to `out` before the notices.
    """
    result = redact(result, "student")
    path = os.environ.get(SUMMARY_VARIABLE, "") if summary is None else summary
    if path:
        with open(path, "a", encoding="utf-8") as file:
            markdown.render(result, file)
    else:
        markdown.render(result, out)
        out.write("\n")
    out.write(notices(result))
