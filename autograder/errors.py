"""Errors the grader reports to its user as one line.

    GraderError                 anything the user can act on; the CLI prints "error: <message>"
     ├── UsageError             a bad command line or option value
     ├── CourseError            the course itself is broken (markers, check files, layout)
     ├── SubmissionError        a submission that cannot be opened at all (not a dir or zip, too big)
     └── SandboxError           the sandbox could not be started

A submission that crashes, hangs or cheats is not an error of the grader: it is a graded result.
"""

__all__ = ["CourseError", "GraderError", "SandboxError", "SubmissionError", "UsageError"]


class GraderError(Exception):
    """Base class: a problem the user can fix, described in one line."""


class UsageError(GraderError):
    """The command line asks for something that cannot be done."""


class CourseError(GraderError):
    """The course material (solutions, checks, layout) is inconsistent."""


class SubmissionError(GraderError):
    """The submission cannot be opened (not a directory or zip, unsafe or too large)."""


class SandboxError(GraderError):
    """The process that runs student code could not be started."""
