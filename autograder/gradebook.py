"""The gradebook: every graded submission of a course, in one SQLite file.

SQLite because a course's grades are a few megabytes that one process writes and several read:
embedded, no server to start, one file to copy or archive. The file is in WAL mode (readers never
block the writer), with `synchronous=FULL`, and each submission's results go in with one
transaction as soon as they are known, so a crash or a SIGKILL of the batch at any moment loses
nothing committed and leaves nothing half-written. Only the batch process writes.

Schema version 1 (`PRAGMA user_version`; a file of another version is refused with a message):

    runs            id, started_at, finished_at, workers, machine, scheduler, kit_version,
                    course_version, submissions, graded, skipped, rejected
    students        id (the submission's name), first_seen
    submissions     id, student_id, path, content_hash, course_version, kit_version, run_id,
                    graded_at, status ('graded' | 'rejected' | 'failed'), error, score, max_score,
                    duration_s, sandbox (JSON)
                    UNIQUE (student_id, content_hash, course_version): graded exactly once
    check_results   submission_id, position, exercise, exercise_title, check_id, name, visibility,
                    status, fault, score, max_score, message, hint, devices (comma-separated),
                    duration_s, output

Times are UTC in ISO 8601. A submission row with status 'rejected' is input that cannot be graded
(a corrupt zip, an unreadable file, a bad name): its `error` says why and it has no checks; like a
graded row it stands until the content (or the course) changes. Status 'failed' means the grader
failed on it (its worker process kept dying): the next run tries it again.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from autograder.errors import UsageError
from autograder.result import CheckResult, ExerciseResult, Fault, Result, SandboxReport, Status

__all__ = ["SCHEMA_VERSION", "Gradebook", "Recorded", "Run"]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE runs (
    id              INTEGER PRIMARY KEY,
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    workers         INTEGER NOT NULL,
    machine         TEXT NOT NULL,
    scheduler       TEXT,
    kit_version     TEXT NOT NULL,
    course_version  TEXT NOT NULL,
    submissions     INTEGER NOT NULL DEFAULT 0,
    graded          INTEGER NOT NULL DEFAULT 0,
    skipped         INTEGER NOT NULL DEFAULT 0,
    rejected        INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE students (
    id          TEXT PRIMARY KEY,
    first_seen  TEXT NOT NULL
);
CREATE TABLE submissions (
    id              INTEGER PRIMARY KEY,
    student_id      TEXT NOT NULL REFERENCES students(id),
    path            TEXT NOT NULL,
    content_hash    TEXT NOT NULL,
    course_version  TEXT NOT NULL,
    kit_version     TEXT NOT NULL,
    run_id          INTEGER NOT NULL REFERENCES runs(id),
    graded_at       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('graded', 'rejected', 'failed')),
    error           TEXT,
    score           REAL,
    max_score       REAL,
    duration_s      REAL,
    sandbox         TEXT,
    UNIQUE (student_id, content_hash, course_version)
);
CREATE INDEX submissions_by_student ON submissions (student_id, id);
CREATE TABLE check_results (
    submission_id   INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    exercise        TEXT NOT NULL,
    exercise_title  TEXT NOT NULL,
    check_id        TEXT NOT NULL,
    name            TEXT NOT NULL,
    visibility      TEXT NOT NULL,
    status          TEXT NOT NULL,
    fault           TEXT,
    score           REAL NOT NULL,
    max_score       REAL NOT NULL,
    message         TEXT NOT NULL,
    hint            TEXT NOT NULL,
    devices         TEXT NOT NULL,
    duration_s      REAL NOT NULL,
    output          TEXT NOT NULL,
    PRIMARY KEY (submission_id, check_id)
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True, slots=True)
class Recorded:
    """One submission row: its grade, or why it could not be graded."""

    student: str
    path: str
    content_hash: str
    course_version: str
    kit_version: str
    run_id: int
    graded_at: str
    #: the grade (None for a rejected or failed submission)
    result: Result | None
    #: why it could not be graded (None for a graded one)
    error: str | None
    #: "graded", "rejected" (the input cannot be graded) or "failed" (the grader failed on it)
    status: str = "graded"


@dataclass(frozen=True, slots=True)
class Run:
    """One `autograder batch` run."""

    id: int
    started_at: str
    finished_at: str | None
    workers: int
    machine: str
    scheduler: str | None
    kit_version: str
    course_version: str
    submissions: int
    graded: int
    skipped: int
    rejected: int


class Gradebook:
    """An open gradebook file (created with the current schema when new)."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        if not create and not (path.is_file() and path.stat().st_size):
            raise UsageError(f"{path} is not a gradebook ({'an empty file' if path.is_file() else 'no such file'})")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE … COMMIT) below.
            self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            tables = self._db.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise UsageError(f"{path} is not a gradebook ({exc})") from None
        if version == 0 and tables == 0:
            with self._transaction() as db:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        elif version != SCHEMA_VERSION:
            self._db.close()
            raise UsageError(f"{path} is a gradebook of schema version {version}; this kit reads version "
                             f"{SCHEMA_VERSION}" if version else f"{path} is an SQLite file but not a gradebook")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: what the block writes is committed together, or not at all."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # ------------------------------------------------------------------ runs

    def start_run(self, *, workers: int, machine: str, scheduler: str | None, kit_version: str,
                  course_version: str, submissions: int) -> int:
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO runs (started_at, workers, machine, scheduler, kit_version, course_version, submissions)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (_now(), workers, machine, scheduler, kit_version, course_version, submissions))
            return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, *, graded: int, skipped: int, rejected: int) -> None:
        with self._transaction() as db:
            db.execute("UPDATE runs SET finished_at = ?, graded = ?, skipped = ?, rejected = ? WHERE id = ?",
                       (_now(), graded, skipped, rejected, run_id))

    def runs(self) -> list[Run]:
        rows = self._db.execute(
            "SELECT id, started_at, finished_at, workers, machine, scheduler, kit_version, course_version, "
            "submissions, graded, skipped, rejected FROM runs ORDER BY id").fetchall()
        return [Run(*row) for row in rows]

    # ------------------------------------------------------------------ submissions

    def is_recorded(self, student: str, content_hash: str, course_version: str) -> bool:
        """Whether this content of this student's was graded (or rejected) by this version of the
        course: then a rerun leaves it alone."""
        row = self._db.execute(
            "SELECT 1 FROM submissions WHERE student_id = ? AND content_hash = ? AND course_version = ? "
            "AND status IN ('graded', 'rejected')", (student, content_hash, course_version)).fetchone()
        return row is not None

    def record(self, *, run_id: int, student: str, path: str, content_hash: str, course_version: str,
               kit_version: str, outcome: Result | str, failed: bool = False) -> None:
        """Store one submission's grade (a `Result`) or why it could not be graded (a message; with
        `failed`, the grader's failure rather than the input's), in one transaction. A row of the
        same student, content and course version is replaced, so a forced regrade or a retry leaves
        one row, never two."""
        now = _now()
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO students (id, first_seen) VALUES (?, ?)", (student, now))
            db.execute("DELETE FROM submissions WHERE student_id = ? AND content_hash = ? AND course_version = ?",
                       (student, content_hash, course_version))
            if isinstance(outcome, Result):
                cursor = db.execute(
                    "INSERT INTO submissions (student_id, path, content_hash, course_version, kit_version, run_id, "
                    "graded_at, status, score, max_score, duration_s, sandbox) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, 'graded', ?, ?, ?, ?)",
                    (student, path, content_hash, course_version, kit_version, run_id, now, outcome.score,
                     outcome.max_score, outcome.duration_s, json.dumps(outcome.sandbox.to_dict())))
                submission = cursor.lastrowid
                db.executemany(
                    "INSERT INTO check_results (submission_id, position, exercise, exercise_title, check_id, name, "
                    "visibility, status, fault, score, max_score, message, hint, devices, duration_s, output) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(submission, position, exercise.name, exercise.title, check.id, check.name, check.visibility,
                      str(check.status), None if check.fault is None else str(check.fault), check.score,
                      check.max_score, check.message, check.hint, ",".join(check.devices), check.duration_s,
                      check.output)
                     for position, (exercise, check) in enumerate(
                         (exercise, check) for exercise in outcome.exercises for check in exercise.checks)])
            else:
                db.execute(
                    "INSERT INTO submissions (student_id, path, content_hash, course_version, kit_version, run_id, "
                    "graded_at, status, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (student, path, content_hash, course_version, kit_version, run_id, now,
                     "failed" if failed else "rejected", outcome))

    def latest(self) -> list[Recorded]:
        """Each student's most recently recorded submission, by student id."""
        rows = self._db.execute(
            "SELECT s.id, s.student_id, s.path, s.content_hash, s.course_version, s.kit_version, s.run_id, "
            "s.graded_at, s.status, s.error, s.duration_s, s.sandbox FROM submissions s "
            "WHERE s.id = (SELECT max(id) FROM submissions WHERE student_id = s.student_id) "
            "ORDER BY s.student_id").fetchall()
        return [self._recorded(row) for row in rows]

    def count(self) -> int:
        """How many submission rows there are, over all runs (without reading their results)."""
        return int(self._db.execute("SELECT count(*) FROM submissions").fetchone()[0])

    def all(self) -> list[Recorded]:
        """Every submission row, oldest first."""
        rows = self._db.execute(
            "SELECT id, student_id, path, content_hash, course_version, kit_version, run_id, graded_at, status, "
            "error, duration_s, sandbox FROM submissions ORDER BY id").fetchall()
        return [self._recorded(row) for row in rows]

    def _recorded(self, row: tuple[Any, ...]) -> Recorded:
        (submission, student, path, content_hash, course_version, kit_version, run_id, graded_at, status, error,
         duration, sandbox) = row
        result = None
        if status == "graded":
            result = Result(exercises=tuple(self._exercises(submission)), submission=student,
                            duration_s=duration or 0.0,
                            sandbox=SandboxReport.from_dict(json.loads(sandbox or "{}")))
        return Recorded(student=student, path=path, content_hash=content_hash, course_version=course_version,
                        kit_version=kit_version, run_id=run_id, graded_at=graded_at, result=result, error=error,
                        status=status)

    def _exercises(self, submission: int) -> Iterator[ExerciseResult]:
        rows = self._db.execute(
            "SELECT exercise, exercise_title, check_id, name, visibility, status, fault, score, max_score, message, "
            "hint, devices, duration_s, output FROM check_results WHERE submission_id = ? ORDER BY position",
            (submission,)).fetchall()
        current: tuple[str, str] | None = None
        checks: list[CheckResult] = []
        for (exercise, title, check_id, name, visibility, status, fault, score, max_score, message, hint, devices,
             duration, output) in rows:
            if current is not None and current[0] != exercise:
                yield ExerciseResult(name=current[0], title=current[1], checks=tuple(checks))
                checks = []
            current = (exercise, title)
            checks.append(CheckResult(id=check_id, name=name, status=Status(status), score=score,
                                      max_score=max_score, visibility=visibility, message=message, hint=hint,
                                      fault=None if fault is None else Fault(fault),
                                      devices=tuple(d for d in devices.split(",") if d), duration_s=duration,
                                      output=output))
        if current is not None:
            yield ExerciseResult(name=current[0], title=current[1], checks=tuple(checks))
