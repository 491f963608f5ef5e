"""The kit inside nbgrader: building a course of notebooks, the grade cells' runtime, and the autograde preprocessor."""

from __future__ import annotations

# nbgrader, nbconvert and nbformat are imported inside the functions that use them: the grade-cell
# runtime and the kit itself work where nbgrader is not installed.
import atexit
import contextlib
import functools
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograder.catalog import COURSE_ENV, Course, Exercise
from autograder.errors import CourseError, SubmissionError, UsageError
from autograder.plugin import DEFAULT_TIME_LIMIT, CheckInfo
from autograder.render._text import STATUS_WORDS, feedback
from autograder.result import CheckResult, Fault, Result, Status

if TYPE_CHECKING:
    from nbformat import NotebookNode

    from autograder.grading import Grader

__all__ = [
    "DEFAULT_KERNEL",
    "IGNORE_PATTERN",
    "BuiltCourse",
    "autograde_notebook",
    "build_course",
    "ensure_kernel",
    "grade",
    "grade_id",
]

#: The kernel the notebooks name and nbgrader's Execute is pinned to: ipykernel's own.
DEFAULT_KERNEL = "python3"
#: nbgrader's hidden-test markers (ClearHiddenTests' defaults).
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
#: What PyTorch prints to stderr while working correctly: Python warnings as `warnings` formats them
#: ("file.py:12: UserWarning: …"), and c10's own log lines ("[W NNPACK.cpp:53] …", "[W1129 12:00:00 …]").
#: nbgrader scores any stderr output of a grade cell as a failure; IgnorePattern drops what matches.
IGNORE_PATTERN = r"(:\d+: \w*Warning: |(^|\n)\[W[0-9 ])"
#: Seconds a kernel may need before a notebook's first grade cell grades anything: importing torch
#: and the kit, and starting the kit's sandbox (a few seconds on an idle machine, much more on a busy one).
STARTUP_S = 120
#: Runs per check in the worst case: cpu, meta and cuda.
RUNS_PER_CHECK = 3
#: Names nbgrader accepts as an assignment id and a grade id.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*")
_CHECK_ID = re.compile(r"(public|hidden)/test_(\w+)\.py::(.+)")
_TEMPLATES = "templates"


def _fail(message: str) -> AssertionError:
    """A failed grade cell's error: raised, so that nbgrader and Jupyter both see the failure."""
    return AssertionError(message)


# --------------------------------------------------------------------------- ids


def grade_id(exercise: str, visibility: str, check_id: str) -> str:
    """The nbgrader grade id of a check's grade cell: f"{exercise}-public-{function}" for a public
    check; for a hidden one a digest of its id, so that the release (whose metadata keeps grade
    ids) does not name what a hidden check tests."""
    if visibility == "hidden":
        return f"{exercise}-hidden-{hashlib.sha256(check_id.encode()).hexdigest()[:12]}"
    function = re.sub(r"[^A-Za-z0-9_]", "_", check_id.rpartition("::")[2])
    return f"{exercise}-public-{function}"


def _cell_id(name: str) -> str:
    # nbformat 4.5 cell ids: stable across rebuilds, at most 64 characters.
    return hashlib.sha256(name.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- building


@dataclass(frozen=True, slots=True)
class BuiltCourse:
    """What `build_course` wrote."""

    root: Path
    config: Path
    assignment: str
    #: source/<assignment>/<exercise>.ipynb, in course order
    notebooks: tuple[Path, ...]
    #: the kit's points per exercise (the grade cells' points add up to them)
    points: Mapping[str, float]


def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    environment = Environment(loader=PackageLoader("autograder", _TEMPLATES), undefined=StrictUndefined,
                              autoescape=False, keep_trailing_newline=True)
    environment.filters["pyrepr"] = repr
    environment.filters["points"] = lambda value: f"{value:g} point{'' if value == 1 else 's'}"
    return environment


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def build_course(course: Course, out_dir: Path, *, assignment: str = "ps1", exercises: Iterable[str] = (),
                 course_id: str | None = None, kernel: str = DEFAULT_KERNEL,
                 time_limit: float | None = None) -> BuiltCourse:
    """Write an nbgrader course for `course` into `out_dir`.

    It holds ``nbgrader_config.py`` (autograding with `GradeWithKit` against `course`),
    ``source/<assignment>/<exercise>.ipynb`` per exercise, and ``source/<assignment>/course/``: what
    a student's kernel needs to run the public checks (the stubs and the public check files, never
    solutions or hidden checks), which nbgrader hands out with the release.

    Args:
        course: the kit course (with solutions/) the notebooks are made from and graded with.
        out_dir: the nbgrader course directory (created if needed; the files named above are replaced).
        assignment: the nbgrader assignment id.
        exercises: the exercises to include (default: all).
        course_id: nbgrader's course id (default: the name of `out_dir`).
        kernel: the Jupyter kernel the notebooks run in.
        time_limit: seconds per check and device for the kit's grading (default: the course's setting).

    Raises:
        UsageError: an unknown exercise, a bad assignment id, or a course without solutions.
        CourseError: the course's solutions or checks are broken.
    """
    import nbformat

    from autograder.grading import Grader
    from autograder.notebooks import split_module

    if not _ID.fullmatch(assignment):
        raise UsageError(f"assignment {assignment!r} is not a valid nbgrader id (letters, digits, _ and -)")
    if not course.has_solutions:
        raise UsageError(f"{course.root} has no solutions/: the notebooks are made from the reference solutions")
    chosen = course.select(list(exercises))
    out_dir = out_dir.resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir} exists and is not a directory")
    course_id = course_id if course_id is not None else re.sub(r"[^A-Za-z0-9_\-]", "-", out_dir.name) or "course"
    with Grader(course, runner="inprocess") as lister:
        checks = lister.checks(only=[ex.name for ex in chosen])
    environment = _environment()
    source = out_dir / "source" / assignment
    source.mkdir(parents=True, exist_ok=True)
    notebooks: list[Path] = []
    points: dict[str, float] = {}
    for exercise in chosen:
        own = [c for c in checks if c.exercise == exercise.name]
        if not own:
            raise CourseError(f"exercise {exercise.name} has no checks: its notebook would have nothing to grade")
        cells = split_module((course.solutions / f"{exercise.name}.py").read_text(encoding="utf-8"), exercise.name)
        text = environment.get_template("nbgrader_notebook.ipynb.j2").render(
            exercise=exercise, cells=cells, checks=[_check_cell(c) for c in own], kernel=kernel,
            cell_id=_cell_id, begin_hidden=BEGIN_HIDDEN, end_hidden=END_HIDDEN)
        notebook = nbformat.reads(text, as_version=4)  # type: ignore[no-untyped-call]
        nbformat.validate(notebook)
        _validate_nbgrader(notebook, exercise.name)
        path = source / f"{exercise.name}.ipynb"
        nbformat.write(notebook, str(path))  # type: ignore[no-untyped-call]
        notebooks.append(path)
        points[exercise.name] = sum(c.points for c in own)
    _bundle(course, source / "course", chosen)
    worst = max(sum(1 for c in checks if c.exercise == ex.name) for ex in chosen)
    if time_limit is None:
        time_limit = course.settings().time_limit
    config = out_dir / "nbgrader_config.py"
    config.write_text(environment.get_template("nbgrader_config.py.j2").render(
        course_id=course_id, kit_course=str(course.root), kernel=kernel, assignment=assignment,
        exercises=[ex.name for ex in chosen], out_dir=str(out_dir), time_limit=time_limit,
        timeout=int(STARTUP_S + worst * time_limit * RUNS_PER_CHECK), ignore_pattern=IGNORE_PATTERN,
    ), encoding="utf-8")
    return BuiltCourse(root=out_dir, config=config, assignment=assignment, notebooks=tuple(notebooks),
                       points=points)


def _check_cell(check: CheckInfo) -> dict[str, Any]:
    return {"id": check.id, "name": check.name, "visibility": check.visibility, "points": _number(check.points),
            "grade_id": grade_id(check.exercise, check.visibility, check.id)}


def _validate_nbgrader(notebook: NotebookNode, exercise: str) -> None:
    """nbgrader's own metadata validator, where nbgrader is installed (the tests always run it)."""
    try:
        from nbgrader.nbgraderformat import MetadataValidator, ValidationError
    except ImportError:
        return
    try:
        MetadataValidator().validate_nb(notebook)
    except ValidationError as error:
        raise CourseError(f"the notebook of {exercise} has invalid nbgrader metadata: {error}") from None


def _bundle(course: Course, target: Path, exercises: Iterable[Exercise]) -> None:
    """The course a student's kernel grades public checks with: stubs and public checks only."""
    from autograder.stubs import strip_solutions

    if target.exists():
        shutil.rmtree(target)
    (target / "exercises").mkdir(parents=True)
    (target / "tests" / "public").mkdir(parents=True)
    for exercise in exercises:
        solution = course.solutions / f"{exercise.name}.py"
        (target / "exercises" / solution.name).write_text(
            strip_solutions(solution.read_text(encoding="utf-8"), filename=str(solution)), encoding="utf-8")
        if exercise.public_checks is not None:
            shutil.copyfile(exercise.public_checks, target / "tests" / "public" / exercise.public_checks.name)


def ensure_kernel(name: str = DEFAULT_KERNEL) -> None:
    """Register the Jupyter kernel `name` for this Python (in its prefix) unless Jupyter knows it."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        subprocess.run([sys.executable, "-m", "ipykernel", "install", "--sys-prefix", "--name", name],
                       check=True, stdout=subprocess.DEVNULL)


# --------------------------------------------------------------------------- warm graders


_GRADERS: dict[tuple[str, bool, float], Grader] = {}


def _warm_grader(course: Course, *, hidden: bool, time_limit: float) -> Grader:
    """One sandboxed grader per course for the whole process (a kernel, an `nbgrader autograde` run)."""
    key = (str(course.root), hidden, time_limit)
    grader = _GRADERS.get(key)
    if grader is None:
        from autograder.grading import Grader

        grader = _GRADERS[key] = Grader(course, runner="sandbox", hidden=hidden, time_limit=time_limit)
    return grader


@atexit.register
def _close_graders() -> None:
    # At exit: the sandbox's zygote and children go with the process that started them.
    while _GRADERS:
        _, grader = _GRADERS.popitem()
        with contextlib.suppress(Exception):
            grader.close()


def _grade_module(grader: Grader, exercise: str, module: str, label: str) -> Result:
    """Grade the exercise module `module` (source text): its code runs only in the grader's sandbox."""
    with tempfile.TemporaryDirectory(prefix="autograder-nb-") as folder:
        (Path(folder) / f"{exercise}.py").write_text(module, encoding="utf-8")
        return grader.grade(Path(folder), only=[exercise], label=label)


def _report(check: CheckResult) -> str:
    """The kit's verdict on one check, as a grade cell prints it."""
    lines = [f"{STATUS_WORDS[check.status]}: {check.name} ({check.score:g}/{check.max_score:g})"]
    if check.status is not Status.PASSED:
        lines += filter(None, [feedback(check)])
        if check.fault is Fault.COURSE:
            lines.append("this check could not judge the submission through a fault of the course or the "
                         "grader, not of the submission: ask the instructor to regrade once it is fixed")
    return "\n".join(lines)


def _verdict(check: CheckResult) -> str:
    """A failed grade cell's error line (the details are in the printed report above it)."""
    return f"{STATUS_WORDS[check.status]} ({check.score:g}/{check.max_score:g}): {check.name}"


# --------------------------------------------------------------------------- grade cells in a kernel


@dataclass
class _Graded:
    module: str
    result: Result


#: The last grading per (course, exercise) in this kernel: grade cells of an unchanged notebook reuse it.
_LAST: dict[tuple[str, str], _Graded] = {}


def _find_notebook(exercise: str) -> tuple[Path, str]:
    """The notebook being run and how it was found: Jupyter's JPY_SESSION_NAME (its path), else
    <exercise>.ipynb in the working directory (the notebook's folder in a kernel)."""
    session = os.environ.get("JPY_SESSION_NAME", "")
    if session.endswith(".ipynb"):
        for candidate in (Path(session), Path.cwd() / Path(session).name):
            if candidate.is_file():
                return candidate.resolve(), f"the notebook Jupyter runs ({candidate})"
    here = Path.cwd() / f"{exercise}.ipynb"
    if here.is_file():
        return here, f"{here.name} in the working directory {here.parent}"
    raise _fail(f"cannot find the notebook to grade: JPY_SESSION_NAME is {'unset' if not session else repr(session)} "
                f"and there is no {exercise}.ipynb in {Path.cwd()}")


def _runtime_course(notebook: Path) -> Course:
    """$AUTOGRADER_COURSE (an instructor's full course), else the course/ handed out next to the notebook."""
    if os.environ.get(COURSE_ENV):
        return Course.find(os.environ[COURSE_ENV])
    bundled = notebook.parent / "course"
    if not (bundled / "tests" / "public").is_dir():
        raise _fail(f"no course to grade with: neither ${COURSE_ENV} nor {bundled}/tests/public exists "
                    "(the course/ folder is handed out with the assignment)")
    return Course(bundled.resolve())


def grade(check_id: str) -> None:
    """Run one of the kit's checks on the notebook this kernel runs, as last saved; what a grade cell calls.

    Prints the kit's verdict (and its message and hint when the check did not pass) and raises
    `AssertionError` unless the check passed. The first call grades the whole exercise with a
    sandboxed grader kept for the kernel's life; later calls on an unchanged notebook reuse that
    grading. Nothing goes to stderr (nbgrader scores any stderr output as a failure).

    Args:
        check_id: the check, e.g. "public/test_mlp.py::test_output_shape".
    """
    match = _CHECK_ID.fullmatch(check_id)
    if match is None:
        raise ValueError(f"not a check id: {check_id!r} (expected e.g. 'public/test_mlp.py::test_output_shape')")
    visibility, exercise = match[1], match[2]
    # The kit's own diagnostics (and any warning while it starts) go to stdout, never stderr.
    with contextlib.redirect_stderr(sys.stdout):
        notebook, found = _find_notebook(exercise)
        course = _runtime_course(notebook)
        hidden = course.has_solutions and course.hidden.is_dir()
        if visibility == "hidden" and not hidden:
            raise _fail(f"{check_id} is a hidden check: it runs when the notebook is graded (set ${COURSE_ENV} "
                        "to the instructor's course to run it here)")
        from autograder.notebooks import module_from_notebook, read_notebook

        try:
            module = module_from_notebook(read_notebook(notebook), exercise, course.solution_source(exercise))
        except SubmissionError as error:
            raise _fail(f"{notebook.name} cannot be graded: {error}") from None
        key = (str(course.root), exercise)
        graded = _LAST.get(key)
        if graded is None or graded.module != module:
            grader = _warm_grader(course, hidden=hidden, time_limit=course.settings().time_limit)
            graded = _LAST[key] = _Graded(module, _grade_module(grader, exercise, module, str(notebook)))
        check = next((c for c in graded.result.checks if c.id == check_id), None)
        if check is None:
            raise _fail(f"the course at {course.root} has no check {check_id}")
        print(_report(check))
        print(f"(graded {found}, as last saved: save the notebook before running its checks)")
    if not check.passed:
        raise _fail(_verdict(check))


# --------------------------------------------------------------------------- autograde preprocessor


def _node(data: dict[str, Any]) -> NotebookNode:
    import nbformat

    node: NotebookNode = nbformat.from_dict(data)  # type: ignore[no-untyped-call]
    return node


def _stdout(text: str) -> NotebookNode:
    return _node({"output_type": "stream", "name": "stdout", "text": text if text.endswith("\n") else text + "\n"})


def _error(name: str, message: str) -> NotebookNode:
    return _node({"output_type": "error", "ename": name, "evalue": message, "traceback": [f"{name}: {message}"]})


def _points_result(points: float, count: int) -> NotebookNode:
    # What a cell whose last expression is the number `points` outputs: nbgrader reads it with float().
    return _node({"output_type": "execute_result", "data": {"text/plain": f"{points:g}"}, "metadata": {},
                  "execution_count": count})


def _is_kit_grade_cell(cell: Any) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def autograde_notebook(notebook: NotebookNode, exercise: str, grader: Grader, *, label: str,
                       known_grade_cells: Mapping[str, tuple[str, float]] | None = None) -> Result | None:
    """Grade `notebook` (a submission of `exercise`) with `grader` and write every kit grade cell's
    outputs: a passed check, the kit's note and an ``execute_result`` of its points; anything
    else, the kit's message and hint and an ``error`` (0 points in nbgrader). Grade cells with no
    matching check get 0 and say why. No cell is executed.

    Args:
        notebook: the sanitized submission (nbgrader has restored its grade cells), changed in place.
        known_grade_cells: grade id → (source, points) of the grade cells nbgrader's gradebook knows
            for this notebook: those the student deleted are added back, so that each gets the kit's score.

    Returns:
        The kit's result, or None when the notebook could not be turned into the exercise module.
    """
    from autograder.notebooks import module_from_notebook

    reason = ""
    result: Result | None = None
    if exercise not in {ex.name for ex in grader.course.exercises()}:
        reason = f"{exercise}.ipynb is not an exercise of the course at {grader.course.root}"
    else:
        try:
            module = module_from_notebook(notebook, exercise, grader.course.solution_source(exercise))
        except SubmissionError as error:
            reason = f"the notebook cannot be graded: {error}"
        else:
            result = _grade_module(grader, exercise, module, label)
    by_grade_id = {} if result is None else {
        grade_id(exercise, check.visibility, check.id): check for check in result.checks}
    present = {cell.metadata.nbgrader.get("grade_id") for cell in notebook.cells if _is_kit_grade_cell(cell)}
    for missing, (source, points) in (known_grade_cells or {}).items():
        if missing not in present:
            notebook.cells.append(_node({
                "cell_type": "code", "execution_count": None, "outputs": [],
                "source": f"# this grade cell was missing from the submission: added back by the kit\n{source}",
                "metadata": {"nbgrader": {"grade": True, "solution": False, "locked": True, "task": False,
                                          "grade_id": missing, "points": _number(points), "schema_version": 3}}}))
    count = 0
    for cell in notebook.cells:
        if not _is_kit_grade_cell(cell):
            continue
        count += 1
        cell.execution_count = count
        cell_grade_id = cell.metadata.nbgrader.get("grade_id", "")
        check = by_grade_id.get(cell_grade_id)
        if check is None:
            why = reason or (f"no check of the course has grade id {cell_grade_id} "
                             "(rebuild the course with `autograder nbgrader build` and generate the assignment again)")
            cell.outputs = [_stdout(f"0 points: {why}"), _error("GradeCellError", why)]
        elif check.passed:
            cell.outputs = [_stdout(_report(check) + "\n(graded by torch-autograder, student code in its sandbox)"),
                            _points_result(check.score, count)]
        else:
            cell.outputs = [_stdout(_report(check)), _error("AssertionError", _verdict(check))]
    return result


def _gradebook_cells(resources: Mapping[str, Any]) -> dict[str, tuple[str, float]] | None:
    """The grade cells nbgrader's gradebook holds for the notebook being autograded."""
    info = resources.get("nbgrader")
    if not info or "db_url" not in info:
        return None
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(info["db_url"]) as gradebook:
        try:
            notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
        except MissingEntry:
            return None
        sources = {cell.name: cell.source for cell in notebook.source_cells}
        return {cell.name: (sources.get(cell.name, ""), float(cell.max_score)) for cell in notebook.grade_cells
                if cell.cell_type == "code" and cell.name not in {s.name for s in notebook.solution_cells}}


@functools.cache
def _preprocessor_class() -> type[Any]:
    """``GradeWithKit``, made on first use: it subclasses nbconvert's Preprocessor, which only
    nbgrader's process needs to import."""
    from nbconvert.preprocessors import Preprocessor
    from traitlets import Bool, Float, Unicode

    class GradeWithKit(Preprocessor):
        """Autograde with the kit: each notebook is graded in the kit's sandbox (no kernel, no
        executed cell) and its grade cells get outputs that make nbgrader record the kit's points.

        Configured in nbgrader_config.py::

            c.Autograde.autograde_preprocessors = ["autograder.nbgrader.GradeWithKit", ...]
            c.GradeWithKit.course = "/path/to/kit/course"
        """

        enabled = Bool(True, help="Whether to use this preprocessor").tag(config=True)
        course = Unicode("", help="The kit course (with solutions/ and tests/hidden/) to grade with "
                                  f"(default: ${COURSE_ENV})").tag(config=True)
        time_limit = Float(DEFAULT_TIME_LIMIT, help="Seconds each check may take on each device").tag(config=True)

        def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
            info = resources.get("nbgrader", {})
            exercise = info.get("notebook") or Path(resources.get("unique_key", "")).stem
            if not self.course and not os.environ.get(COURSE_ENV):
                raise CourseError("GradeWithKit.course is not set (nbgrader_config.py names the kit course)")
            course = Course.find(self.course or None)
            grader = _warm_grader(course, hidden=True, time_limit=self.time_limit)
            label = "/".join(str(info.get(k, "?")) for k in ("student", "assignment")) + f"/{exercise}.ipynb"
            known = _gradebook_cells(resources)
            result = autograde_notebook(nb, exercise, grader, label=label, known_grade_cells=known)
            if result is not None:
                self.log.info("graded %s with the kit: %g/%g", label, result.score, result.max_score)
            return nb, resources

    GradeWithKit.__module__ = __name__
    return GradeWithKit


@functools.cache
def _clear_solutions_class() -> type[Any]:
    """``ClearSolutions``, made on first use (it subclasses nbgrader's)."""
    from nbgrader.preprocessors import ClearSolutions as NbgraderClearSolutions

    from autograder.stubs import BEGIN, strip_solutions

    class ClearSolutions(NbgraderClearSolutions):  # type: ignore[misc]
        """nbgrader's ClearSolutions, with the kit's stubs in code cells: the release notebooks get
        exactly the stubs of the kit's hand-out, and a region of dict entries (a quiz's answers)
        keeps its keys with placeholder values, where nbgrader's one stub would break the dict.

        Configured in nbgrader_config.py, in nbgrader's GenerateAssignment pipeline in place of its own.
        """

        def _replace_solution_region(self, cell: NotebookNode, language: str) -> bool:
            if cell.cell_type != "code" or language != "python":
                return bool(super()._replace_solution_region(cell, language))
            if not any(line.strip() == BEGIN for line in cell.source.splitlines()):
                return False
            name = cell.metadata.get("nbgrader", {}).get("grade_id") or "a cell"
            cell.source = strip_solutions(cell.source, filename=name).rstrip("\n")
            return True

    ClearSolutions.__module__ = __name__
    return ClearSolutions


def __getattr__(name: str) -> Any:
    # `autograder.nbgrader.GradeWithKit` and `.ClearSolutions` are what nbgrader_config.py names; nbconvert and
    # nbgrader are imported only then.
    if name == "GradeWithKit":
        return _preprocessor_class()
    if name == "ClearSolutions":
        return _clear_solutions_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

