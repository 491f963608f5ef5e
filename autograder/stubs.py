"""The single solution-marker stripper.

A solution module marks the student's part with nbgrader's markers::

    def area(width, height):
        ### BEGIN SOLUTION
        return width * height
        ### END SOLUTION

`strip_solutions` replaces each region with a stub that raises `NotImplementedError`, keeps the
indentation of the BEGIN marker and leaves every other line as it is. A region made of a dict's
entries (a quiz's answers) keeps its keys instead, each value the placeholder ``...``, so that the
stub imports and each unanswered question is not attempted on its own::

    ANSWERS = {
        # 1. How many hidden layers has a 784-256-10 MLP? (an int)
        ### BEGIN SOLUTION
        "hidden_layers": 1,
        ### END SOLUTION
    }

The student exercises, the hand-out and nbgrader's release notebooks are all made by this one
function.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from autograder.catalog import is_exercise_module
from autograder.errors import CourseError

__all__ = ["BEGIN", "END", "PLACEHOLDER", "StubReport", "answer_keys", "solution_regions", "strip_solutions",
           "write_stubs"]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
#: What an answer's value is in a stub: an unanswered question.
PLACEHOLDER = "..."
_DEF = re.compile(r"^(\s*)(?:async\s+)?def\s+(\w+)|^(\s*)class\s+(\w+)")


def solution_regions(source: str, *, filename: str = "<solution>") -> list[tuple[int, int]]:
    """The (BEGIN line, END line) of every solution region of `source`, 1-based, in order.

    Raises:
        CourseError: a marker is unbalanced, nested, or a file has no region at all.
    """
    regions: list[tuple[int, int]] = []
    begin_line = 0
    for number, line in enumerate(source.splitlines(), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if begin_line:
                raise CourseError(f"{filename}:{number}: solution regions cannot nest")
            begin_line = number
        elif marker == END:
            if not begin_line:
                raise CourseError(f"{filename}:{number}: {END} without {BEGIN}")
            regions.append((begin_line, number))
            begin_line = 0
    if begin_line:
        raise CourseError(f"{filename}:{begin_line}: {BEGIN} is never closed")
    if not regions:
        raise CourseError(f"{filename}: no {BEGIN} region, so students would have nothing to write")
    return regions


def answer_keys(region: str) -> list[str] | None:
    """The source text of each key when the lines of a region are a dict's entries
    (``"key": value,`` and comments), else None."""
    body = textwrap.dedent(region)
    if not body.strip():
        return None
    try:
        tree = ast.parse("{\n" + body + "\n}", mode="eval")
    except (SyntaxError, ValueError):
        return None
    if not isinstance(tree.body, ast.Dict) or not tree.body.keys or None in tree.body.keys:
        return None
    text = "{\n" + body + "\n}"
    return [ast.get_source_segment(text, key) or "" for key in tree.body.keys if key is not None]


def strip_solutions(source: str, *, filename: str = "<solution>") -> str:
    """Return `source` with every solution region replaced by a `raise NotImplementedError` stub
    (or, for a region of dict entries, by its keys with placeholder values).

    Raises:
        CourseError: a marker is unbalanced, nested, or a file has no region at all.
    """
    regions = iter(solution_regions(source, filename=filename))
    region = next(regions, None)
    out: list[str] = []
    scope: list[tuple[int, str]] = []  # (indent, name) of enclosing defs/classes, for the hint
    lines = source.splitlines(keepends=True)
    for number, line in enumerate(lines, start=1):
        if region is not None and region[0] <= number <= region[1]:
            if number == region[0]:
                indent = line[: len(line) - len(line.lstrip())]
                keys = answer_keys("".join(lines[region[0]:region[1] - 1]))
                if keys is not None:
                    out.extend(f"{indent}{key}: {PLACEHOLDER},  # YOUR ANSWER HERE\n" for key in keys)
                else:
                    out.append(f"{indent}# YOUR CODE HERE\n")
                    out.append(f'{indent}raise NotImplementedError("{_hint(scope, len(indent))}")\n')
            if number == region[1]:
                region = next(regions, None)
            continue
        _track_scope(scope, line)
        out.append(line)
    return "".join(out)


def _track_scope(scope: list[tuple[int, str]], line: str) -> None:
    match = _DEF.match(line)
    if not match:
        return
    indent = len(match.group(1) if match.group(1) is not None else match.group(3))
    name = match.group(2) or match.group(4)
    while scope and scope[-1][0] >= indent:
        scope.pop()
    scope.append((indent, name))


def _hint(scope: list[tuple[int, str]], indent: int) -> str:
    names = [name for level, name in scope if level < indent]
    return f"complete {'.'.join(names)}" if names else "complete this part"


@dataclass(frozen=True, slots=True)
class StubReport:
    """What `write_stubs` did or, with `check=True`, would do."""

    #: exercise files whose stub differs from what is on disk (or is missing)
    stale: tuple[str, ...]
    #: exercise files in the exercises directory that have no solution
    orphans: tuple[str, ...]


def write_stubs(solutions: Path, exercises: Path, *, check: bool = False) -> StubReport:
    """Generate `exercises/<name>.py` from every exercise module `solutions/<name>.py`.

    Helper modules (`_helpers.py`: see `catalog.is_exercise_module`) are neither stubbed nor
    reported. With `check=True` nothing is written; the report says what is out of date.
    """
    if not solutions.is_dir():
        raise CourseError(f"{solutions} is not a directory of solutions")
    stale: list[str] = []
    expected: set[str] = set()
    for source in sorted(solutions.glob("*.py")):
        if not is_exercise_module(source):
            continue
        expected.add(source.name)
        stub = strip_solutions(source.read_text(encoding="utf-8"), filename=str(source))
        target = exercises / source.name
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current != stub:
            stale.append(source.name)
            if not check:
                exercises.mkdir(parents=True, exist_ok=True)
                target.write_text(stub, encoding="utf-8")
    orphans = sorted(p.name for p in exercises.glob("*.py") if is_exercise_module(p) and p.name not in expected) \
        if exercises.is_dir() else []
    return StubReport(stale=tuple(stale), orphans=tuple(orphans))
