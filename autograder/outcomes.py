"""How a check ends when it does not pass: exceptions the plugin turns into statuses.

    CheckFailed (AssertionError)   the student's answer is wrong           → failed
    StudentFailure                 the student's code did not give one     → error
     ├── NotAttempted              it still raises the stub's NotImplementedError → not_attempted
     ├── StudentRaised             it raised an exception
     ├── MissingModule             the module is not in the submission
     ├── StudentCrashed            its process died (os._exit, a signal, a limit)
     └── StudentTimeout            it ran past the time limit             → timeout
    CourseFault                    the check itself could not judge        → error, the course's fault

Each carries a message a student can act on and, where one helps, a hint. Any other exception a
check raises is the course's fault too (a bug in the check or in the grader), never the student's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "CheckFailed",
    "CourseFault",
    "MissingModule",
    "NotAttempted",
    "RaisedInfo",
    "StudentCrashed",
    "StudentFailure",
    "StudentRaised",
    "StudentTimeout",
    "failure_for",
]


class _Worded(Exception):
    """An outcome worded for a student: a message, and a hint at the usual cause."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class CheckFailed(_Worded, AssertionError):
    """The student's code ran but its answer is wrong."""


class CourseFault(_Worded):
    """The check could not judge the submission, through no fault of the student's: it asked the
    student's process for something impossible (an unknown name to forbid, a probe whose value
    cannot be sent back, a value over the message limit)."""


class StudentFailure(_Worded):
    """The student's code could not produce an answer."""


class NotAttempted(StudentFailure):
    """The code still raises the stub's NotImplementedError."""


class MissingModule(StudentFailure):
    """The submission has no such module."""


class StudentCrashed(StudentFailure):
    """The student's process ended during a call."""


class StudentTimeout(StudentFailure):
    """The call ran past its time limit and was stopped."""


@dataclass(frozen=True, slots=True)
class RaisedInfo:
    """What is known about an exception raised in student code (possibly in another process)."""

    type: str
    #: names of the built-in exception classes it derives from ("ValueError", "Exception", …)
    builtins: tuple[str, ...]
    message: str
    where: str = ""
    line: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RaisedInfo:
        def text(key: str) -> str:
            value = data.get(key, "")
            return value if type(value) is str else ""

        mro = data.get("mro", [])
        return cls(type=text("type") or "Exception",
                   builtins=tuple(m for m in mro if type(m) is str) if type(mro) is list else (),
                   message=text("message"), where=text("where"), line=text("line"))

    def is_a(self, name: str) -> bool:
        """Whether the exception is (a subclass of) the built-in exception called `name`."""
        return name in self.builtins

    def describe(self) -> str:
        """`TypeError: message (at mlp.py:12)`, for messages."""
        text = f"{self.type}: {self.message}" if self.message else self.type
        return f"{text} (at {self.where})" if self.where else text


class StudentRaised(StudentFailure):
    """Student code raised an exception."""

    def __init__(self, call: str, info: RaisedInfo) -> None:
        if info.type == "SystemExit":
            message = f"{call} called sys.exit({info.message})"
        else:
            message = f"{call} raised {info.describe()}"
        super().__init__(message)
        self.call = call
        self.info = info


def failure_for(call: str, info: RaisedInfo) -> StudentFailure:
    """The outcome of student code that raised: the stub's NotImplementedError (raised by a
    ``raise NotImplementedError`` line of the submission) means the exercise is not attempted yet;
    anything else is an error, torch's own NotImplementedError included ("Cannot copy out of meta
    tensor", an operator a device lacks)."""
    if info.is_a("NotImplementedError") and info.line.startswith("raise NotImplementedError"):
        detail = f" ({info.message})" if info.message else ""
        return NotAttempted(f"not attempted yet: {call} raises NotImplementedError{detail}",
                            hint="replace the stub's `raise NotImplementedError` with your code")
    return StudentRaised(call, info)
