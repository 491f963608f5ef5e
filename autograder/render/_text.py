"""Plain-text pieces several formats share, so a check's feedback reads the same in every one."""

from __future__ import annotations

import re

from autograder.result import UNJUDGED, CheckResult, Result, Status

__all__ = ["STATUS_WORDS", "feedback", "points", "printable", "summary", "unjudged"]

#: ANSI escape sequences (colours, cursor moves) that student code may print.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]")
#: Characters XML 1.0 cannot hold and a browser shows as garbage: C0 controls but tab, newline and
#: carriage return; DEL; lone surrogates; the two non-characters U+FFFE and U+FFFF.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


#: Each status as a report says it of one check.
STATUS_WORDS = {Status.PASSED: "passed", Status.FAILED: "failed", Status.ERROR: "error",
                Status.TIMEOUT: "timed out", Status.NOT_ATTEMPTED: "not attempted", Status.SKIPPED: "skipped"}


def points(value: float) -> str:
    """A point count as every report writes it: `3`, `1.5`."""
    return f"{value:g}"


def feedback(check: CheckResult) -> str:
    """What differed and the hint, as the model words them (empty for a passed check)."""
    if check.status is Status.PASSED:
        return ""
    lines = [check.message] if check.message else []
    if check.hint:
        lines.append(f"hint: {check.hint}")
    return "\n".join(lines)


def unjudged(result: Result) -> str:
    """The "could not judge" sentence when checks were withheld through the course's fault, else ``""``."""
    n = result.unjudged
    return UNJUDGED.format(n=n, s="" if n == 1 else "s") if n else ""


def summary(result: Result) -> str:
    """The total in one line, then the "could not judge" sentence when it applies."""
    total = f"{points(result.score)} / {points(result.max_score)} points ({result.percent:.1f} %)"
    return "\n".join(line for line in (total, unjudged(result)) if line)


def printable(text: str) -> str:
    """`text` without terminal escapes and control characters (student output is arbitrary bytes)."""
    return _UNPRINTABLE.sub("", _ANSI.sub("", text.replace("\r\n", "\n")))
