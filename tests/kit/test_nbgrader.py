"""The kit inside real nbgrader: a built course, generate_assignment, autograde, the gradebook, a real kernel.

The course is built, generated and autograded once for the module: five students (the reference
answers, the untouched release, two wrong answers, one hostile notebook) in one `nbgrader autograde`.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

from autograder.catalog import Course
from autograder.grading import Grader
from autograder.nbgrader import (
    BEGIN_HIDDEN,
    IGNORE_PATTERN,
    BuiltCourse,
    autograde_notebook,
    build_course,
    ensure_kernel,
    grade_id,
)
from autograder.plugin import CheckInfo
from autograder.stubs import BEGIN, END, strip_solutions

pytestmark = pytest.mark.nbgrader

EXERCISES = ("mlp", "padding", "quiz", "views")
ASSIGNMENT = "ps1"
#: The hostile solution cell: comparisons and isinstance patched at import, then a copy where a view is asked for.
HOSTILE = '''import builtins
import torch
import torch.testing

_isinstance = builtins.isinstance
torch.allclose = lambda *args, **kwargs: True
torch.testing.assert_close = lambda *args, **kwargs: None
builtins.isinstance = lambda obj, kind: True if kind is torch.Tensor else _isinstance(obj, kind)


def reshape_shared(x, shape):
    return x.clone().reshape(shape)
'''
HONEST = HOSTILE.split("\n\n\n")[1]


def nbgrader(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run nbgrader's command line in the course, as an instructor does (alembic on PATH, see the reference)."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("AUTOGRADER_COURSE", None)
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def solution_cell(notebook: nbformat.NotebookNode, cell_grade_id: str) -> nbformat.NotebookNode:
    return next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == cell_grade_id)


def edited(source: Path, cell_grade_id: str, old: str, new: str) -> nbformat.NotebookNode:
    """The source notebook with one solution cell edited (`old` must be in it)."""
    notebook = nbformat.read(source, as_version=4)
    cell = solution_cell(notebook, cell_grade_id)
    assert old in cell.source
    cell.source = cell.source.replace(old, new)
    return notebook


@pytest.fixture(scope="module")
def checks(course: Course) -> tuple[CheckInfo, ...]:
    with Grader(course, runner="inprocess") as lister:
        return lister.checks(only=EXERCISES)


@pytest.fixture(scope="module")
def built(course: Course, tmp_path_factory: pytest.TempPathFactory) -> BuiltCourse:
    return build_course(course, tmp_path_factory.mktemp("nbgrader") / "course", assignment=ASSIGNMENT,
                        exercises=EXERCISES)


@pytest.fixture(scope="module")
def release(built: BuiltCourse) -> Path:
    nbgrader(built.root, "generate_assignment", ASSIGNMENT, "--force")
    return built.root / "release" / ASSIGNMENT


@pytest.fixture(scope="module")
def submitted(built: BuiltCourse, release: Path) -> dict[str, Path]:
    """submitted/<student>/ps1/: the five students; then `nbgrader autograde` of them all, once."""
    source = built.root / "source" / ASSIGNMENT
    folders = {student: built.root / "submitted" / student / ASSIGNMENT
               for student in ("reference", "release", "wrong_mlp", "wrong_padding", "hostile", "quiz_partly")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    for exercise in EXERCISES:
        shutil.copyfile(source / f"{exercise}.ipynb", folders["reference"] / f"{exercise}.ipynb")
        shutil.copyfile(release / f"{exercise}.ipynb", folders["release"] / f"{exercise}.ipynb")
    nbformat.write(edited(source / "mlp.ipynb", "mlp-MLP", "self.output(self.act(self.hidden(x)))",
                          "self.output(self.hidden(x))"), folders["wrong_mlp"] / "mlp.ipynb")
    nbformat.write(edited(source / "padding.ipynb", "padding-conv_output_size", "// stride + 1", "// stride"),
                   folders["wrong_padding"] / "padding.ipynb")
    # Three questions answered in the release's cell (two right, one wrong), the rest left as they came.
    quiz = nbformat.read(release / "quiz.ipynb", as_version=4)
    answers = solution_cell(quiz, "quiz-ANSWERS")
    for key, value in (("hidden_layers", "1"), ("hidden_size", "256"), ("physical_gpu_of_cuda1", "1")):
        answers.source = answers.source.replace(f'"{key}": ...,', f'"{key}": {value},')
    nbformat.write(quiz, folders["quiz_partly"] / "quiz.ipynb")
    hostile = nbformat.read(source / "views.ipynb", as_version=4)
    solution_cell(hostile, "views-reshape_shared").source = HOSTILE
    nbformat.write(hostile, folders["hostile"] / "views.ipynb")
    nbgrader(built.root, "autograde", ASSIGNMENT, "--force")
    return folders


@pytest.fixture(scope="module")
def gradebook(built: BuiltCourse, submitted: dict[str, Path]) -> Iterator[object]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{built.root / 'gradebook.db'}") as book:
        yield book


# --------------------------------------------------------------------------- building


def test_config_names_only_traits_the_installed_nbgrader_has(built: BuiltCourse) -> None:
    from nbgrader.converters import Autograde, GenerateAssignment
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import ClearSolutions, Execute, IgnorePattern
    from traitlets.config.loader import PyFileConfigLoader

    import autograder.nbgrader as kit

    config = PyFileConfigLoader(built.config.name, path=str(built.root)).load_config()
    classes = {cls.__name__: cls for cls in (Autograde, GenerateAssignment, CourseDirectory, Execute, IgnorePattern,
                                             kit.GradeWithKit)}
    for section, traits in config.items():
        assert section in classes, f"nbgrader_config.py configures {section}, which nbgrader does not have"
        for trait in traits:
            assert classes[section].class_traits(config=True).get(trait) is not None, f"{section}.{trait}"
    assert config.IgnorePattern.enabled is True and config.IgnorePattern.pattern == IGNORE_PATTERN
    assert config.Execute.kernel_name == "python3" and config.Execute.timeout >= 120
    pipeline = [getattr(importlib.import_module(dotted.rpartition(".")[0]), dotted.rpartition(".")[2])
                for dotted in config.Autograde.autograde_preprocessors]
    default = list(Autograde.class_traits()["autograde_preprocessors"].default())
    # nbgrader's own pipeline with Execute replaced by the kit, nothing else changed.
    assert default[0] is Execute and pipeline[0] is kit.GradeWithKit and pipeline[1:] == default[1:]
    # nbgrader's release pipeline with its ClearSolutions replaced by the kit's, nothing else changed.
    release = [getattr(importlib.import_module(dotted.rpartition(".")[0]), dotted.rpartition(".")[2])
               for dotted in config.GenerateAssignment.preprocessors]
    nbgrader_release = list(GenerateAssignment.class_traits()["preprocessors"].default())
    assert [kit.ClearSolutions if pp is ClearSolutions else pp for pp in nbgrader_release] == release
    assert issubclass(kit.ClearSolutions, ClearSolutions)
    assert Path(config.GradeWithKit.course) == ROOT


def test_ignore_pattern_matches_the_warnings_pytorch_prints() -> None:
    printed = [
        "/usr/lib/python3/site-packages/torch/nn/modules/module.py:1511: UserWarning: Using a non-full backward hook\n"
        "  warnings.warn(\n",
        "<ipython-input-3-1>:2: DeprecationWarning: torch.cuda.amp.autocast(args...) is deprecated\n",
        "[W NNPACK.cpp:53] Could not initialize NNPACK! Reason: Unsupported hardware.\n",
        "[W1201 10:00:00.000000000 NNPACK.cpp:62] Could not initialize NNPACK! Reason: Unsupported hardware.\n",
    ]
    for text in printed:
        assert re.search(IGNORE_PATTERN, text), text
    for text in ("Traceback (most recent call last):\n", "AssertionError: wrong\n", "Warning: no\n"):
        assert not re.search(IGNORE_PATTERN, text), text


def test_notebooks_validate_and_their_grade_cells_add_up_to_the_kit_points(
        built: BuiltCourse, checks: tuple[CheckInfo, ...]) -> None:
    from nbgrader.nbgraderformat import MetadataValidator

    assert [p.name for p in built.notebooks] == [f"{ex}.ipynb" for ex in EXERCISES]
    for path in built.notebooks:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        MetadataValidator().validate_nb(notebook)
        exercise = path.stem
        own = [c for c in checks if c.exercise == exercise]
        grade_cells = [c for c in notebook.cells if c.metadata.nbgrader.grade]
        assert [c.metadata.nbgrader.grade_id for c in grade_cells] == \
            [grade_id(exercise, c.visibility, c.id) for c in own]
        assert sum(c.metadata.nbgrader.points for c in grade_cells) == built.points[exercise] == \
            sum(c.points for c in own) > 0
        for cell, check in zip(grade_cells, own, strict=True):
            assert cell.metadata.nbgrader.points == check.points and cell.metadata.nbgrader.locked
            # A call of the kit, never the check's code; it fails by raising (its last line is a call of
            # `grade`, which returns None), never by a falsy last expression.
            tree = ast.parse(cell.source)
            calls = [n for n in tree.body if isinstance(n, ast.Expr)]
            assert len(calls) == 1 and tree.body[-1] is calls[0]
            assert ast.unparse(calls[0]) == f"grade({check.id!r})"
            assert (BEGIN_HIDDEN in cell.source) == (check.visibility == "hidden")
        kinds = [(c.cell_type, c.metadata.nbgrader.solution, c.metadata.nbgrader.locked) for c in notebook.cells]
        assert kinds[0] == ("markdown", False, True)  # the explanation, read-only
        assert ("code", True, False) in kinds and ("code", False, True) in kinds
        for cell in notebook.cells:
            if cell.metadata.nbgrader.solution:
                assert BEGIN in cell.source and END in cell.source
    bundled = built.root / "source" / ASSIGNMENT / "course"
    assert sorted(p.relative_to(bundled).as_posix() for p in bundled.rglob("*.py")) == sorted(
        [f"exercises/{ex}.py" for ex in EXERCISES] + [f"tests/public/test_{ex}.py" for ex in EXERCISES])


def test_cli_builds_a_course_and_reports_usage_errors_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from autograder.cli import main

    monkeypatch.chdir(ROOT)
    assert main(["nbgrader", "build", str(tmp_path / "c"), "--assignment", "hw2", "--exercise", "padding"]) == 0
    assert (tmp_path / "c" / "source" / "hw2" / "padding.ipynb").is_file()
    assert not (tmp_path / "c" / "source" / "hw2" / "mlp.ipynb").exists()
    assert "nbgrader generate_assignment hw2" in capsys.readouterr().out
    for args, message in ((["--exercise", "nope"], "unknown exercise nope"),
                          (["--assignment", "bad name"], "not a valid nbgrader id")):
        assert main(["nbgrader", "build", str(tmp_path / "d"), *args]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("error: ") and message in err, err


# --------------------------------------------------------------------------- generate_assignment


def _meaningful_lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if line.strip()}


def _release_text(release: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(release.rglob("*")) if p.is_file()) + "\n" + \
        "\n".join(c.source for p in sorted(release.glob("*.ipynb")) for c in nbformat.read(p, as_version=4).cells)


def test_release_holds_no_solution_and_no_hidden_check(release: Path, course: Course,
                                                       checks: tuple[CheckInfo, ...]) -> None:
    from nbgrader.nbgraderformat import MetadataValidator

    for path in release.glob("*.ipynb"):
        MetadataValidator().validate_nb(nbformat.read(path, as_version=4))
    text = _release_text(release)  # every file, and each notebook's cell sources decoded from their JSON
    handed_out = _meaningful_lines(text)
    leaked = []
    for exercise in EXERCISES:
        reference = (course.solutions / f"{exercise}.py").read_text(encoding="utf-8")
        regions = re.findall(rf"^[ \t]*{BEGIN}\n(.*?)^[ \t]*{END}$", reference, flags=re.M | re.S)
        assert regions
        # A line of a region that the stub (what students get) also has is not the solution: `)`, `else:`.
        stub = _meaningful_lines(strip_solutions(reference))
        leaked += [line for region in regions for line in _meaningful_lines(region)
                   if line not in stub and line in handed_out]
    assert not leaked, f"solution lines in the release: {leaked}"
    hidden = [c for c in checks if c.visibility == "hidden"]
    assert hidden
    for check in hidden:
        function = check.id.rpartition("::")[2]
        for secret in (check.id, check.name, function):
            assert secret not in text, f"hidden check text in the release: {secret}"
    # What the grade cells in the release do say: the public checks, by name.
    assert all(c.name in text for c in checks if c.visibility == "public")


def test_release_quiz_shows_every_question_and_no_answer(release: Path, course: Course) -> None:
    cell = solution_cell(nbformat.read(release / "quiz.ipynb", as_version=4), "quiz-ANSWERS")
    reference = (course.solutions / "quiz.py").read_text(encoding="utf-8")
    questions = [line.strip() for line in reference.splitlines() if line.strip().startswith("#") and "###" not in line]
    assert len(questions) >= 10 and all(q in cell.source for q in questions)
    namespace: dict[str, object] = {}
    exec(cell.source, namespace)  # the kit's stub, not nbgrader's `raise NotImplementedError()` inside a dict
    answers = namespace["ANSWERS"]
    assert isinstance(answers, dict) and len(answers) >= 10 and set(answers.values()) == {...}


# --------------------------------------------------------------------------- autograde


def test_gradebook_agrees_with_autograder_grade_check_by_check(
        built: BuiltCourse, submitted: dict[str, Path], gradebook: object, grader: Grader) -> None:
    scores: dict[tuple[str, str], float] = {}
    for student, folder in submitted.items():
        for path in sorted(folder.glob("*.ipynb")):
            exercise = path.stem
            result = grader.grade(path, only=[exercise])
            [mine] = result.exercises
            book = gradebook.find_submission_notebook(exercise, ASSIGNMENT, student)  # type: ignore[attr-defined]
            assert (book.score, book.max_score) == (mine.score, mine.max_score), (student, exercise)
            assert book.max_score == built.points[exercise]
            for check in mine.checks:
                cell = grade_id(exercise, check.visibility, check.id)
                recorded = gradebook.find_grade(cell, exercise, ASSIGNMENT, student)  # type: ignore[attr-defined]
                assert recorded.score == check.score, (student, exercise, check.id, check.status, check.message)
            scores[student, exercise] = mine.score
    for exercise in EXERCISES:
        assert scores["reference", exercise] == built.points[exercise]
        assert scores["release", exercise] == 0
    assert 0 < scores["wrong_mlp", "mlp"] < built.points["mlp"]
    assert 0 < scores["wrong_padding", "padding"] < built.points["padding"]
    assert scores["quiz_partly", "quiz"] == 2, "exactly its right answers"
    assert gradebook.find_submission("ps1", "hostile").score == scores["hostile", "views"]  # type: ignore[attr-defined]


def test_hostile_notebook_earns_only_what_its_honest_code_earns(
        submitted: dict[str, Path], gradebook: object, grader: Grader, tmp_path: Path) -> None:
    """Its patches reach only its own sandboxed process: no check passes that its honest code (the same
    notebook without the patches) fails. (They can cost it: the child's own probes use isinstance.)"""
    honest = nbformat.read(submitted["hostile"] / "views.ipynb", as_version=4)
    solution_cell(honest, "views-reshape_shared").source = HONEST
    nbformat.write(honest, tmp_path / "views.ipynb")
    earned = grader.grade(tmp_path / "views.ipynb", only=["views"])
    for check in earned.checks:
        cell = grade_id("views", check.visibility, check.id)
        recorded = gradebook.find_grade(cell, "views", ASSIGNMENT, "hostile").score  # type: ignore[attr-defined]
        assert recorded <= check.score, check.id
    recorded = gradebook.find_submission_notebook("views", ASSIGNMENT, "hostile").score  # type: ignore[attr-defined]
    assert 0 < recorded <= earned.score < 10


def test_autograded_notebooks_say_why_and_nothing_went_to_stderr(built: BuiltCourse,
                                                                 submitted: dict[str, Path]) -> None:
    autograded = built.root / "autograded" / "wrong_padding" / ASSIGNMENT / "padding.ipynb"
    cells = [c for c in nbformat.read(autograded, as_version=4).cells if c.metadata.nbgrader.grade]
    assert all(c.outputs for c in cells)
    assert not any(o.get("name") == "stderr" for c in cells for o in c.outputs)
    failed = [c for c in cells if any(o.output_type == "error" for o in c.outputs)]
    assert failed and all("failed" in c.outputs[0].text for c in failed)
    assert any("expected 8" in c.outputs[0].text for c in failed)  # the public check's message, as the kit words it


def test_gradebook_holds_no_hidden_check_code(built: BuiltCourse, submitted: dict[str, Path], course: Course) -> None:
    with sqlite3.connect(built.root / "gradebook.db") as db:
        stored = "\n".join(source or "" for (source,) in db.execute("SELECT source FROM source_cell"))
    assert "grade('hidden/test_mlp.py::" in stored  # the grade cells' calls are there
    for exercise in EXERCISES:
        code = (course.hidden / f"test_{exercise}.py").read_text(encoding="utf-8")
        lines = [line for line in _meaningful_lines(code) if len(line) > 15 and not line.startswith(('"""', "#"))]
        assert lines and not [line for line in lines if line in stored]


def test_preprocessor_unit_scores_each_grade_cell_as_nbgrader_reads_it(
        built: BuiltCourse, release: Path, grader: Grader) -> None:
    from nbgrader.utils import determine_grade

    notebook = edited(built.root / "source" / ASSIGNMENT / "mlp.ipynb", "mlp-MLP",
                      "self.output(self.act(self.hidden(x)))", "self.output(self.hidden(x))")
    extra = nbformat.v4.new_code_cell("grade('public/test_mlp.py::test_gone')", metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "task": False, "grade_id": "mlp-public-gone", "points": 2,
        "schema_version": 3}})
    notebook.cells.append(extra)
    result = autograde_notebook(notebook, "mlp", grader, label="unit")
    assert result is not None
    by_cell = {grade_id("mlp", c.visibility, c.id): c for c in result.checks}
    for cell in notebook.cells:
        if cell.metadata.nbgrader.grade:
            score, _ = determine_grade(cell)
            check = by_cell.get(cell.metadata.nbgrader.grade_id)
            assert score == (check.score if check else 0), cell.metadata.nbgrader.grade_id
    assert "no check of the course has grade id mlp-public-gone" in extra.outputs[0].text
    assert 0 < result.score < result.max_score
    # A notebook named after no exercise: every grade cell 0, saying why.
    stranger = nbformat.read(release / "mlp.ipynb", as_version=4)
    assert autograde_notebook(stranger, "nope", grader, label="unit") is None
    cells = [c for c in stranger.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert all(determine_grade(c)[0] == 0 and "nope.ipynb is not an exercise" in c.outputs[0].text for c in cells)


def test_preprocessor_reads_its_course_from_the_config(built: BuiltCourse) -> None:
    from traitlets.config.loader import PyFileConfigLoader

    import autograder.nbgrader as kit

    config = PyFileConfigLoader(built.config.name, path=str(built.root)).load_config()
    preprocessor = kit.GradeWithKit(config=config)
    assert preprocessor.enabled and Path(preprocessor.course) == ROOT and preprocessor.time_limit == 10.0


# --------------------------------------------------------------------------- the grade cells in a real kernel


def test_grade_cells_in_a_kernel_print_the_kit_message_and_raise_on_failure(
        release: Path, built: BuiltCourse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The student's view: the release as handed out (with its course/), padding filled in with `+ 1`
    forgotten, run by a real kernel as Jupyter runs it."""
    from nbclient import NotebookClient
    from nbgrader.utils import determine_grade

    ensure_kernel("python3")
    shutil.copytree(release, tmp_path / "student")
    path = tmp_path / "student" / "padding.ipynb"
    notebook = nbformat.read(path, as_version=4)
    source = nbformat.read(built.root / "source" / ASSIGNMENT / "padding.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.metadata.nbgrader.solution:
            cell.source = solution_cell(source, cell.metadata.nbgrader.grade_id).source.replace("// stride + 1",
                                                                                                "// stride")
    nbformat.write(notebook, path)
    notebook.cells.append(nbformat.v4.new_code_cell(
        "import autograder.nbgrader as kit; print(len(kit._GRADERS), len(kit._LAST))"))
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    monkeypatch.delenv("AUTOGRADER_COURSE", raising=False)
    NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    grade_cells = {c.metadata.nbgrader.grade_id: c for c in notebook.cells
                   if c.metadata.get("nbgrader", {}).get("grade")}
    assert not any(o.get("name") == "stderr" for c in notebook.cells for o in c.get("outputs", ()))
    examples = grade_cells["padding-public-test_conv_output_size_examples"]
    assert determine_grade(examples)[0] == 0
    assert [o.output_type for o in examples.outputs] == ["stream", "error"]
    assert examples.outputs[1].ename == "AssertionError"
    assert "expected 8" in examples.outputs[0].text and "the notebook Jupyter runs" in examples.outputs[0].text
    same = grade_cells["padding-public-test_same_padding_odd_kernels"]
    assert determine_grade(same)[0] == 1 and same.outputs[0].text.startswith("passed: ")
    # Several grade cells, one grader and one grading of the unchanged notebook.
    assert notebook.cells[-1].outputs[0].text.split() == ["1", "1"]


def test_grade_finds_the_notebook_in_the_working_directory_without_jupyter(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from autograder.nbgrader import _find_notebook

    (tmp_path / "mlp.ipynb").write_text(json.dumps({}), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    path, how = _find_notebook("mlp")
    assert path == tmp_path / "mlp.ipynb" and "working directory" in how
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "elsewhere" / "gone.ipynb"))
    assert _find_notebook("mlp")[0] == tmp_path / "mlp.ipynb"
    with pytest.raises(AssertionError, match=r"no padding\.ipynb"):
        _find_notebook("padding")
