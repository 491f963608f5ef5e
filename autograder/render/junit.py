"""The result as JUnit XML for CI test panels (GitLab, Jenkins, JUnit actions) and ``junitparser``.

One ``<testsuite>`` per exercise and one ``<testcase>`` per check and device, shaped as pytest's
``--junitxml`` writes them (``pytest-dev/pytest:src/_pytest/junitxml.py``, Jenkins' ``junit-10.xsd``).
JUnit has no points: each testcase carries its check's ``points`` and ``max_points`` as properties,
as pytest's ``record_property`` does, so a check that ran on two devices shows its points on both
testcases and earns them once (the ``check`` property names it); each testsuite's properties carry the
exercise's total.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import TextIO

from autograder.render._text import feedback, points, printable
from autograder.result import CheckResult, ExerciseResult, Result, Status, redact

__all__ = ["document", "render"]

#: The element a status becomes under its testcase (None: the testcase passed). An untouched stub is
#: reported as skipped, not failed: the student has not tried yet.
_OUTCOME: dict[Status, str | None] = {
    Status.PASSED: None,
    Status.FAILED: "failure",
    Status.ERROR: "error",
    Status.TIMEOUT: "error",
    Status.NOT_ATTEMPTED: "skipped",
    Status.SKIPPED: "skipped",
}
_COUNTERS = {"failure": "failures", "error": "errors", "skipped": "skipped"}


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def _properties(parent: ET.Element, values: Iterable[tuple[str, str]]) -> None:
    properties = ET.SubElement(parent, "properties")
    for name, value in values:
        ET.SubElement(properties, "property", name=name, value=printable(value))


def _testcases(suite: ET.Element, exercise: ExerciseResult, check: CheckResult, taken: set[str]) -> None:
    outcome = _OUTCOME[check.status]
    devices = check.devices or ("cpu",)  # the plugin's default; a result read from JSON may lack them
    for device in devices:
        # GitLab keeps only the first of testcases with the same name: two checks may share a docstring.
        name = base = f"{check.name} [{device}]"
        n = 1
        while name in taken:
            n += 1
            name = f"{base} #{n}"
        taken.add(name)
        # The model times a check over all its devices; each testcase gets its share.
        case = ET.SubElement(suite, "testcase", classname=exercise.name, name=printable(name),
                             time=_seconds(check.duration_s / len(devices)))
        _properties(case, [("check", check.id), ("device", device), ("points", points(check.score)),
                           ("max_points", points(check.max_score)), ("visibility", check.visibility)]
                    + ([("fault", str(check.fault))] if check.fault is not None else []))
        if outcome is not None:
            child = ET.SubElement(case, outcome, message=printable(check.message), type=str(check.status))
            child.text = printable(feedback(check)) or None
        if check.output:
            ET.SubElement(case, "system-out").text = printable(check.output)


def _count(element: ET.Element) -> None:
    cases = element.iter("testcase")
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    seconds = 0.0
    for case in cases:
        counts["tests"] += 1
        seconds += float(case.get("time", "0"))
        for outcome, counter in _COUNTERS.items():
            counts[counter] += case.find(outcome) is not None
    for key, value in counts.items():
        element.set(key, str(value))
    element.set("time", _seconds(seconds))


def document(result: Result) -> ET.Element:
    """The ``<testsuites>`` element for `result`, as students may see it (hidden checks' output removed)."""
    result = redact(result, "student")
    root = ET.Element("testsuites", name="autograder")
    for exercise in result.exercises:
        suite = ET.SubElement(root, "testsuite", name=exercise.name)
        _properties(suite, [("title", exercise.title), ("score", points(exercise.score)),
                            ("max_score", points(exercise.max_score))])
        taken: set[str] = set()
        for check in exercise.checks:
            _testcases(suite, exercise, check, taken)
        _count(suite)
    _count(root)
    ET.indent(root)
    return root


def render(result: Result, out: TextIO) -> None:
    """Write `result` as a UTF-8 JUnit XML document."""
    # Written here: ElementTree would declare the locale's encoding when writing text (``encoding="unicode"``).
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    ET.ElementTree(document(result)).write(out, encoding="unicode")
    out.write("\n")
