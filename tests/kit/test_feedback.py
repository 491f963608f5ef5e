"""Hidden checks word their failures without the reference's values.

Every scenario with a wrong answer (kinds ``wrong`` and ``constant``) is graded twice: as students
see it, and with ``reveal=True`` (the instructor's view, where hidden checks word their failures
as public ones do). For each hidden check that fails both times, the values the revealing
message shows as expected ("got 3.5, expected 4" → "4") must not appear in the student's
message more often than the rest of the revealing message (the call, its input, what the code
returned) shows them: a value the student's message repeats from its input is no leak, one it
adds is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from conftest import TIME_LIMIT
from test_scenarios import grade_scenario, scenario_params

from autograder.grading import Grader
from autograder.result import Status

#: "expected X", X running to the end of the message or of its clause
_EXPECTED = re.compile(r"\bexpected (?P<value>.+?)(?=; |\. |$)")
#: a student's exception message quoted by expect_raises: the student's own words, not the check's
_STUDENT_MESSAGE = re.compile(r"""with the message ('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""")
#: the wordings expect_close uses for a wrong dtype, device or shape: by design, hidden checks show
#: these properties (they follow from the exercise's statement); the values themselves they never show
_PROPERTY = re.compile(r"(?:has dtype [\w.]+|is on device '[^']*'|has shape \([\d, ]*\)), $")
#: "ValueError", "ValueError or TypeError", "torch.float64": names of types, not values
_NAMES = re.compile(r"[A-Za-z_][\w.]*(?: or [A-Za-z_][\w.]*)*")
_LITERALS = re.compile(r"\b(?:True|False|None)\b")
#: "an int", "a torch.Tensor", "the int 3": an article, then a type or a description
_ARTICLE = re.compile(r"(?:a|an|the) (?P<rest>.+)")
_LEADING_WORDS = re.compile(r"^(?:[A-Za-z_][\w.]*(?: \([A-Za-z_ ]+\))? )+")


def _value_of(text: str) -> str | None:
    """The value in what follows "expected", or None when it names a type or describes a kind of
    thing ("an int", "a pair (tuple)", "ValueError", "a standard normal initialisation")."""
    text = text.strip().rstrip(".")
    if not text:
        return None
    article = _ARTICLE.fullmatch(text)
    if article is not None:
        rest = article["rest"]
        if not (re.search(r"[\d'\"]", rest) or _LITERALS.search(rest)):
            return None
        # "the int 3" → "3", "a tensor of shape (2, 3)" → "(2, 3)", "the bool True" → "True"
        stripped = _LEADING_WORDS.sub("", rest) if not _LITERALS.fullmatch(rest.split()[-1]) else rest.split()[-1]
        return stripped or rest
    if _NAMES.fullmatch(text) and not _LITERALS.fullmatch(text):
        return None
    return text


def expected_values(revealing: str) -> tuple[list[str], str]:
    """(the values a revealing message shows as expected, the rest of the message)."""
    text = _STUDENT_MESSAGE.sub("with the message '…'", revealing)
    values, rest, last = [], [], 0
    for found in _EXPECTED.finditer(text):
        rest.append(text[last:found.start()])
        last = found.end()
        if _PROPERTY.search(text[:found.start()]):
            continue
        value = _value_of(found["value"])
        if value is not None:
            values.append(value)
    rest.append(text[last:])
    return values, "".join(rest)


def _count(value: str, text: str) -> int:
    """How often `value` stands on its own in `text` ("3" is not in "3.5", "params.3" or "13")."""
    return len(re.findall(rf"(?<![\w.]){re.escape(value)}(?!\w|\.\d)", text))


def leaked_values(normal: str, revealing: str) -> list[str]:
    """The expected values of `revealing` that the student's `normal` message gives away."""
    values, rest = expected_values(revealing)
    return [value for value in dict.fromkeys(values) if _count(value, normal) > _count(value, rest)]


@pytest.mark.parametrize(("revealing", "values"), [
    ("the output differs in 3 of 10 values (tolerance rtol=1.3e-06, atol=1e-05); the largest difference is 0.5 at "
     "index (2, 1); the first wrong value is at index (0, 1): got 3.5, expected 4", ["4"]),
    ("conv_output_size(8, 3) is 7, expected 6", ["6"]),
    ("same_padding((5, 3)) is (2, 2), expected (2, 1)", ["(2, 1)"]),
    ("to_scalar of a bool tensor is 1, expected True", ["True"]),
    ("state_dict() has the keys ['a']; expected params.0, params.1", ["params.0, params.1"]),
    ("conv_output_size(7, 2, stride=2) returned 3.5; expected the int 3", ["3"]),
    ("default_device() is 'cpu'; expected 'cuda'", ["'cuda'"]),
    ("forward called the layers in the order hidden, output, act; expected hidden, act, output",
     ["hidden, act, output"]),
    ("obj has keys ['a'], expected ['a', 'b']", ["['a', 'b']"]),
    # types, exception types, descriptions and the properties expect_close shows are not values
    ("conv_output_size(7, 2, stride=2) is a float (3.5), expected an int", []),
    ("same_padding((3, 5)) returned [1, 2]; expected a pair (tuple)", []),
    ("default_device() returned 'cpu'; expected a torch.device", []),
    ("padding.same_padding(2) raised RuntimeError, expected ValueError or TypeError", []),
    ("the parameters have mean 0.00 and std 0.00; expected a standard normal initialisation", []),
    ("the output has shape (5, 1), expected (1, 5)", []),
    ("the output has dtype torch.float32, expected torch.float64", []),
    ("obj['x'] is on device 'cpu', expected 'meta'", []),
    # the student's own exception message is not the check's wording
    ("net(x) raised ValueError with the message 'expected 784 features, got 12', which should mention '12'", []),
])
def test_expected_values_are_read_from_the_revealing_wording(revealing, values):
    assert expected_values(revealing)[0] == values


def test_a_value_counts_as_leaked_only_where_the_message_adds_it():
    revealing = "conv_output_size(8, 3, stride=2) is 3, expected 2"
    assert leaked_values("conv_output_size(8, 3, stride=2) is 3, which is not the right value", revealing) == []
    assert leaked_values("conv_output_size(8, 3, stride=2) is 3; the answer is 2", revealing) == ["2"]
    # the message that test_conv_output_size_is_int had: the same in both modes
    old = "conv_output_size(7, 2, stride=2) returned 3.5; expected the int 3"
    assert leaked_values(old, old) == ["3"]


@pytest.fixture(scope="module")
def revealing_grader(course) -> Iterator[Grader]:
    with Grader(course, runner="sandbox", time_limit=TIME_LIMIT, reveal=True) as warm:
        yield warm


def test_reveal_shows_hidden_expected_values(grader, revealing_grader, course):
    """Guard against a vacuous comparison: the revealing grader does show what hidden checks expected."""
    folder, spec = next((p.values[0], p.values[1]) for p in scenario_params("wrong")
                        if p.id == "padding-wrong-missing-plus-one")
    check_id = "hidden/test_padding.py::test_conv_output_size_matches_conv"
    normal = next(c for c in grade_scenario(grader, folder, spec).checks if c.id == check_id)
    revealing = next(c for c in grade_scenario(revealing_grader, folder, spec).checks if c.id == check_id)
    assert normal.status is revealing.status is Status.FAILED
    assert expected_values(revealing.message)[0], revealing.message
    assert leaked_values(normal.message, revealing.message) == [], normal.message


@pytest.mark.parametrize(("folder", "spec"), scenario_params("wrong", "constant"))
def test_hidden_checks_reveal_no_expected_value(grader, revealing_grader, folder, spec):
    normal = grade_scenario(grader, folder, spec)
    revealing = {check.id: check for check in grade_scenario(revealing_grader, folder, spec).checks}
    leaks = []
    for check in normal.checks:
        shown = revealing[check.id]
        if check.visibility != "hidden" or not (check.status is shown.status is Status.FAILED):
            continue
        leaked = leaked_values(check.message, shown.message)
        if leaked:
            leaks.append(f"{check.id} says {check.message!r}, which gives away {leaked} "
                         f"(the revealing wording: {shown.message!r})")
    assert not leaks, f"{folder.name}: hidden checks show expected values:\n  " + "\n  ".join(leaks)
