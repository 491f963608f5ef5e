"""How strong are the checks: grade every mutant of each exercise's reference with its checks.

A mutant that loses at least one point is *killed*; one that keeps full marks *survived* and
shows a mistake the checks let through. A course declares the mutants no check could ever tell
apart from the reference (*equivalent*), each with its reason, in `tests/audit.toml`::

    [equivalent]
    "views.reshape_shared.copy-before-view.576a6abb" = "…why no input can show the difference"

A declared mutant that a check kills, or a declaration that names no mutant any more, is an
error of the file: the audit never hides a survivor behind a stale entry.

Mutants are graded in warm sessions (`Grader.grade_many`), each only on its own exercise's public
and hidden checks, in `jobs` worker processes when more than one.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import shutil
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from autograder.catalog import Course
from autograder.errors import CourseError, GraderError
from autograder.mutants import OPERATORS, Mutant, Operator, make_mutants

__all__ = ["AuditReport", "ExerciseAudit", "Verdict", "equivalents_file", "load_equivalents", "run_audit"]

VerdictStatus = Literal["killed", "survived", "equivalent"]
#: mutants per task handed to a worker: small enough to balance two workers, large enough that
#: collecting the checks (a tenth of a second per session) stays negligible
_CHUNK = 24


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the checks made of one mutant."""

    mutant: Mutant
    status: VerdictStatus
    score: float
    max_score: float
    #: the check that took points from it first (grading a mutant stops there)
    killed_by: tuple[str, ...] = ()
    #: for an equivalent mutant, the course's reason
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        m = self.mutant
        return {"id": m.id, "exercise": m.exercise, "function": m.function, "operator": m.operator, "line": m.line,
                "status": self.status, "score": self.score, "max_score": self.max_score,
                "killed_by": list(self.killed_by), "reason": self.reason, "diff": m.diff}


@dataclass(frozen=True, slots=True)
class ExerciseAudit:
    """One exercise's mutants and their verdicts."""

    exercise: str
    verdicts: tuple[Verdict, ...]

    def _count(self, status: VerdictStatus) -> int:
        return sum(v.status == status for v in self.verdicts)

    @property
    def made(self) -> int:
        return len(self.verdicts)

    @property
    def killed(self) -> int:
        return self._count("killed")

    @property
    def survived(self) -> int:
        return self._count("survived")

    @property
    def equivalent(self) -> int:
        return self._count("equivalent")

    @property
    def score(self) -> float:
        """Killed of the mutants that can be killed (1.0 when there are none)."""
        killable = self.made - self.equivalent
        return self.killed / killable if killable else 1.0

    @property
    def survivors(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.status == "survived")

    def to_dict(self) -> dict[str, Any]:
        return {"exercise": self.exercise, "made": self.made, "killed": self.killed, "survived": self.survived,
                "equivalent": self.equivalent, "score": self.score,
                "mutants": [v.to_dict() for v in self.verdicts]}


@dataclass(frozen=True, slots=True)
class AuditReport:
    """The audit of a course."""

    exercises: tuple[ExerciseAudit, ...]
    operators: tuple[str, ...]
    duration_s: float = 0.0
    #: problems of the equivalents file: declarations that name no mutant, or mutants declared
    #: equivalent that a check kills
    declaration_errors: tuple[str, ...] = field(default_factory=tuple)

    @property
    def survivors(self) -> tuple[Verdict, ...]:
        return tuple(v for ex in self.exercises for v in ex.survivors)

    @property
    def ok(self) -> bool:
        """No survivor and a sound equivalents file."""
        return not self.survivors and not self.declaration_errors

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "duration_s": round(self.duration_s, 3), "operators": list(self.operators),
                "declaration_errors": list(self.declaration_errors),
                "exercises": [ex.to_dict() for ex in self.exercises]}


# --------------------------------------------------------------------------- equivalents


def equivalents_file(course: Course) -> Path:
    return course.tests / "audit.toml"


def load_equivalents(course: Course) -> dict[str, str]:
    """The course's declared equivalent mutants: id → reason (empty without a file).

    Raises:
        CourseError: the file is not valid TOML, or an entry has no reason.
    """
    path = equivalents_file(course)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CourseError(f"{path} is not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - {"equivalent"})
    if unknown:
        raise CourseError(f"{path}: unknown table {', '.join(unknown)} (the file holds [equivalent])")
    table = data.get("equivalent", {})
    if not isinstance(table, dict):
        raise CourseError(f"{path}: [equivalent] must be a table of mutant id = reason")
    for mutant_id, reason in table.items():
        if not isinstance(reason, str) or not reason.strip():
            raise CourseError(f"{path}: {mutant_id} needs a reason (a string saying why no check can kill it)")
    return dict(table)


# --------------------------------------------------------------------------- running


@dataclass(frozen=True, slots=True)
class _Graded:
    """A graded mutant as plain data (it crosses from worker processes)."""

    index: int
    score: float
    max_score: float
    failed: tuple[str, ...]
    error: str = ""


def run_audit(course: Course, *, exercises: Iterable[str] = (), operators: Sequence[Operator] = OPERATORS,
              jobs: int = 1, time_limit: float | None = None,
              on_made: Callable[[int], None] | None = None,
              on_verdict: Callable[[Verdict], None] | None = None) -> AuditReport:
    """Make the mutants of each exercise's reference and grade each with that exercise's checks.

    `time_limit` is each check's on a mutant (None: the course's, as students get it: a shorter one
    would let a loaded machine's slow checks kill mutants that are not wrong). `on_made(total)`
    hears how many mutants there are before grading starts, `on_verdict` of each verdict as it is
    known.

    Raises:
        UsageError: an unknown exercise.
        CourseError: the course has no solutions, the reference itself loses points, a check file
            or the equivalents file is broken.
    """
    started = time.monotonic()
    if not course.has_solutions:
        raise CourseError(f"{course.root} has no solutions/: the audit mutates the reference solutions")
    selected = course.select(tuple(exercises))
    declared = load_equivalents(course)
    mutants: dict[str, list[Mutant]] = {}
    for exercise in selected:
        source = course.solution_source(exercise.name)
        if source is None:
            raise CourseError(f"{course.solutions / exercise.name}.py is not a solution module")
        mutants[exercise.name] = make_mutants(source, exercise=exercise.name,
                                              filename=str(course.solutions / f"{exercise.name}.py"),
                                              operators=operators)
    if on_made is not None:
        on_made(sum(len(m) for m in mutants.values()))
    staging = Path(tempfile.mkdtemp(prefix="autograder-audit-"))
    try:
        tasks = list(_stage(course, mutants, staging))
        verdicts: dict[str, dict[int, Verdict]] = {name: {} for name in mutants}
        for name, outcome in _grade(course, tasks, jobs=jobs, time_limit=time_limit):
            if outcome.index < 0:  # the reference itself
                if outcome.error or outcome.score < outcome.max_score:
                    raise CourseError(
                        f"the reference solution of {name} scores {outcome.score:g}/{outcome.max_score:g} on its "
                        f"own checks ({outcome.error or 'failing: ' + ', '.join(outcome.failed)}): fix the checks "
                        "before auditing them")
                continue
            verdict = _verdict(mutants[name][outcome.index], outcome, declared)
            verdicts[name][outcome.index] = verdict
            if on_verdict is not None:
                on_verdict(verdict)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    audits = tuple(ExerciseAudit(name, tuple(verdicts[name][i] for i in sorted(verdicts[name]))) for name in mutants)
    return AuditReport(exercises=audits, operators=tuple(op.name for op in operators),
                       duration_s=time.monotonic() - started,
                       declaration_errors=_declaration_errors(course, audits, declared, operators))


def _verdict(mutant: Mutant, graded: _Graded, declared: dict[str, str]) -> Verdict:
    killed = bool(graded.error) or graded.score < graded.max_score
    failed = graded.failed or ((graded.error,) if graded.error else ())
    if mutant.id in declared and not killed:
        return Verdict(mutant, "equivalent", graded.score, graded.max_score, reason=declared[mutant.id])
    return Verdict(mutant, "killed" if killed else "survived", graded.score, graded.max_score, killed_by=failed)


def _declaration_errors(course: Course, audits: Sequence[ExerciseAudit], declared: dict[str, str],
                        operators: Sequence[Operator]) -> tuple[str, ...]:
    path = equivalents_file(course).relative_to(course.root)
    made = {v.mutant.id: v for ex in audits for v in ex.verdicts}
    audited = {ex.exercise for ex in audits}
    names = {op.name for op in operators}
    errors = []
    for mutant_id in sorted(declared):
        exercise, _, rest = mutant_id.partition(".")
        parts = rest.rsplit(".", 2)  # function (which may hold dots), operator, hash
        operator = parts[-2] if len(parts) >= 2 else ""
        if exercise not in audited or operator not in names:
            continue  # not part of this audit: cannot tell
        verdict = made.get(mutant_id)
        if verdict is None:
            errors.append(f"{path}: {mutant_id} names no mutant of the current reference (remove or update it)")
        elif verdict.status == "killed":
            errors.append(f"{path}: {mutant_id} is declared equivalent, but {', '.join(verdict.killed_by)} kills it "
                          "(remove the entry)")
    return tuple(errors)


def _stage(course: Course, mutants: dict[str, list[Mutant]],
           root: Path) -> Iterator[tuple[str, list[tuple[int, Path]]]]:
    """Write each mutant as a submission holding only its module (and the solutions' helper
    modules), and yield (exercise, [(index, folder)]) chunks; index -1 is the reference."""
    helpers = sorted(course.solutions.glob("_*.py"))
    for exercise, found in mutants.items():
        reference = course.solution_source(exercise)
        assert reference is not None
        items = [(-1, reference)] + [(i, m.source) for i, m in enumerate(found)]
        folders = []
        for index, source in items:
            folder = root / exercise / ("reference" if index < 0 else f"{index:04d}")
            folder.mkdir(parents=True)
            for helper in helpers:
                shutil.copyfile(helper, folder / helper.name)
            (folder / f"{exercise}.py").write_text(source, encoding="utf-8")
            folders.append((index, folder))
        for start in range(0, len(folders), _CHUNK):
            yield exercise, folders[start:start + _CHUNK]


def _grade(course: Course, tasks: list[tuple[str, list[tuple[int, Path]]]], *, jobs: int,
           time_limit: float | None) -> Iterator[tuple[str, _Graded]]:
    """Each staged mutant's grade, in this process (one job) or in `jobs` worker processes."""
    if jobs <= 1:
        grader = _make_grader(str(course.root), time_limit)
        with grader:
            for exercise, chunk in tasks:
                for graded in _grade_chunk(grader, exercise, chunk):
                    yield exercise, graded
        return
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_start,
                                                initargs=(str(course.root), time_limit)) as pool:
        futures = {pool.submit(_worker_grade, exercise, chunk): exercise for exercise, chunk in tasks}
        try:
            for future in concurrent.futures.as_completed(futures):
                for graded in future.result():
                    yield futures[future], graded
        except concurrent.futures.process.BrokenProcessPool as exc:
            raise GraderError("an audit worker process died; rerun with --jobs 1 to see why") from exc


def _make_grader(course: str, time_limit: float | None) -> Any:
    from autograder.batch import GradingOptions, make_grader

    return make_grader(GradingOptions(course=course, time_limit=time_limit))


def _grade_chunk(grader: Any, exercise: str, chunk: list[tuple[int, Path]]) -> list[_Graded]:
    from autograder.result import Result

    out: list[_Graded] = []
    # A mutant is killed by its first lost point: the checks after it need not run.
    outcomes = grader.grade_many([folder for _, folder in chunk], only=[exercise], stop_at_first_loss=True)
    for (index, _), outcome in zip(chunk, outcomes, strict=True):
        if not isinstance(outcome, Result):
            out.append(_Graded(index, 0.0, 0.0, (), error=str(outcome)))
            continue
        failed = tuple(check.name for ex in outcome.exercises for check in ex.checks if check.score < check.max_score)
        out.append(_Graded(index, outcome.score, outcome.max_score, failed))
    return out


_worker_grader: Any = None


def _worker_start(course: str, time_limit: float | None) -> None:
    global _worker_grader
    _worker_grader = _make_grader(course, time_limit)


def _worker_grade(exercise: str, chunk: list[tuple[int, Path]]) -> list[_Graded]:
    return _grade_chunk(_worker_grader, exercise, chunk)
