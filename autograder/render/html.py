"""The result as a self-contained HTML feedback page, from the package's ``templates/result.html.j2``.

One file with its CSS inline and nothing to fetch: it opens from disk without a server, and its
Content-Security-Policy forbids scripts and outside resources. Everything from the model is escaped
(student output and messages are untrusted), and hidden checks show only what students may see.
"""

from __future__ import annotations

from typing import TextIO

from jinja2 import Environment, PackageLoader, StrictUndefined

from autograder.render._text import points, printable, unjudged
from autograder.render.markdown import TEMPLATES
from autograder.result import Fault, Result, Status, redact

__all__ = ["environment", "render"]

#: Status as the page writes it: a symbol and a word.
_LABELS = {
    Status.PASSED: ("✓", "passed"),
    Status.FAILED: ("✗", "failed"),
    Status.ERROR: ("!", "error"),
    Status.TIMEOUT: ("⌛", "timed out"),
    Status.NOT_ATTEMPTED: ("·", "not attempted"),
    Status.SKIPPED: ("»", "skipped"),
}


def environment() -> Environment:
    """The jinja2 environment of the kit's HTML pages (this feedback page, the class report)."""
    # autoescape on for every template: nothing from the model is trusted markup.
    environment = Environment(loader=PackageLoader("autograder", TEMPLATES), undefined=StrictUndefined,
                              autoescape=True, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    environment.filters["points"] = points
    environment.filters["printable"] = printable
    return environment


def _level(score: float, max_score: float) -> str:
    if max_score and score >= max_score:
        return "full"
    return "partial" if score > 0 else "zero"


def render(result: Result, out: TextIO) -> None:
    """Write `result` as one HTML page, as students may see it (hidden checks' output removed)."""
    result = redact(result, "student")
    template = environment().get_template("result.html.j2")
    out.write(template.render(result=result, labels=_LABELS, unjudged=unjudged(result), level=_level,
                              course_fault=Fault.COURSE, passed=Status.PASSED))
