"""Exercise modules as notebook cells, and submitted notebooks back into modules."""

from __future__ import annotations

import ast
import json
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import nbformat

from autograder.catalog import describe
from autograder.errors import CourseError, SubmissionError
from autograder.stubs import BEGIN, END, answer_keys, strip_solutions

__all__ = ["Cell", "module_from_notebook", "read_notebook", "split_module"]

#: nbgrader's pattern for a grade_id (nbgrader/nbgraderformat/v3.json).
_GRADE_ID = re.compile(r"^[a-zA-Z0-9_\-]*$")
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of an exercise's notebook."""

    #: "explanation" (markdown: the module docstring), "given" (code the student does not write), "solution"
    kind: Literal["explanation", "given", "solution"]
    #: a stable nbgrader grade_id, matching ^[a-zA-Z0-9_\-]*$: f"{exercise}-explanation",
    #: f"{exercise}-given-{n}" (n counts given cells from 1), f"{exercise}-{name}" for a solution cell
    #: (name: the def/class name of the top-level statement that holds the region)
    grade_id: str
    #: the reference text of the cell (a solution cell keeps its ### BEGIN/END SOLUTION regions)
    source: str


@dataclass(frozen=True, slots=True)
class _Part:
    """A cell and where its text lies in the module it was split from."""

    cell: Cell
    #: first and last line (1-based, inclusive) of the cell's text in the module; 0, 0 for the explanation
    first: int
    last: int
    #: the def/class name a solution cell is known by (its grade_id without the exercise), else ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class _Unit:
    """Top-level statements sharing lines (usually one), with the lines that belong to them."""

    statements: tuple[ast.stmt, ...]
    #: first and last line of the statements' own code
    start: int
    end: int
    #: first and last line of the unit: its leading comments and blank lines, its indented trailing comments
    low: int = 0
    high: int = 0

    @property
    def name(self) -> str | None:
        """The name of the first def or class among the statements, or of the dict of answers
        it assigns (``ANSWERS = {...}``)."""
        return next((name for s in self.statements if (name := _defined_name(s))), None)


def _defined_name(statement: ast.stmt) -> str | None:
    """The name a top-level def, class or assignment of a dict (a quiz's answers) defines."""
    if isinstance(statement, _DEFINITIONS):
        return statement.name
    value: ast.expr | None
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target, value = statement.targets[0], statement.value
    elif isinstance(statement, ast.AnnAssign):
        target, value = statement.target, statement.value
    else:
        return None
    return target.id if isinstance(target, ast.Name) and isinstance(value, ast.Dict) else None


def split_module(source: str, exercise: str) -> tuple[Cell, ...]:
    """The cells of a solution module, in order.

    Its docstring becomes an explanation cell (a "# title" heading and the rest), then come its
    top-level statements: each statement that holds a solution region is a solution cell of its own
    (a class with two regions is one cell; a region that runs from one def into the next makes both
    one cell), consecutive other statements (imports, constants, helpers) together one given cell.
    Comments before a statement belong to it, indented comments after a body (an ``### END SOLUTION``)
    to the statement they close. Cell sources are the module's text exactly, without the blank lines
    around them and without a final newline (as Jupyter stores a cell).

    Raises:
        CourseError: a region lies outside any def/class and cannot stand alone as a cell (it splits
            a statement, or holds no def or class to name the cell by), the module does not parse,
            a name does not make a valid nbgrader grade_id, or whatever `stubs.strip_solutions` raises.
    """
    return tuple(part.cell for part in _layout(source, exercise))


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read a submitted notebook, converted to nbformat 4.

    Only what grading uses must be well formed (a list of cells, each with a type and a source):
    a notebook that a tool saved slightly off nbformat's schema is still read, as Jupyter opens it.

    Raises:
        SubmissionError: one line naming the file, for an empty file, invalid JSON or a file that is
            not a notebook.
    """
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SubmissionError(f"{name} cannot be read ({exc.strerror or exc})") from None
    if not data.strip():
        raise SubmissionError(f"{name} is empty, not a notebook")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SubmissionError(f"{name} is not a notebook (not UTF-8 text)") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SubmissionError(f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") \
            from None
    except RecursionError:
        raise SubmissionError(f"{name} is not a readable Jupyter notebook (its JSON is nested too deeply)") from None
    # nbformat reads a dict without "nbformat" as a version-1 notebook, which nobody hands in.
    if not isinstance(raw, dict) or type(raw.get("nbformat")) is not int:
        raise SubmissionError(f"{name} is JSON but not a Jupyter notebook (no nbformat version)")
    version = nbformat.versions.get(raw["nbformat"])
    if version is None:
        raise SubmissionError(f"{name} is a notebook of an unsupported nbformat version {raw['nbformat']}")
    # Some editors drop cells' metadata, which nbformat's reader needs; grading does not.
    cells = raw.get("cells")
    for cell in cells if isinstance(cells, list) else []:
        if isinstance(cell, dict) and not isinstance(cell.get("metadata"), dict):
            cell["metadata"] = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat warns on stderr about ids it fills in
            # What nbformat.reader.reads does, on the dict already parsed; nbformat carries no annotations here.
            read = version.to_notebook_json(raw, minor=raw.get("nbformat_minor", 0))
            notebook: nbformat.NotebookNode = nbformat.convert(read, 4)  # type: ignore[no-untyped-call]
    # nbformat's readers and converters raise whatever a malformed dict provokes in them
    # (KeyError, TypeError, AttributeError, its own ValidationError and NBFormatError).
    except Exception as exc:
        raise SubmissionError(f"{name} is not a readable Jupyter notebook ({_one_line(exc)})") from None
    problem = _malformed(notebook)
    if problem:
        raise SubmissionError(f"{name} is not a readable Jupyter notebook ({problem})")
    return notebook


def module_from_notebook(notebook: nbformat.NotebookNode, exercise: str, reference: str | None) -> str:
    """The exercise module a submitted notebook stands for.

    With `reference` (the solution module's source: instructors and autograde), the module is the
    reference with each solution cell's text replaced by the student's code cell of the same nbgrader
    grade_id (the first one found, wherever it was moved to). When no cell has that grade_id, the
    first code cell without nbgrader metadata (stripped by another editor) that parses and defines the
    solution cell's def/class at top level stands in for it. A solution cell the student deleted (or
    emptied) becomes its stub, so those checks are not attempted. Everything else comes from the
    course, so edited or deleted given cells, added cells, outputs and execution counts change nothing;
    and the given code keeps the reference's line numbers.

    Without `reference` (a student's own machine, no solutions/): the notebook's code cells that carry
    nbgrader metadata of this exercise (given and solution cells, not grade cells), in notebook order.

    Raises:
        CourseError: the reference cannot be split (see `split_module`).
    """
    cells = [cell for cell in notebook.get("cells", ()) if cell.get("cell_type") == "code"]
    if reference is None:
        prefix = f"{exercise}-"
        chosen = [_text(cell) for cell in cells
                  if (grade_id := _nbgrader(cell).get("grade_id")) and isinstance(grade_id, str)
                  and grade_id.startswith(prefix) and not _is_grade_cell(cell)]
        return "\n\n".join(_with_newline(text) for text in chosen if text.strip())
    answers = _Answers(cells)
    lines = reference.splitlines(keepends=True)
    out: list[str] = []
    position = 1
    for part in _layout(reference, exercise):
        if part.cell.kind != "solution":
            continue
        answer = answers.find(part.cell.grade_id, part.name)
        if answer is None or not answer.strip():
            answer = strip_solutions(part.cell.source, filename=f"{exercise}.py")
        out.extend(lines[position - 1:part.first - 1])
        out.append(_with_newline(answer))
        position = part.last + 1
    out.extend(lines[position - 1:])
    return "".join(out)


class _Answers:
    """The student's code cells, looked up by grade_id and, without metadata, by the names they define."""

    def __init__(self, cells: list[Any]) -> None:
        self._by_id: dict[str, str] = {}
        self._unlabelled: list[str] = []
        self._names: dict[int, frozenset[str]] = {}
        for cell in cells:
            grade_id = _nbgrader(cell).get("grade_id")
            if isinstance(grade_id, str) and grade_id:
                # A grade cell is never an answer, whatever id a hand-edited notebook gives it.
                if not _is_grade_cell(cell):
                    self._by_id.setdefault(grade_id, _text(cell))
            else:
                self._unlabelled.append(_text(cell))

    def find(self, grade_id: str, name: str) -> str | None:
        if grade_id in self._by_id:
            return self._by_id[grade_id]
        for index, text in enumerate(self._unlabelled):
            if index not in self._names:
                self._names[index] = _defined_names(text)
            if name in self._names[index]:
                return text
        return None


def _defined_names(text: str) -> frozenset[str]:
    """The defs, classes and dicts of answers a cell defines at top level; none for a cell that does not
    parse."""
    try:
        tree = ast.parse(text)
    # ValueError: a null byte; RecursionError and MemoryError: the parser's own limits on nesting, which a
    # student's cell must not turn into a crash of the grader.
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return frozenset()
    return frozenset(name for node in tree.body if (name := _defined_name(node)))


def _layout(source: str, exercise: str) -> tuple[_Part, ...]:
    """Split a solution module into cells, keeping where each cell's text lies."""
    filename = f"{exercise}.py"
    strip_solutions(source, filename=filename)  # the markers are sound before anything else looks at them
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        raise CourseError(f"{filename}:{exc.lineno}: {exc.msg}") from None
    lines = source.splitlines(keepends=True)
    title, rest = describe(tree, exercise)
    heading = f"# {title}" + (f"\n\n{rest}" if rest else "")
    explanation = Cell("explanation", _grade_id(exercise, "explanation"), heading)
    parts = [_Part(explanation, 0, 0)]

    units = _units(tree, lines)
    if units and ast.get_docstring(tree) is not None and len(units[0].statements) == 1:
        units = units[1:]  # the docstring is the explanation cell
    owner = {line: index for index, unit in enumerate(units) for line in range(unit.low, unit.high + 1)}

    spans: list[list[int]] = []  # [first unit, last unit] of each solution cell
    for begin, end in _regions(lines):
        inside_begin, inside_end = _holder(units, begin), _holder(units, end)
        answers = answer_keys("".join(lines[begin:end - 1])) is not None
        for line, holder in ((begin, inside_begin), (end, inside_end)):
            if holder is not None and not isinstance(holder.statements[0], _DEFINITIONS) and not (
                    answers and _defined_name(holder.statements[0])):
                raise CourseError(f"{filename}:{line}: a solution region inside a top-level "
                                  f"{type(holder.statements[0]).__name__.lower()} statement, outside any def or class")
        if inside_begin is None and inside_end is not None:
            raise CourseError(f"{filename}:{begin}: a solution region outside any def or class that ends inside "
                              "a statement cannot stand alone as a cell")
        if begin not in owner or end not in owner:
            raise CourseError(f"{filename}:{begin}: a solution region outside the module's statements")
        spans.append(sorted((owner[begin], owner[end])))
    merged: list[list[int]] = []
    for span in sorted(spans):
        if merged and span[0] <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], span[1])
        else:
            merged.append(span)

    solution_at = {span[0]: span[1] for span in merged}
    given = 0
    index = 0
    while index < len(units):
        if index in solution_at:
            last = solution_at[index]
            name = next((unit.name for unit in units[index:last + 1] if unit.name), None)
            if name is None:
                raise CourseError(f"{filename}:{units[index].start}: a solution region outside any def or class "
                                  "with no def or class in it cannot stand alone as a cell")
            kind: Literal["given", "solution"] = "solution"
            grade_id = _grade_id(exercise, name)
        else:
            last = index
            while last + 1 < len(units) and last + 1 not in solution_at:
                last += 1
            given += 1
            kind, name, grade_id = "given", "", _grade_id(exercise, f"given-{given}")
        first_line, last_line = _trimmed(lines, units[index].low, units[last].high)
        text = _strip_eol("".join(lines[first_line - 1:last_line]))
        parts.append(_Part(Cell(kind, grade_id, text), first_line, last_line, name))
        index = last + 1

    seen: set[str] = set()
    for part in parts:
        if part.cell.grade_id in seen:
            raise CourseError(f"{filename}: two cells would have the grade_id {part.cell.grade_id!r} "
                              "(rename a def or class)")
        seen.add(part.cell.grade_id)
    return tuple(parts)


def _units(tree: ast.Module, lines: list[str]) -> list[_Unit]:
    """The module's top-level statements, grouped where they share lines, with their comments."""
    grouped: list[tuple[list[ast.stmt], int, int]] = []
    for node in tree.body:
        decorators: list[ast.expr] = getattr(node, "decorator_list", [])
        start = min([node.lineno, *(d.lineno for d in decorators)])
        end = node.end_lineno or node.lineno
        if grouped and start <= grouped[-1][2]:
            grouped[-1][0].append(node)
            grouped[-1] = (grouped[-1][0], grouped[-1][1], max(end, grouped[-1][2]))
        else:
            grouped.append(([node], start, end))
    units: list[_Unit] = []
    low = 1
    for index, (statements, start, end) in enumerate(grouped):
        following = grouped[index + 1][1] if index + 1 < len(grouped) else len(lines) + 1
        high = end
        for number in range(end + 1, following):
            line = lines[number - 1]
            if not line.strip():
                continue
            # Indented comments after a body are its own (an END marker closing it, whatever its column);
            # a comment at column 0 introduces what follows.
            if line[0] in " \t" or line.strip() == END or index + 1 == len(grouped):
                high = number
            else:
                break
        units.append(_Unit(tuple(statements), start, end, low, high))
        low = high + 1
    return units


def _regions(lines: list[str]) -> Iterator[tuple[int, int]]:
    """The (BEGIN line, END line) of each solution region; `strip_solutions` has checked they pair up."""
    begin = 0
    for number, line in enumerate(lines, start=1):
        marker = line.strip()
        if marker == BEGIN:
            begin = number
        elif marker == END:
            yield begin, number


def _holder(units: list[_Unit], line: int) -> _Unit | None:
    """The unit whose own code spans `line` (a marker there lies inside that statement)."""
    return next((unit for unit in units if unit.start <= line <= unit.end), None)


def _trimmed(lines: list[str], first: int, last: int) -> tuple[int, int]:
    while first < last and not lines[first - 1].strip():
        first += 1
    while last > first and not lines[last - 1].strip():
        last -= 1
    return first, last


def _grade_id(exercise: str, name: str) -> str:
    grade_id = f"{exercise}-{name}"
    if not _GRADE_ID.match(grade_id):
        raise CourseError(f"{exercise}.py: {grade_id!r} is not a valid nbgrader grade_id "
                          "(letters, digits, _ and - only: rename the exercise or the def/class)")
    return grade_id


def _nbgrader(cell: Any) -> dict[str, Any]:
    metadata = cell.get("metadata")
    found = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return found if isinstance(found, dict) else {}


def _is_grade_cell(cell: Any) -> bool:
    meta = _nbgrader(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


def _text(cell: Any) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else ""


def _malformed(notebook: Any) -> str:
    """What grading needs that the notebook lacks ("" when it has it)."""
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        return "it has no list of cells"
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str) \
                or not isinstance(cell.get("source"), str):
            return f"cell {number} has no type or source"
        if not isinstance(cell.get("metadata"), dict):
            cell["metadata"] = {}  # a NotebookNode turns it into one (nbformat 1-3 cells)
    return ""


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "…"


def _strip_eol(text: str) -> str:
    for ending in ("\r\n", "\n", "\r"):
        if text.endswith(ending):
            return text[: -len(ending)]
    return text


def _with_newline(text: str) -> str:
    return text if text.endswith(("\n", "\r")) else text + "\n"
