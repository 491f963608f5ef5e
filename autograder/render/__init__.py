"""Output formats. Each module renders a `Result` to a text stream and knows nothing else.

`RENDERERS` maps a format's name to its function; the command line offers exactly these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from autograder.render import github, gradescope, html, json_format, junit, markdown, prairielearn, table
from autograder.result import Result

__all__ = ["RENDERERS", "Renderer"]

Renderer = Callable[[Result, TextIO], None]

RENDERERS: dict[str, Renderer] = {
    "table": table.render,
    "json": json_format.render,
    "markdown": markdown.render,
    "gradescope": gradescope.render,
    "prairielearn": prairielearn.render,
    "junit": junit.render,
    "github": github.render,
    "html": html.render,
}
