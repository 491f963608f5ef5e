"""The one result model: submission → exercises → checks.

Every output format renders this model and nothing else. It crosses processes and goes into
storage as plain builtins (`to_dict` / `from_dict`), never as a pickle. Hidden-check detail is
removed once, by `redact`, before a student-facing renderer sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Literal

__all__ = [
    "UNJUDGED",
    "Audience",
    "CheckResult",
    "ExerciseResult",
    "Fault",
    "Result",
    "SandboxReport",
    "Status",
    "Visibility",
    "redact",
]

Visibility = Literal["public", "hidden"]
#: What every report says when checks could not judge the submission (`Result.unjudged`).
UNJUDGED = ("{n} check{s} could not judge this submission through a fault of the course or the grader, "
            "not of the submission: those points are withheld until the course is fixed and it is regraded")
Audience = Literal["student", "instructor"]


class Status(StrEnum):
    """How one check ended."""

    PASSED = "passed"  #: the student's code did what the check asks
    FAILED = "failed"  #: it ran and gave a wrong answer
    ERROR = "error"  #: it raised, crashed or could not be imported
    TIMEOUT = "timeout"  #: it ran past its time limit and was stopped
    NOT_ATTEMPTED = "not_attempted"  #: it still raises the stub's NotImplementedError
    SKIPPED = "skipped"  #: the check skipped itself (it still counts in max_score, for 0 points)


class Fault(StrEnum):
    """Whose doing a check that did not pass is."""

    STUDENT = "student"  #: the submission's code: a wrong answer, an exception, a crash, a hang
    COURSE = "course"  #: the course's checks or the grader itself: the check could not judge the submission


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check, run on every device it asks for."""

    #: stable id: "<public or hidden>/<check file>::<check function>"
    id: str
    #: short human name (the check's docstring, or its function name)
    name: str
    status: Status
    score: float
    max_score: float
    #: public checks are shown in full to students; hidden ones only by outcome and message
    visibility: Visibility = "hidden"
    #: one or two lines saying what differed (empty when passed)
    message: str = ""
    #: what usually causes this failure
    hint: str = ""
    #: whose doing it is when the check did not pass (None when it passed or skipped)
    fault: Fault | None = None
    #: devices the check ran on, e.g. ("cpu", "cuda")
    devices: tuple[str, ...] = ("cpu",)
    duration_s: float = 0.0
    #: what the student's code printed during the check (capped)
    output: str = ""

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "status": str(self.status),
            "score": self.score,
            "max_score": self.max_score,
            "visibility": self.visibility,
            "message": self.message,
            "hint": self.hint,
            "fault": None if self.fault is None else str(self.fault),
            "devices": list(self.devices),
            "duration_s": round(self.duration_s, 4),
            "output": self.output,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        return cls(
            id=data["id"],
            name=data["name"],
            status=Status(data["status"]),
            score=data["score"],
            max_score=data["max_score"],
            visibility=data.get("visibility", "hidden"),
            message=data.get("message", ""),
            hint=data.get("hint", ""),
            fault=None if data.get("fault") is None else Fault(data["fault"]),
            devices=tuple(data.get("devices", ("cpu",))),
            duration_s=data.get("duration_s", 0.0),
            output=data.get("output", ""),
        )


@dataclass(frozen=True, slots=True)
class ExerciseResult:
    """All checks of one exercise (one module of the submission)."""

    name: str
    title: str = ""
    checks: tuple[CheckResult, ...] = ()

    @property
    def score(self) -> float:
        return sum(check.score for check in self.checks)

    @property
    def max_score(self) -> float:
        return sum(check.max_score for check in self.checks)

    @property
    def passed(self) -> int:
        return sum(check.passed for check in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "score": self.score,
            "max_score": self.max_score,
            "checks": [check.to_dict() for check in self.checks],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExerciseResult:
        return cls(
            name=data["name"],
            title=data.get("title", ""),
            checks=tuple(CheckResult.from_dict(c) for c in data.get("checks", ())),
        )


@dataclass(frozen=True, slots=True)
class SandboxReport:
    """How student code was isolated while this result was made."""

    #: "sandbox" (a confined child process), "process" (a child with timeouts only) or "in-process"
    mode: str = "in-process"
    #: protections that were in force, e.g. ("network namespace", "uid 61000", "rlimit memory")
    applied: tuple[str, ...] = ()
    #: protections asked for but unavailable here, each with the reason
    unavailable: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "applied": list(self.applied),
                "unavailable": list(self.unavailable)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SandboxReport:
        return cls(mode=data.get("mode", "in-process"), applied=tuple(data.get("applied", ())),
                   unavailable=tuple(data.get("unavailable", ())))


@dataclass(frozen=True, slots=True)
class Result:
    """The grade of one submission."""

    exercises: tuple[ExerciseResult, ...] = ()
    #: the submission as the user named it (a path, a zip, a student id)
    submission: str = ""
    duration_s: float = 0.0
    sandbox: SandboxReport = field(default_factory=SandboxReport)

    @property
    def score(self) -> float:
        return sum(exercise.score for exercise in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(exercise.max_score for exercise in self.exercises)

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0

    @property
    def devices(self) -> tuple[str, ...]:
        """Every device some check ran on, in a stable order."""
        seen = {d for ex in self.exercises for check in ex.checks for d in check.devices}
        order = ("cpu", "cuda", "meta")
        return tuple(sorted(seen, key=lambda d: (order.index(d) if d in order else 99, d)))

    @property
    def checks(self) -> tuple[CheckResult, ...]:
        return tuple(check for ex in self.exercises for check in ex.checks)

    @property
    def unjudged(self) -> int:
        """Checks that could not judge the submission through the course's or the grader's fault:
        their points are withheld, not lost, and a report must say so."""
        return sum(check.fault is Fault.COURSE for check in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "submission": self.submission,
            "score": self.score,
            "max_score": self.max_score,
            "exercises": [exercise.to_dict() for exercise in self.exercises],
            "devices": list(self.devices),
            "unjudged": self.unjudged,
            "duration_s": round(self.duration_s, 3),
            "sandbox": self.sandbox.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        return cls(
            exercises=tuple(ExerciseResult.from_dict(e) for e in data.get("exercises", ())),
            submission=data.get("submission", ""),
            duration_s=data.get("duration_s", 0.0),
            sandbox=SandboxReport.from_dict(data.get("sandbox", {})),
        )


def redact(result: Result, audience: Audience) -> Result:
    """Return the result as `audience` may see it.

    Students see a hidden check's name, outcome, message and hint, which the check API already
    words so that they reveal no reference values; what the student's code printed during a
    hidden check stays with instructors (the check's inputs could be read from it).
    """
    if audience == "instructor":
        return result
    if audience != "student":
        raise ValueError(f"audience must be 'student' or 'instructor', got {audience!r}")
    exercises = tuple(
        replace(ex, checks=tuple(
            replace(check, output="") if check.visibility == "hidden" else check
            for check in ex.checks
        ))
        for ex in result.exercises
    )
    return replace(result, exercises=exercises)
