"""Exercise modules as notebook cells, and submitted notebooks graded as the modules they stand for."""

from __future__ import annotations

import ast
import copy
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import EXERCISES, MAX_SCORE, ROOT

from autograder.catalog import Course
from autograder.errors import CourseError, SubmissionError
from autograder.grading import Grader
from autograder.notebooks import Cell, module_from_notebook, read_notebook, split_module
from autograder.result import Status
from autograder.stubs import BEGIN, END, strip_solutions

GRADE_ID = re.compile(r"^[a-zA-Z0-9_\-]*$")


def reference(exercise: str) -> str:
    return (ROOT / "solutions" / f"{exercise}.py").read_text(encoding="utf-8")


def _meta(grade_id: str, *, solution: bool = False, grade: bool = False, points: float | None = None) -> dict:
    """The nbgrader metadata of a source notebook's cell (schema 3, as the Create Assignment toolbar writes it)."""
    meta = {"schema_version": 3, "grade": grade, "solution": solution, "locked": not solution, "task": False,
            "grade_id": grade_id}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def notebook(exercise: str, *, stubs: bool = False) -> nbformat.NotebookNode:
    """The exercise's notebook: its cells from `split_module`, then a grade cell (which must never become part
    of the module: it raises). `stubs`: solution cells as released to students."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for cell in split_module(reference(exercise), exercise):
        meta = _meta(cell.grade_id, solution=cell.kind == "solution")
        if cell.kind == "explanation":
            nb.cells.append(nbformat.v4.new_markdown_cell(cell.source, metadata=meta))
        else:
            source = strip_solutions(cell.source) if stubs and cell.kind == "solution" else cell.source
            nb.cells.append(nbformat.v4.new_code_cell(source, metadata=meta))
    nb.cells.append(nbformat.v4.new_code_cell('raise AssertionError("a grade cell ran as part of the module")',
                                              metadata=_meta(f"{exercise}-checks", grade=True, points=10)))
    return nb


def write_notebooks(folder: Path, notebooks: dict[str, nbformat.NotebookNode | str | bytes]) -> Path:
    """Write {exercise: notebook, or raw text/bytes} as <exercise>.ipynb files of `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, nb in notebooks.items():
        path = folder / f"{name}.ipynb"
        if isinstance(nb, bytes):
            path.write_bytes(nb)
        elif isinstance(nb, str):
            path.write_text(nb, encoding="utf-8")
        else:
            nbformat.write(nb, path)
    return folder


def cell_of(nb: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def statuses(result, exercise: str) -> dict[str, Status]:
    [ex] = [e for e in result.exercises if e.name == exercise]
    return {c.id.split("::")[1]: c.status for c in ex.checks}


# --- split_module ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("exercise", EXERCISES)
def test_cells_of_every_exercise(exercise):
    source = reference(exercise)
    cells = split_module(source, exercise)
    assert cells[0] == Cell("explanation", f"{exercise}-explanation", cells[0].source)
    assert cells[0].source.startswith("# ") and "\n\n" in cells[0].source
    assert all(c.kind in ("given", "solution") for c in cells[1:])
    ids = [c.grade_id for c in cells]
    assert len(set(ids)) == len(ids) and all(GRADE_ID.match(i) for i in ids)
    givens = [c.grade_id for c in cells if c.kind == "given"]
    assert givens == [f"{exercise}-given-{n}" for n in range(1, len(givens) + 1)]
    for cell in cells[1:]:
        assert cell.source.strip() == cell.source.strip("\n") and not cell.source.endswith("\n")
        assert cell.source in source, "a cell is the module's text, exactly"
        assert (BEGIN in cell.source) == (cell.kind == "solution")
        if cell.kind == "solution":
            assert cell.grade_id.removeprefix(f"{exercise}-") in _defined(cell.source)
    # Every line of every solution region lies in a solution cell.
    solution_text = "\n".join(c.source for c in cells if c.kind == "solution")
    lines = source.splitlines()
    begins = [i for i, line in enumerate(lines) if line.strip() == BEGIN]
    ends = [i for i, line in enumerate(lines) if line.strip() == END]
    for begin, end in zip(begins, ends, strict=True):
        assert "\n".join(lines[begin:end + 1]) in solution_text


def _defined(source: str) -> set[str]:
    """The defs and classes a cell defines, and the dicts of answers it assigns (a quiz's ANSWERS)."""
    body = ast.parse(source).body
    return {n.name for n in body if isinstance(n, ast.FunctionDef | ast.ClassDef)} | {
        n.targets[0].id for n in body if isinstance(n, ast.Assign) and isinstance(n.value, ast.Dict)}


def test_cells_follow_the_statements_that_hold_regions():
    assert [c.grade_id for c in split_module(reference("mlp"), "mlp")] == \
        ["mlp-explanation", "mlp-given-1", "mlp-MLP"]
    # A quiz's dict of answers, its regions made of entries, is one solution cell named by the dict.
    assert [(c.kind, c.grade_id) for c in split_module(reference("quiz"), "quiz")] == \
        [("explanation", "quiz-explanation"), ("solution", "quiz-ANSWERS")]
    # A class with two regions is one cell.
    assert [c.grade_id for c in split_module(reference("param_list"), "param_list")][2:] == ["param_list-MyListDense"]
    # A region that runs from to_device into the helper after it makes both one cell.
    device = split_module(reference("device"), "device")
    assert [c.grade_id for c in device] == ["device-explanation", "device-given-1", "device-default_device",
                                            "device-to_device"]
    assert "def _move" in device[-1].source
    # A helper without a region is a given cell, with the comment inside it.
    padding = split_module(reference("padding"), "padding")
    assert padding[1].kind == "given" and padding[1].source.startswith("def _check_int")


def test_concatenated_cells_give_back_the_module_and_its_stub(tmp_path, inprocess_grader):
    for exercise in EXERCISES:
        cells = split_module(reference(exercise), exercise)
        module = "\n\n\n".join(c.source for c in cells if c.kind != "explanation") + "\n"
        stub = ast.parse(strip_solutions(module))
        exercise_module = ast.parse((ROOT / "exercises" / f"{exercise}.py").read_text(encoding="utf-8"))
        assert ast.dump(stub) == ast.dump(ast.Module(exercise_module.body[1:], [])), exercise
        (tmp_path / f"{exercise}.py").write_text(module, encoding="utf-8")
    result = inprocess_grader.grade(tmp_path)
    assert result.score == result.max_score == MAX_SCORE


def test_reference_and_stub_notebooks_give_back_the_files_exactly():
    for exercise in EXERCISES:
        source = reference(exercise)
        assert module_from_notebook(notebook(exercise), exercise, source) == source
        stub = (ROOT / "exercises" / f"{exercise}.py").read_text(encoding="utf-8")
        assert module_from_notebook(notebook(exercise, stubs=True), exercise, source) == stub


def test_notebooks_are_valid_for_nbgrader():
    from nbgrader.nbgraderformat import MetadataValidator

    for exercise in EXERCISES:
        nb = notebook(exercise)
        nbformat.validate(nb)
        MetadataValidator().validate_nb(nb)


SPLIT = '''"""Title line.

More words.
"""

import torch

LIMIT = 3


# A comment about the helper.
@staticmethod
def decorated(x):
    ### BEGIN SOLUTION
    return x
    ### END SOLUTION

### BEGIN SOLUTION
def standalone():
    return 1
### END SOLUTION

# Trailing given code.
VALUE = 2
'''


def test_comments_decorators_and_a_region_that_stands_alone():
    cells = split_module(SPLIT, "demo")
    assert [(c.kind, c.grade_id) for c in cells] == [
        ("explanation", "demo-explanation"), ("given", "demo-given-1"), ("solution", "demo-decorated"),
        ("solution", "demo-standalone"), ("given", "demo-given-2")]
    assert cells[0].source == "# Title line.\n\nMore words."
    assert cells[1].source == "import torch\n\nLIMIT = 3"
    assert cells[2].source.startswith("# A comment about the helper.\n@staticmethod\ndef decorated")
    assert cells[3].source == f"{BEGIN}\ndef standalone():\n    return 1\n{END}"
    assert cells[4].source == "# Trailing given code.\nVALUE = 2"
    no_doc = split_module("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n", "bare")
    assert no_doc[0] == Cell("explanation", "bare-explanation", "# bare")


@pytest.mark.parametrize(("source", "problem"), [
    (f"{BEGIN}\nLIMIT = 3\n{END}\n", "no def or class"),
    (f"if True:\n    {BEGIN}\n    x = 1\n    {END}\n", "top-level if statement"),
    (f"SIZES = [\n    {BEGIN}\n    1,\n    {END}\n]\n", "top-level assign statement"),  # answers are dict entries
    (f"{BEGIN}\ndef f():\n    {END}\n    return 1\n", "ends inside a statement"),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "never closed"),
    ("def f():\n    return 1\n", "no ### BEGIN SOLUTION"),
    (f"def f(:\n    {BEGIN}\n    {END}\n", r"demo\.py:1"),
    (f"def explanation():\n    {BEGIN}\n    return 1\n    {END}\n", "two cells would have the grade_id"),
    (f"def größe():\n    {BEGIN}\n    return 1\n    {END}\n", "not a valid nbgrader grade_id"),
])
def test_regions_that_cannot_be_cells_are_course_errors(source, problem):
    with pytest.raises(CourseError, match=problem):
        split_module(source, "demo")


# --- module_from_notebook --------------------------------------------------------------------------------------


def test_without_reference_the_notebooks_own_cells_in_order():
    nb = notebook("views")
    nb.cells.insert(1, nbformat.v4.new_code_cell("SCRATCH = 1"))  # no metadata: not part of the exercise
    nb.cells.append(nbformat.v4.new_code_cell("OTHER = 1", metadata=_meta("mlp-given-1")))
    cell_of(nb, "views-given-1").source = "import torch  # edited"
    module = module_from_notebook(nb, "views", None)
    assert module.startswith("import torch  # edited\n\n\ndef reshape_shared")
    assert "SCRATCH" not in module and "OTHER" not in module and "grade cell ran" not in module
    assert "Views, copies" not in module, "markdown is not code"
    ast.parse(module)


def test_moved_duplicated_added_and_deleted_cells():
    source = reference("views")
    nb = notebook("views")
    first = cell_of(nb, "views-reshape_shared")
    wrong = copy.deepcopy(first)
    wrong.id = "duplicate"  # Jupyter gives a copied cell an id of its own
    wrong.source = first.source.replace("return x.view(shape)", "return x.reshape(shape)")
    nb.cells.remove(first)
    nb.cells.append(first)  # moved to the end, after the grade cell
    nb.cells.append(wrong)  # a duplicate found later does not count
    nb.cells.insert(0, nbformat.v4.new_code_cell("def reshape_independent(x, shape):\n    return None"))
    nb.cells.remove(cell_of(nb, "views-given-1"))
    nb.cells.remove(cell_of(nb, "views-explanation"))
    assert module_from_notebook(nb, "views", source) == source
    nb.cells.remove(cell_of(nb, "views-to_scalar"))
    stubbed = module_from_notebook(nb, "views", source)
    assert 'raise NotImplementedError("complete to_scalar")' in stubbed and "t.item()" not in stubbed


def test_metadata_stripped_cells_are_found_by_the_names_they_define():
    source = reference("device")
    nb = notebook("device")
    for cell in nb.cells:
        cell.metadata = {}
    nb.cells.reverse()
    assert module_from_notebook(nb, "device", source) == source
    # A cell that does not parse is not a match (nor is one that only uses the name).
    answer = next(c for c in nb.cells if c.source.startswith("def to_device"))
    answer.source = "%timeit 1\n" + answer.source
    nb.cells.insert(0, nbformat.v4.new_code_cell("-" * 1_000_000 + "1"))  # beyond the parser's limits
    nb.cells.append(nbformat.v4.new_code_cell("to_device([], 'cpu')"))
    assert 'raise NotImplementedError("complete to_device")' in module_from_notebook(nb, "device", source)


# --- read_notebook --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "problem"), [
    (b"", "mlp.ipynb is empty"),
    (b"  \n", "mlp.ipynb is empty"),
    (b'{"cells": [', r"mlp.ipynb is not valid JSON \(line 1"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b'{"a": 1}', "mlp.ipynb is JSON but not a Jupyter notebook"),
    (b"[1, 2]", "not a Jupyter notebook"),
    (b"[" * 100_000, "nested too deeply"),
    (b'{"nbformat": 99, "nbformat_minor": 0, "cells": [], "metadata": {}}', "unsupported nbformat version 99"),
    (b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code"}]}',
     "not a readable Jupyter notebook"),
])
def test_unreadable_notebooks_are_one_line_errors_naming_the_file(tmp_path, content, problem):
    path = tmp_path / "mlp.ipynb"
    path.write_bytes(content)
    with pytest.raises(SubmissionError, match=problem) as caught:
        read_notebook(path)
    assert "\n" not in str(caught.value) and "mlp.ipynb" in str(caught.value)


def test_notebooks_slightly_off_the_schema_are_read(tmp_path):
    raw = json.loads(nbformat.writes(notebook("mlp")))
    for cell in raw["cells"]:
        cell.pop("id", None)
        cell.pop("outputs", None)
        cell.pop("metadata")  # as some editors save it
    path = tmp_path / "mlp.ipynb"
    path.write_text(json.dumps(raw), encoding="utf-8")
    nb = read_notebook(path)
    assert module_from_notebook(nb, "mlp", reference("mlp")) == reference("mlp")


# --- grading notebooks ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["grader", "inprocess_grader"])
def test_reference_notebooks_score_full_marks(request, tmp_path, which):
    folder = write_notebooks(tmp_path / "alice", {ex: notebook(ex) for ex in EXERCISES})
    result = request.getfixturevalue(which).grade(folder)
    assert result.score == result.max_score == MAX_SCORE
    assert {c.status for c in result.checks} == {Status.PASSED}


def test_reference_notebooks_through_a_fresh_inprocess_grader(tmp_path):
    folder = write_notebooks(tmp_path / "alice", {ex: notebook(ex) for ex in EXERCISES})
    with Grader(Course(ROOT), runner="inprocess") as grader:
        assert grader.grade(folder).score == MAX_SCORE


def test_stub_notebooks_score_zero_all_not_attempted(grader, tmp_path):
    folder = write_notebooks(tmp_path / "alice", {ex: notebook(ex, stubs=True) for ex in EXERCISES})
    result = grader.grade(folder)
    assert result.score == 0 and result.max_score == MAX_SCORE
    assert {c.status for c in result.checks} == {Status.NOT_ATTEMPTED}


def test_notebooks_as_students_hand_them_in(inprocess_grader, tmp_path):
    # mlp: solution cell moved below the grade cell; given and explanation cells deleted; cells added.
    mlp = notebook("mlp")
    answer = cell_of(mlp, "mlp-MLP")
    mlp.cells.remove(answer)
    mlp.cells.append(answer)
    mlp.cells.remove(cell_of(mlp, "mlp-given-1"))
    mlp.cells.remove(cell_of(mlp, "mlp-explanation"))
    mlp.cells.insert(0, nbformat.v4.new_code_cell("raise SystemExit('scratch work')"))
    mlp.cells.append(nbformat.v4.new_markdown_cell("my notes"))
    # batching: a locked given cell edited (even hostile), which changes nothing.
    batching = notebook("batching")
    cell_of(batching, "batching-given-1").source = "import numpy as torch\nimport builtins\nbuiltins.isinstance = None"
    # device: outputs and execution counts left in, an error output too.
    device = notebook("device")
    for count, cell in enumerate((c for c in device.cells if c.cell_type == "code"), start=1):
        cell.execution_count = count
        cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="UserWarning: noise\n"),
                        nbformat.v4.new_output("execute_result", data={"text/plain": "42"}, execution_count=count),
                        nbformat.v4.new_output("error", ename="ValueError", evalue="x", traceback=["tb"])]
    # views: a solution cell duplicated (the first one found counts) and a wrong copy above nothing.
    views = notebook("views")
    good = cell_of(views, "views-reshape_independent")
    bad = copy.deepcopy(good)
    bad.id = "duplicate"
    bad.source = good.source.replace("x.clone().reshape(shape)", "x.reshape(shape)")
    views.cells.append(bad)
    # param_list: every cell's metadata stripped by another editor.
    param_list = notebook("param_list")
    for cell in param_list.cells:
        cell.metadata = {}
    # padding: the same_padding solution cell deleted: its checks are not attempted.
    padding = notebook("padding")
    padding.cells.remove(cell_of(padding, "padding-same_padding"))

    folder = write_notebooks(tmp_path / "bob", {"mlp": mlp, "batching": batching, "device": device,
                                                "views": views, "param_list": param_list, "padding": padding})
    result = inprocess_grader.grade(folder, only=["mlp", "batching", "device", "views", "param_list", "padding"])
    scores = {ex.name: ex.score for ex in result.exercises}
    assert {name: score for name, score in scores.items() if name != "padding"} == \
        {"batching": 10, "device": 10, "mlp": 10, "param_list": 10, "views": 10}
    padding_checks = statuses(result, "padding")
    assert padding_checks["test_same_padding_keeps_size"] == Status.NOT_ATTEMPTED
    assert padding_checks["test_same_padding_odd_kernels"] == Status.NOT_ATTEMPTED
    assert padding_checks["test_conv_output_size_matches_conv"] == Status.PASSED
    assert 0 < scores["padding"] < 10


def test_a_syntax_error_in_a_solution_cell_costs_only_its_exercise(inprocess_grader, tmp_path):
    views = notebook("views")
    cell_of(views, "views-to_scalar").source = "def to_scalar(t):\n    return t.item(("
    folder = write_notebooks(tmp_path / "carol", {"views": views, "mlp": notebook("mlp")})
    result = inprocess_grader.grade(folder, only=["mlp", "views"])
    mlp, views_result = result.exercises
    assert mlp.score == 10 and views_result.score == 0
    assert "SyntaxError" in views_result.checks[0].message and "views.py" in views_result.checks[0].message


def test_a_notebook_file_a_zip_and_notebooks_beside_modules(inprocess_grader, tmp_path):
    single = write_notebooks(tmp_path / "alice", {"mlp": notebook("mlp")}) / "mlp.ipynb"
    assert inprocess_grader.grade(single, only=["mlp"]).score == 10
    archive = tmp_path / "alice.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for ex in EXERCISES:
            zf.writestr(f"alice/{ex}.ipynb", nbformat.writes(notebook(ex)))
    assert inprocess_grader.grade(archive).score == MAX_SCORE
    mixed = tmp_path / "mixed"
    shutil.copytree(ROOT / "solutions", mixed)
    write_notebooks(mixed, {"views": notebook("views", stubs=True)})
    result = inprocess_grader.grade(mixed, only=["mlp", "views"])
    mlp, views = result.exercises
    assert mlp.score == 10, "modules are graded beside notebooks"
    assert views.score == 0 and {c.status for c in views.checks} == {Status.NOT_ATTEMPTED}, "the notebook wins"


def test_notebooks_of_no_exercise_being_graded_are_never_read(inprocess_grader, tmp_path):
    folder = tmp_path / "dave"
    shutil.copytree(ROOT / "solutions", folder)
    write_notebooks(folder, {"scratch": "{ not json", "mlp (1)": b"", "views": b""})
    assert inprocess_grader.grade(folder, only=["mlp", "padding"]).score == 20
    with pytest.raises(SubmissionError, match=r"^views\.ipynb is empty"):
        inprocess_grader.grade(folder, only=["views"])


def test_a_students_own_machine_without_solutions(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(ROOT / "exercises", course / "exercises")
    shutil.copytree(ROOT / "tests" / "public", course / "tests" / "public")
    folder = write_notebooks(tmp_path / "work", {ex: notebook(ex) for ex in EXERCISES})
    with Grader(Course(course), runner="inprocess", hidden=False) as grader:
        result = grader.grade(folder)
    assert result.max_score > 0 and result.score == result.max_score


def test_modules_alone_do_not_import_nbformat():
    code = ("import sys\n"
            "from autograder.catalog import Course\n"
            "from autograder.grading import _notebook_converter\n"
            "from autograder.submission import staged\n"
            "course = Course(__import__('pathlib').Path(sys.argv[1]))\n"
            "with staged(course.solutions, notebooks=_notebook_converter(course, course.exercises())) as copy:\n"
            "    assert sorted(p.name for p in copy.iterdir())\n"
            "assert 'nbformat' not in sys.modules, 'nbformat was imported'\n")
    run = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert run.returncode == 0, run.stderr
