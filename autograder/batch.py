"""Grading a whole course: `autograder batch` into the gradebook, resumable after a crash.

Every entry of the submissions folder (a directory, a `.zip`, a `.py` or an `.ipynb`) is one
submission, its name the student id. The batch process alone writes the gradebook: each result is
committed as it arrives, so killing the batch loses at most the submissions being graded, and a
rerun grades exactly those (entries whose content was graded by this version of the course are
skipped). Grading itself happens in a `Backend`: warm graders in worker processes on this machine
(`LocalWorkers`), or on a Dask cluster (`autograder.distributed`).
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import platform
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Protocol

from autograder.bundle import kit_version
from autograder.catalog import Course
from autograder.errors import CourseError, GraderError, UsageError
from autograder.gradebook import Gradebook
from autograder.result import Result

__all__ = ["Backend", "BatchSummary", "Entry", "GraderFailed", "GradingOptions", "Job", "LocalWorkers",
           "course_version", "discover", "make_grader", "run_batch", "staged_job"]

#: A student id: what a submission's name must be (an LMS login, a number, an e-mail address).
STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}")
_SUFFIXES = (".zip", ".py", ".ipynb")
#: Files of the folder that are no submission: the gradebook's own, and what systems leave behind.
_IGNORED = re.compile(r"^\.|\.sqlite(-wal|-shm|-journal)?$|^(Thumbs\.db|desktop\.ini)$")
#: A worker process that dies while grading one submission is replaced; the submission is tried
#: again this many times in all before it is recorded as not gradable.
ATTEMPTS = 2


@dataclass(frozen=True, slots=True)
class Entry:
    """One submission found in the folder."""

    student: str
    path: Path
    #: sha256 of what would be graded (file names and bytes); for an entry that cannot be read,
    #: its name, size, times and mode (a chmod makes a new entry, tried again)
    content_hash: str
    #: why it cannot be graded, known before grading (a bad name, an unreadable file)
    problem: str | None = None
    #: a single-file submission: graded as this exercise's module
    as_exercise: str | None = None


@dataclass(frozen=True, slots=True)
class Job:
    """What a backend grades: an entry, as plain data that crosses processes."""

    key: int
    path: str
    as_exercise: str | None


class GraderFailed(str):
    """Why the grader, not the input, failed on a submission (its worker kept dying): recorded as
    'failed', so the next run tries it again. A plain string outcome is the input's fault."""

    __slots__ = ()


#: A job's outcome: the result as plain data (`Result.to_dict`), or why it could not be graded.
Outcome = dict[str, Any] | str


class Backend(Protocol):
    """Grades jobs somewhere; yields each job's outcome as soon as it is known, in any order."""

    workers: int
    scheduler: str | None

    def grade(self, jobs: Sequence[Job]) -> Iterator[tuple[Job, Outcome]]: ...

    def close(self) -> None: ...


@dataclass
class BatchSummary:
    """What a batch did."""

    total: int = 0
    graded: int = 0
    skipped: int = 0
    #: (student, why) of every submission that could not be graded
    rejected: list[tuple[str, str]] = field(default_factory=list)
    #: (student, score, max_score) of every submission graded in this run
    scores: list[tuple[str, float, float]] = field(default_factory=list)
    duration_s: float = 0.0


# --------------------------------------------------------------------------- finding submissions


def discover(folder: Path, exercises: Sequence[str]) -> list[Entry]:
    """Every submission in `folder`, by student id. A single `.py`/`.ipynb` holds one module, so
    it is a submission only when one exercise is graded; otherwise it is rejected with the reason."""
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a directory of submissions")
    entries = []
    for path in sorted(folder.iterdir()):
        if _IGNORED.search(path.name):
            continue
        is_dir = path.is_dir() and not path.is_symlink()
        student = path.name if is_dir else path.stem
        single = None
        problem = None
        if not is_dir and path.suffix not in _SUFFIXES:
            problem = f"{path.name} is not a directory, a .zip, a .py or an .ipynb file"
        elif path.is_symlink():
            problem = f"{path.name} is a symbolic link; submissions are real files or folders"
        elif not is_dir and not path.is_file():
            problem = f"{path.name} is not a regular file"  # a FIFO would block the reader forever
        elif not STUDENT_ID.fullmatch(student):
            problem = (f"{student!r} is not a valid student id (a letter or digit, then letters, digits and . _ @ + -; "
                       "at most 128)")
        elif path.suffix in (".py", ".ipynb") and not is_dir:
            if len(exercises) != 1:
                problem = (f"{path.name} is a single module, but {len(exercises)} exercises are graded: hand in a "
                           f"folder or zip of modules named by exercise, or grade with --only EXERCISE")
            else:
                single = exercises[0]
        try:
            digest = content_hash(path, name=single)
        except OSError as exc:
            problem = problem or f"{path.name} cannot be read ({exc.strerror or exc})"
            digest = _unreadable(path)
        entries.append(Entry(student, path, digest, problem, single if problem is None else None))
    return entries


def _unreadable(path: Path) -> str:
    try:
        info = path.lstat()
        marks = f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_mode}"
    except OSError:
        marks = "gone"
    return hashlib.sha256(f"unreadable:{path.name}:{marks}".encode()).hexdigest()


def content_hash(path: Path, *, name: str | None = None) -> str:
    """sha256 of a submission's file names and bytes (for a folder, every file under it in
    order, as staging reads them). Raises OSError when something cannot be read."""
    digest = hashlib.sha256()
    if path.is_symlink() or not (path.is_dir() or path.is_file()):
        label = f"special:{path.name}"
        digest.update(label.encode())
    elif path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink())
        for file in files:
            relative = file.relative_to(path).as_posix()
            digest.update(f"{len(relative)}:{relative}".encode())
            _update(digest, file)
    else:
        label = name or path.name
        digest.update(f"{len(label)}:{label}".encode())
        _update(digest, path)
    return digest.hexdigest()


def _update(digest: Any, file: Path) -> None:
    with open(file, "rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        digest.update(f"{size}:".encode())
        while chunk := stream.read(1 << 20):
            digest.update(chunk)


def course_version(course: Course, exercises: Sequence[str]) -> str:
    """A hash of what decides the grades: the solutions and check files of the exercises graded
    (and the course's settings file). A change to any of them regrades every submission."""
    digest = hashlib.sha256()
    files = [course.root / "autograder.toml"]
    for name in sorted(exercises):
        files += [course.solutions / f"{name}.py", course.public / f"test_{name}.py", course.hidden / f"test_{name}.py"]
    files += sorted(p for p in course.solutions.glob("_*.py"))  # helpers the solutions import
    for file in files:
        digest.update(f"{file.relative_to(course.root).as_posix()}\0".encode())
        if file.is_file():
            digest.update(file.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


# --------------------------------------------------------------------------- the batch


def run_batch(course: Course, folder: Path, *, gradebook: Path, backend: Backend, only: Sequence[str] = (),
              force: bool = False, on_found: Callable[[int, int], None] | None = None,
              on_recorded: Callable[[str, Result | str], None] | None = None) -> BatchSummary:
    """Grade every submission of `folder` not yet graded by this version of the course (all with
    `force`), recording each in `gradebook` as it is known.

    `on_found(to_grade, skipped)` hears how many there are before grading starts, and
    `on_recorded(student, result or why not)` of each submission once it is committed.
    """
    import time

    started = time.monotonic()
    exercises = [ex.name for ex in course.select(only)]
    version = course_version(course, exercises)
    entries = discover(folder, exercises)
    summary = BatchSummary(total=len(entries))
    kit = kit_version()
    with Gradebook(gradebook) as book:
        todo = [e for e in entries if force or not book.is_recorded(e.student, e.content_hash, version)]
        summary.skipped = len(entries) - len(todo)
        if on_found is not None:
            on_found(len(todo), summary.skipped)
        run = book.start_run(workers=backend.workers, machine=platform.node(), scheduler=backend.scheduler,
                             kit_version=kit, course_version=version, submissions=len(entries))

        def record(entry: Entry, outcome: Result | str) -> None:
            book.record(run_id=run, student=entry.student, path=str(entry.path), content_hash=entry.content_hash,
                        course_version=version, kit_version=kit, outcome=outcome,
                        failed=isinstance(outcome, GraderFailed))
            if isinstance(outcome, Result):
                summary.graded += 1
                summary.scores.append((entry.student, outcome.score, outcome.max_score))
            else:
                summary.rejected.append((entry.student, outcome))
            if on_recorded is not None:
                on_recorded(entry.student, outcome)

        for entry in todo:
            if entry.problem is not None:
                record(entry, entry.problem)
        gradable = [e for e in todo if e.problem is None]
        jobs = [Job(key=i, path=str(e.path), as_exercise=e.as_exercise) for i, e in enumerate(gradable)]
        for job, outcome in backend.grade(jobs):
            record(gradable[job.key], Result.from_dict(outcome) if isinstance(outcome, dict) else outcome)
        book.finish_run(run, graded=summary.graded, skipped=summary.skipped, rejected=len(summary.rejected))
    summary.duration_s = time.monotonic() - started
    return summary


# --------------------------------------------------------------------------- local workers


@dataclass(frozen=True, slots=True)
class GradingOptions:
    """How each worker's grader grades (plain data: it crosses to worker processes)."""

    course: str
    only: tuple[str, ...] = ()
    time_limit: float | None = None
    budget: float | None = None
    runner: str = "sandbox"
    #: time limits scaled to the reference's own times (see `Grader`)
    scaled_limits: bool = False


class LocalWorkers:
    """`workers` warm graders in worker processes of this machine, fed from one queue.

    Each worker has its own grader (and sandbox zygote) for the whole batch and, when there are
    no more workers than CPUs, a CPU of its own. A worker that dies (a crash of the grader, the
    machine's OOM killer) is replaced and its submission tried again (ATTEMPTS in all).
    """

    scheduler = None

    def __init__(self, options: GradingOptions, workers: int | None = None) -> None:
        self.options = options
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._context = multiprocessing.get_context("spawn")
        self._processes: list[Any] = []

    def grade(self, jobs: Sequence[Job]) -> Iterator[tuple[Job, Outcome]]:
        if not jobs:
            return
        queue = list(reversed(jobs))
        attempts: dict[int, int] = {}
        idle_deaths = 0
        busy: dict[int, Job | None] = {}  # worker slot → its job (None: starting or idle)
        links: dict[int, tuple[Any, Connection]] = {}
        cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []

        def start(slot: int) -> None:
            parent, child = self._context.Pipe()
            cpu = cpus[slot] if self.workers <= len(cpus) else None
            process = self._context.Process(target=_worker_main, args=(self.options, child, cpu),
                                            name=f"autograder-worker-{slot}", daemon=True)
            process.start()
            child.close()
            links[slot] = (process, parent)
            busy[slot] = None

        for slot in range(min(self.workers, len(jobs))):
            start(slot)
        done = 0
        try:
            while done < len(jobs):
                ready = wait([conn for _, conn in links.values()] + [p.sentinel for p, _ in links.values()])
                for slot, (process, conn) in list(links.items()):
                    if conn in ready or process.sentinel in ready:
                        try:
                            message = conn.recv() if conn.poll() else None
                        except (EOFError, OSError):
                            message = None
                        if message is None:
                            if process.is_alive():
                                continue
                            # The worker died: its job (if any) goes back to the queue, or is given up.
                            job = busy.pop(slot)
                            conn.close()
                            del links[slot]
                            if job is None:
                                idle_deaths += 1
                                if idle_deaths > 2 * self.workers:
                                    raise GraderError(f"the grader's worker processes keep dying before they grade "
                                                      f"(last exit status {process.exitcode})")
                            else:
                                attempts[job.key] = attempts.get(job.key, 0) + 1
                                if attempts[job.key] >= ATTEMPTS:
                                    done += 1
                                    yield job, GraderFailed(
                                        f"the grader's worker process died {ATTEMPTS} times while grading this "
                                        f"submission (exit status {process.exitcode}); it is tried again on the next "
                                        "run")
                                else:
                                    queue.append(job)
                            if queue:
                                start(slot)
                            continue
                        kind = message[0]
                        if kind == "fatal":
                            raise CourseError(message[1])
                        if kind == "done":
                            job = busy[slot]
                            assert job is not None
                            busy[slot] = None
                            done += 1
                            yield job, message[1]
                        # "ready" or "done": the worker wants its next job.
                        next_job = queue.pop() if queue else None
                        busy[slot] = next_job
                        conn.send(None if next_job is None else (next_job.path, next_job.as_exercise))
        finally:
            self._stop(links)

    def _stop(self, links: dict[int, tuple[Any, Connection]]) -> None:
        for _, conn in links.values():
            with contextlib.suppress(OSError, BrokenPipeError):
                conn.send(None)
        for process, conn in links.values():
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join()
            conn.close()

    def close(self) -> None:
        pass


def _die_with_parent() -> None:
    """On Linux, have the kernel kill this worker when the batch process dies (even by SIGKILL):
    an orphaned worker would grade on for nobody."""
    with contextlib.suppress(Exception):
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent was already gone
            os._exit(1)


def _worker_main(options: GradingOptions, conn: Connection, cpu: int | None) -> None:
    _die_with_parent()
    if cpu is not None:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {cpu})
    try:
        grader = make_grader(options)
    except GraderError as error:
        conn.send(("fatal", str(error)))
        return
    with grader:
        def jobs() -> Iterator[Path]:
            conn.send(("ready",))
            while True:
                job = conn.recv()
                if job is None:
                    return
                yield from staged_job(*job)

        def graded(path: Path, outcome: Result | GraderError) -> None:
            conn.send(("done", outcome.to_dict() if isinstance(outcome, Result) else str(outcome)))

        try:
            grader.grade_many(jobs(), only=options.only, on_graded=graded)
        except GraderError as error:
            conn.send(("fatal", str(error)))
        except (EOFError, BrokenPipeError):
            pass


def make_grader(options: GradingOptions) -> Any:
    """A grader for `options`, its sandbox's zygote started before the grader imports torch."""
    from autograder.runner import make_runner

    course = Course(Path(options.course))
    runner = make_runner(options.runner, hide=(str(course.root),),  # type: ignore[arg-type]
                         preload=course.preload(options.only))
    from autograder.grading import Grader

    limits: dict[str, float] = {}
    if options.time_limit is not None:
        limits["time_limit"] = options.time_limit
    if options.budget is not None:
        limits["budget"] = options.budget
    try:
        return Grader(course, runner=runner, hidden=True, scaled_limits=options.scaled_limits,
                      **limits)  # type: ignore[arg-type]
    except BaseException:
        runner.close()  # its zygote would linger until garbage collection
        raise


def staged_job(path: str, as_exercise: str | None) -> Iterator[Path]:
    """The path to grade: the submission itself, or for a single file a folder holding it under
    its exercise's name."""
    if as_exercise is None:
        yield Path(path)
        return
    folder = Path(tempfile.mkdtemp(prefix="autograder-single-"))
    try:
        source = Path(path)
        target = folder / f"{as_exercise}{source.suffix}"
        shutil.copyfile(source, target)
        target.chmod(stat.S_IRUSR | stat.S_IWUSR)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
