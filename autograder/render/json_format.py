"""The result as JSON: the model's own plain-data form, for scripts and CI."""

from __future__ import annotations

import json
from typing import TextIO

from autograder.result import Result

__all__ = ["render"]


def render(result: Result, out: TextIO) -> None:
    """Write `result` as one indented JSON object (UTF-8 text, not ASCII-escaped)."""
    json.dump(result.to_dict(), out, indent=2, ensure_ascii=False)
    out.write("\n")
