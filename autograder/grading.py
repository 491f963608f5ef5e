"""Grading submissions: the checks of a course run by pytest against one submission at a time.

`Grader` keeps its runner (and so the sandbox's warm zygote) and the imported checks between
submissions, so only the first submission pays for start-up; `grade_many` also keeps one pytest
grading (collection, configuration) for all the submissions it is given::

    with Grader(Course.find(), runner="sandbox") as grader:
        result = grader.grade(path)
        grader.grade_many(paths, on_graded=store)

pytest runs in this process, hardened: only the course's own check files are collected, with
no conftest, ini file, plugin auto-loading or environment options, and the submission's
directory is never put on the grader's ``sys.path``.

Importing this module imports no torch: `Grader` starts the sandbox's zygote (whose warm-up is a
torch import) before the grader imports torch itself, so the two imports run side by side.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import io
import math
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from autograder.catalog import Course, Exercise, Settings
from autograder.errors import CourseError, SubmissionError, UsageError
from autograder.plugin import (
    GRADING,
    CheckInfo,
    Collector,
    Grading,
    References,
    available_devices,
    check_info,
    marker_limit,
)
from autograder.result import ExerciseResult, Result, Status
from autograder.runner import RunnerKind, make_runner
from autograder.submission import NotebookConverter, staged

if TYPE_CHECKING:
    from autograder.runner.client import Runner

__all__ = ["SCALE", "SCALED_FLOOR", "Grader", "grade"]

#: With scaled limits, how many times the reference's own time a run of a check may take...
SCALE = 20.0
#: ...but never less than this many seconds: a correct answer written more slowly than the
#: reference (Python loops where it vectorises) and a loaded machine both stay well inside.
SCALED_FLOOR = 2.0

#: Environment variables that would let the environment change how pytest runs the checks.
_PYTEST_ENV = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")


#: pytest plugins a grading run does without: terminal output, caches and per-test bookkeeping
#: the result model replaces (unraisableexception alone runs gc.collect five times per session).
_QUIET_PLUGINS = tuple(
    arg for name in ("terminal", "cacheprovider", "stepwise", "unraisableexception", "threadexception",
                     "faulthandler", "logging", "pastebin", "junitxml", "doctest", "setupplan", "setuponly",
                     "warnings", "legacypath", "debugging", "python_path", "unittest", "capture", "nose")
    for arg in ("-p", f"no:{name}")
)


class _Inject:
    """Hands the grading to the plugin before anything else configures."""

    def __init__(self, grading: Grading) -> None:
        self.grading = grading

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[GRADING] = self.grading


@contextlib.contextmanager
def _hardened_environment() -> Iterator[None]:
    saved = {name: os.environ.pop(name, None) for name in _PYTEST_ENV}
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class Grader:
    """Grades submissions for one course, keeping its runner warm between them."""

    def __init__(self, course: Course, *, runner: RunnerKind | Runner = "sandbox", hidden: bool = True,
                 devices: Iterable[str] | None = None, time_limit: float | None = None,
                 budget: float | None = None, reveal: bool = False, scaled_limits: bool = False) -> None:
        """
        Args:
            course: the course whose checks grade the submissions.
            runner: "sandbox" (student code in confined child processes), "inprocess"
                (no isolation: for debugging and comparisons) or a runner instance.
            hidden: run the hidden checks too (False for a student's local check).
            devices: devices value checks run on (default: cpu, plus cuda when available).
            time_limit: seconds each run of a check may take (a check's ``time_limit`` marker
                wins); None: the course's setting (`Course.settings`, default 10 s).
            budget: seconds for a whole submission; checks that would start later time out.
                None: the course's setting (default 120 s); ``math.inf``: no cap.
            reveal: hidden checks show expected values in their messages, as public ones do
                (an instructor's view: never hand such a result to a student).
            scaled_limits: before a session's first submission, grade the reference solution once
                and give each run of a check SCALE times the reference's own time on it, at
                least SCALED_FLOOR seconds and at most its usual limit: a hang then costs about
                2 s instead of 10 (for a batch; needs hidden checks, which have the reference).

        Raises:
            CourseError: the course's ``autograder.toml`` is invalid.
            UsageError: a time limit or budget that is not a positive number; hidden checks for
                a course without solutions.
        """
        course_settings = course.settings() if time_limit is None or budget is None else Settings()
        if time_limit is None:
            time_limit = course_settings.time_limit
        elif not 0 < time_limit < math.inf:
            raise UsageError(f"the time limit must be a positive number of seconds, got {time_limit:g}")
        if budget is None:
            budget = course_settings.budget
        elif not budget > 0:
            raise UsageError(f"the budget must be a positive number of seconds, got {budget:g}")
        if hidden and not course.has_solutions:
            raise UsageError(f"{course.root} has no solutions/: hidden checks need the reference solutions")
        self.course = course
        self.hidden = hidden
        #: seconds each run of a check may take
        self.time_limit: float = time_limit
        #: seconds for a whole submission (None: no cap)
        self.budget: float | None = None if budget is None or math.isinf(budget) else budget
        self.reveal = reveal
        self.scaled_limits = scaled_limits and hidden
        # First, before anything imports torch here: a zygote's own torch import then runs alongside.
        self._runner = make_runner(runner, hide=(str(course.root),), preload=course.preload()) \
            if isinstance(runner, str) else runner
        if self._runner.report.mode != "in-process":
            import torch

            # One thread for the grader's own (small) reference computations: idle OpenMP
            # workers spin for a while after each op and would take the core the student's
            # process needs.
            torch.set_num_threads(1)
        self._devices = tuple(devices) if devices is not None else None
        self._references = References(course.solutions if course.has_solutions else None)
        # Deleting a staged copy can take milliseconds while children's mount namespaces come
        # and go: it happens beside the grading, not in its way.
        self._cleaner = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="autograder-cleanup")

    @property
    def runner(self) -> Runner:
        return self._runner

    def close(self) -> None:
        self._runner.close()
        self._cleaner.shutdown(wait=True)

    def _remove_later(self, root: Path) -> None:
        self._cleaner.submit(shutil.rmtree, root, ignore_errors=True)

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def grade(self, submission: Path, *, only: Iterable[str] = (), label: str | None = None,
              on_collected: Callable[[int], None] | None = None,
              on_result: Callable[[str, Status], None] | None = None) -> Result:
        """Grade one submission (a directory, a .zip, a .py or an .ipynb file) and return its result.

        Student code that fails, hangs or cheats yields a result, never an exception.

        Raises:
            SubmissionError: the submission cannot be opened.
            UsageError: `only` names an unknown exercise.
            CourseError: a check file is broken.
        """
        [outcome] = self._run([(submission, label if label is not None else str(submission))], only,
                              on_collected=on_collected, on_result=on_result)
        if isinstance(outcome, SubmissionError):
            raise outcome
        return outcome

    def grade_many(self, submissions: Iterable[Path], *, only: Iterable[str] = (),
                   on_graded: Callable[[Path, Result | SubmissionError], None] | None = None,
                   stop_at_first_loss: bool = False) -> list[Result | SubmissionError]:
        """Grade submissions one after another in a single pytest session, which collects the
        checks once (a tenth of a second saved per submission).

        `submissions` is read lazily, so it may be fed from a queue. Each outcome is the
        submission's `Result`, or the `SubmissionError` that says why it could not be opened;
        `on_graded` hears of each as soon as it is known, so a caller can store it at once.
        With `stop_at_first_loss`, a submission's grading stops after the first check that does
        not pass, and its result holds only the checks run so far: for a caller that only asks
        whether a submission loses points (the audit), never for a grade.

        Raises:
            UsageError: `only` names an unknown exercise.
            CourseError: a check file is broken.
        """
        return self._run(((path, str(path)) for path in submissions), only, on_graded=on_graded,
                         stop_at_first_loss=stop_at_first_loss)

    def checks(self, *, only: Iterable[str] = ()) -> tuple[CheckInfo, ...]:
        """What every check of the course (or of the exercises in `only`) is: its id, name,
        exercise, visibility, points and requirements, in the order the checks run. Collects
        the check files without grading anything.

        Raises:
            UsageError: `only` names an unknown exercise.
            CourseError: a check file is broken.
        """
        return self._session((), only).checks

    def _run(self, submissions: Iterable[tuple[Path, str]], only: Iterable[str], *,
             on_collected: Callable[[int], None] | None = None,
             on_result: Callable[[str, Status], None] | None = None,
             on_graded: Callable[[Path, Result | SubmissionError], None] | None = None,
             stop_at_first_loss: bool = False) -> list[Result | SubmissionError]:
        return self._session(submissions, only, on_collected=on_collected, on_result=on_result,
                             on_graded=on_graded, stop_at_first_loss=stop_at_first_loss,
                             calibrate=self.scaled_limits).outcomes

    def _session(self, submissions: Iterable[tuple[Path, str]], only: Iterable[str], *,
                 on_collected: Callable[[int], None] | None = None,
                 on_result: Callable[[str, Status], None] | None = None,
                 on_graded: Callable[[Path, Result | SubmissionError], None] | None = None,
                 stop_at_first_loss: bool = False, calibrate: bool = False) -> _Loop:
        """One pytest session: collect the checks, then (having timed the reference, with
        `calibrate`) grade each submission in turn."""
        exercises = self.course.select(only)
        files = [str(f) for ex in exercises for f in ex.check_files(hidden=self.hidden)]
        if not files:
            raise CourseError(f"{self.course.tests} has no checks for {', '.join(e.name for e in exercises)}")
        devices = self._devices if self._devices is not None else available_devices()
        grading = Grading(runner=self._runner, references=self._references, devices=devices,
                          time_limit=self.time_limit, brief_reports=True, reveal=self.reveal)
        loop = _Loop(self, grading, exercises, submissions, on_collected=on_collected, on_result=on_result,
                     on_graded=on_graded, stop_at_first_loss=stop_at_first_loss,
                     calibrate=calibrate)
        code = self._run_pytest(files, grading, loop)
        if loop.error is not None:
            raise loop.error
        if grading.collection_errors:
            raise CourseError("a check file could not be loaded: " + "; ".join(grading.collection_errors))
        if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.NO_TESTS_COLLECTED):
            raise CourseError(f"pytest stopped with {pytest.ExitCode(code).name} while running the checks")
        return loop

    def _forget_other_checks(self, files: list[str]) -> None:
        """pytest (importlib mode) names a check module after its path below the rootdir and
        reuses a module of that name already imported, which may come from another course
        graded in this process (every course has a "hidden/test_mlp.py"). Forget those."""
        for file in files:
            relative = Path(file).relative_to(self.course.tests).with_suffix("")
            name = ".".join(relative.parts)
            module = sys.modules.get(name)
            if module is not None and os.path.realpath(getattr(module, "__file__", "") or "") != os.path.realpath(file):
                del sys.modules[name]

    def _run_pytest(self, files: list[str], grading: Grading, loop: _Loop) -> int:
        self._forget_other_checks(files)
        args = [
            *files,
            "-p", "autograder.plugin", *_QUIET_PLUGINS,
            "--noconftest", "--rootdir", str(self.course.tests), "-c", os.devnull,
            "--import-mode=importlib",
        ]
        sink = io.StringIO()
        with _hardened_environment(), contextlib.redirect_stdout(sink):
            return pytest.main(args, plugins=[_Inject(grading), loop])


def _with_stdout(callback: Callable[..., None] | None, stdout: Any) -> Callable[..., None] | None:
    if callback is None:
        return None

    def call(*args: Any) -> None:
        with contextlib.redirect_stdout(stdout):
            callback(*args)

    return call


class _Loop:
    """Replaces pytest's test loop: runs every collected check once per submission.

    Exceptions that are not a submission's doing (an interrupt, a broken sandbox) stop the
    loop and are raised again by the grader once pytest has finished, instead of being
    printed by pytest as an internal error.
    """

    def __init__(self, grader: Grader, grading: Grading, exercises: tuple[Exercise, ...],
                 submissions: Iterable[tuple[Path, str]], *,
                 on_collected: Callable[[int], None] | None, on_result: Callable[[str, Status], None] | None,
                 on_graded: Callable[[Path, Result | SubmissionError], None] | None,
                 stop_at_first_loss: bool = False, calibrate: bool = False) -> None:
        self.grader = grader
        self.calibrate = calibrate
        self.stop_at_first_loss = stop_at_first_loss
        self.grading = grading
        self.exercises = exercises
        self.submissions = submissions
        # pytest runs with stdout redirected; the caller's callbacks print where the caller does.
        self.on_collected = _with_stdout(on_collected, sys.stdout)
        self.on_result = _with_stdout(on_result, sys.stdout)
        self.on_graded = _with_stdout(on_graded, sys.stdout)
        self.outcomes: list[Result | SubmissionError] = []
        self.error: BaseException | None = None
        #: the collected checks, once per check however many devices it runs on
        self.checks: tuple[CheckInfo, ...] = ()
        self.notebooks = _notebook_converter(grader.course, exercises)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        if self.grading.collection_errors:
            return True
        self.checks = tuple({info.id: info for info in map(check_info, session.items)}.values())
        try:
            if self.calibrate:
                self._scale_limits(session.items)
            for path, label in self.submissions:
                outcome = self._grade(session.items, path, label)
                self.outcomes.append(outcome)
                if self.on_graded is not None:
                    self.on_graded(path, outcome)
        except BaseException as exc:  # raised again by the grader, after pytest
            self.error = exc
        return True

    def _scale_limits(self, items: list[pytest.Item]) -> None:
        """Grade the reference and limit each run of a check to SCALE times the reference's own
        time on it (set-up and teardown included), at least SCALED_FLOOR seconds and never more
        than its usual limit. A run the reference does not pass keeps its usual limit."""
        grading, timings = self.grading, dict[str, float]()
        on_result, self.on_result = self.on_result, None
        try:
            self._grade(items, self.grader.course.solutions, "the reference (timing the checks)", timings=timings)
        finally:
            self.on_result = on_result
        passed = {check.id for checks in grading.collector.results().values() for check in checks if check.passed}
        for item in items:
            usual = marker_limit(item) or grading.time_limit
            if item.nodeid in timings and check_info(item).id in passed:
                grading.limits[item.nodeid] = min(usual, max(SCALED_FLOOR, SCALE * timings[item.nodeid]))

    def _grade(self, items: list[pytest.Item], path: Path, label: str, *,
               timings: dict[str, float] | None = None) -> Result | SubmissionError:
        started = time.monotonic()
        grader, grading = self.grader, self.grading
        grading.collector = Collector(on_result=self.on_result)
        grading.deadline = started + grader.budget if grader.budget else None
        if self.on_collected is not None:
            self.on_collected(len(items))
        runner = grader.runner
        try:
            with staged(path, remove=grader._remove_later, notebooks=self.notebooks) as directory:
                runner.load(directory)
                try:
                    for i, item in enumerate(items):
                        nextitem = items[i + 1] if i + 1 < len(items) else None
                        ran, waited = time.monotonic(), runner.waited
                        item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
                        if timings is not None:  # the check's own time: not the wait for a process to start
                            timings[item.nodeid] = time.monotonic() - ran - (runner.waited - waited)
                        if self.stop_at_first_loss and not grading.collector.all_passed and nextitem is not None:
                            # The item was torn down only as far as the next one needs: finish the
                            # teardown, as pytest does after its last item, or the next submission's
                            # first set-up finds fixtures of this one still standing.
                            item.session._setupstate.teardown_exact(None)
                            break
                finally:
                    report = runner.report
                    runner.unload()
        except SubmissionError as error:
            return error
        grouped = grading.collector.results()
        return Result(
            exercises=tuple(ExerciseResult(name=ex.name, title=ex.title, checks=tuple(grouped.get(ex.name, ())))
                            for ex in self.exercises),
            submission=label,
            duration_s=time.monotonic() - started,
            sandbox=report,
        )


def _notebook_converter(course: Course, exercises: tuple[Exercise, ...]) -> NotebookConverter:
    """How staging turns a submitted `<exercise>.ipynb` into `<exercise>.py`: rebuilt around the
    course's own given code when it has solutions (see `notebooks.module_from_notebook`). A notebook
    of no exercise being graded is left alone, so it is never read."""
    names = frozenset(ex.name for ex in exercises)

    def convert(path: Path) -> str | None:
        if path.stem not in names:
            return None
        # Imported here: .py submissions never pay for nbformat.
        from autograder.notebooks import module_from_notebook, read_notebook

        return module_from_notebook(read_notebook(path), path.stem, course.solution_source(path.stem))

    return convert


def grade(submission: Path | str, *, course: Course | str | None = None, only: Iterable[str] = (),
          runner: RunnerKind = "sandbox", **options: Any) -> Result:
    """Grade one submission with a fresh grader (see `Grader` for the options)."""
    if not isinstance(course, Course):
        course = Course.find(course)
    with Grader(course, runner=runner, **options) as grader:
        return grader.grade(Path(submission), only=only)
