"""Grades out of the gradebook: a spreadsheet, Canvas's gradebook import, or JSON for scripts.

Every format has one row (or entry) per student, for their most recent submission
(`Gradebook.latest`), graded or not:

    csv     student, status ("graded" | "not graded"), one column of points per exercise (course
            order), total, max, percent, unjudged (checks withheld through the course's fault),
            graded_at, error (why it could not be graded)
    canvas  Canvas's gradebook import: `Student, ID, SIS User ID, SIS Login ID, Section`, then one
            assignment column of total points; the first data row is the `Points Possible` sentinel
    json    {"schema": SCHEMA, "students": [{"student", "graded_at", "course_version",
            "kit_version", "error", "result"}]}, each result `Result.to_dict()` (the kit's result
            JSON, tests/kit/schemas/autograder.schema.json) or null when not graded

Canvas identity: a kit student id is the submission's name, typically the LMS login, so it goes
in `SIS Login ID` (what Canvas and PrairieLearn's matcher pair with a login) and in `Student`
(Canvas ignores the name when an id matches, but PrairieLearn's parser drops rows whose name is
empty). `ID` (Canvas's own user number), `SIS User ID` and `Section` are unknown to the kit and
left empty. A student who was not graded gets an empty cell, not 0: no grade rather than a zero
they did not earn.

Spreadsheets run a cell that starts with = + - @ as a formula. A valid student id never does, but
a rejected entry's name and its error may: such cells are written with a leading apostrophe.
"""

from __future__ import annotations

import csv
import heapq
import itertools
import json
from collections.abc import Callable, Iterable, Sequence
from typing import TextIO

from autograder.errors import UsageError
from autograder.gradebook import Gradebook, Recorded

__all__ = ["CANVAS_COLUMNS", "DEFAULT_ASSIGNMENT", "FORMATS", "POINTS_POSSIBLE", "SCHEMA", "exercise_order", "export"]

FORMATS = ("csv", "canvas", "json")
#: What the JSON export says it is; bumped when its shape changes.
SCHEMA = "torch-autograder/gradebook-export/1"
#: The Canvas assignment column when none is given (a new assignment of that name on import;
#: Canvas's own export names a column "Name (assignment id)" to update that assignment instead).
DEFAULT_ASSIGNMENT = "autograder"
#: Canvas's fixed identity columns, in its order.
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
#: The name of the sentinel row that carries each assignment's maximum.
POINTS_POSSIBLE = "Points Possible"
#: The csv export's columns before and after the exercises.
_LEADING = ("student", "status")
_TRAILING = ("total", "max", "percent", "unjudged", "graded_at", "error")
#: What makes a spreadsheet read a cell as a formula (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: "\n", not csv's "\r\n": a text stream turns it into the platform's line end, where "\r\n"
#: would become "\r\r\n" on Windows. Canvas and spreadsheets read either.
_LINE_END = "\n"


def export(gradebook: Gradebook, format: str, out: TextIO, *, assignment: str = DEFAULT_ASSIGNMENT) -> None:
    """Write every student's latest grade in `format` (one of `FORMATS`) to `out`.

    `assignment` names the Canvas column (e.g. "PyTorch basics (1234)"); the other formats ignore it.
    Raises UsageError for an unknown format, or an assignment name that is empty, spans lines or
    is one of Canvas's fixed columns.
    """
    writers: dict[str, Callable[[list[Recorded], TextIO], None]] = {
        "csv": _csv,
        "canvas": lambda students, stream: _canvas(students, stream, assignment),
        "json": _json,
    }
    writer = writers.get(format)
    if writer is None:
        raise UsageError(f"unknown export format {format!r} (one of {', '.join(FORMATS)})")
    if format == "canvas" and (not assignment.strip() or assignment.strip() in CANVAS_COLUMNS
                               or any(c in assignment for c in "\r\n")):
        raise UsageError(f"{assignment!r} cannot name a Canvas assignment column (it must be one line, not empty and "
                         f"none of {', '.join(CANVAS_COLUMNS)})")
    writer(gradebook.latest(), out)


def _number(value: float) -> str:
    """Points as a spreadsheet reads them: `3`, `37.5`, `33.3333` (never `1e+03`)."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _cell(text: str) -> str:
    """Text from the gradebook, defused for spreadsheets (see the module docstring)."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def exercise_order(sequences: Iterable[Sequence[str]]) -> list[str]:
    """The exercise names of all `sequences` (each result's exercises), every sequence's order kept.
    Names no sequence orders against each other (students graded on different exercises) go by
    name, as the course orders its exercises; should sequences contradict each other, the rest
    follow in the order first seen."""
    seen: dict[str, None] = {}
    later: dict[str, set[str]] = {}
    waiting: dict[str, int] = {}
    for names in sequences:
        for name in names:
            seen.setdefault(name)
            waiting.setdefault(name, 0)
        for first, second in itertools.pairwise(names):
            if second not in later.setdefault(first, set()):
                later[first].add(second)
                waiting[second] += 1
    ready = [name for name, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        name = heapq.heappop(ready)
        order.append(name)
        for follower in later.get(name, ()):
            waiting[follower] -= 1
            if waiting[follower] == 0:
                heapq.heappush(ready, follower)
    placed = set(order)
    return order + [name for name in seen if name not in placed]


def _csv(students: list[Recorded], out: TextIO) -> None:
    exercises = exercise_order([ex.name for ex in s.result.exercises] for s in students if s.result is not None)
    taken = set(_LEADING + _TRAILING)
    # An exercise named like a fixed column ("total") must not shadow it.
    headers = [f"{name} (exercise)" if name in taken else name for name in exercises]
    writer = csv.writer(out, lineterminator=_LINE_END)
    writer.writerow([*_LEADING, *headers, *_TRAILING])
    for student in students:
        result = student.result
        if result is None:
            writer.writerow([_cell(student.student), "not graded", *([""] * len(exercises)), "", "", "", "",
                             student.graded_at, _cell(student.error or "")])
            continue
        points = {ex.name: ex.score for ex in result.exercises}
        writer.writerow([_cell(student.student), "graded",
                         *(_number(points[name]) if name in points else "" for name in exercises),
                         _number(result.score), _number(result.max_score), _number(round(result.percent, 2)),
                         str(result.unjudged), student.graded_at, ""])


def _canvas(students: list[Recorded], out: TextIO, assignment: str) -> None:
    # Every student graded by one version of the course has the same maximum; should versions be
    # mixed in the gradebook, the largest is the one Canvas can hold every score against.
    maxima = [s.result.max_score for s in students if s.result is not None]
    writer = csv.writer(out, lineterminator=_LINE_END)
    writer.writerow([*CANVAS_COLUMNS, assignment.strip()])
    writer.writerow([POINTS_POSSIBLE, "", "", "", "", _number(max(maxima)) if maxima else ""])
    for student in students:
        name = _cell(student.student)
        points = "" if student.result is None else _number(student.result.score)
        writer.writerow([name, "", "", name, "", points])


def _json(students: list[Recorded], out: TextIO) -> None:
    data = {
        "schema": SCHEMA,
        "students": [{"student": s.student, "graded_at": s.graded_at, "course_version": s.course_version,
                      "kit_version": s.kit_version, "error": s.error,
                      "result": None if s.result is None else s.result.to_dict()} for s in students],
    }
    json.dump(data, out, indent=2, ensure_ascii=False)
    out.write("\n")
