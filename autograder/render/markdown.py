"""The result as GitHub-flavoured Markdown, from the package's `templates/result.md.j2`.

Meant for CI job summaries and merge-request comments: a summary table, then one table per
exercise with the reason and hint of each failure.
"""

from __future__ import annotations

from typing import TextIO

from jinja2 import Environment, PackageLoader, StrictUndefined

from autograder.render._text import unjudged
from autograder.result import Result, Status

__all__ = ["TEMPLATES", "render"]

#: The folder of the `autograder` package that holds the templates (package data: it ships in the wheel).
TEMPLATES = "templates"

_SYMBOLS = {
    Status.PASSED: "✅",
    Status.FAILED: "❌",
    Status.ERROR: "💥",
    Status.TIMEOUT: "⏱️",
    Status.NOT_ATTEMPTED: "⬜",
    Status.SKIPPED: "⏭️",
}


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell: no pipes or line breaks, no raw HTML."""
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
    return "<br>".join(line for line in escaped.splitlines() if line.strip()) or " "


def _environment() -> Environment:
    environment = Environment(loader=PackageLoader("autograder", TEMPLATES), undefined=StrictUndefined,
                              autoescape=False, keep_trailing_newline=True, trim_blocks=False)
    environment.filters["cell"] = _cell
    return environment


def render(result: Result, out: TextIO) -> None:
    """Write `result` as Markdown."""
    template = _environment().get_template("result.md.j2")
    out.write(template.render(result=result, symbols=_SYMBOLS, unjudged=unjudged(result)))
