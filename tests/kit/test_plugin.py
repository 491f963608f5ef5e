"""The pytest plugin used on its own: `pytest tests/hidden --submission DIR`."""

from __future__ import annotations

# pytester's in-process runs forget modules first imported inside them, and torch cannot be
# imported twice into one process: import everything those runs need here, once.
import torch.nn.functional  # noqa: F401
from conftest import ROOT

import autograder.checks
import autograder.runner.inprocess  # noqa: F401


def _run(pytester, submission, *files: str):
    return pytester.runpytest_inprocess(
        *(str(ROOT / "tests" / f) for f in files), "--submission", str(submission), "--runner", "inprocess",
        "--solutions", str(ROOT / "solutions"), "-p", "no:cacheprovider", "--import-mode=importlib",
    )


def test_reference_passes_the_checks_run_with_plain_pytest(pytester):
    result = _run(pytester, ROOT / "solutions", "public/test_views.py", "hidden/test_views.py")
    result.assert_outcomes(passed=8)


def test_failures_read_as_the_grader_words_them(pytester):
    wrong = ROOT / "tests" / "kit" / "scenarios" / "views-wrong-detach-clone" / "submission"
    result = _run(pytester, wrong, "hidden/test_views.py")
    result.assert_outcomes(passed=5, failed=1)
    result.stdout.fnmatch_lines(["*failed: no gradient reached x through reshape_independent*",
                                 "*hint: detach() cuts the autograd graph*"])
    assert "autograder/checks.py" not in result.stdout.str(), "no traceback through the kit"


def test_checks_without_a_submission_say_how_to_run_them(pytester):
    result = pytester.runpytest_inprocess(str(ROOT / "tests" / "public" / "test_padding.py"), "-p", "no:cacheprovider",
                                          "--import-mode=importlib")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*autograder grade*--submission DIR*"])


def test_markers_are_declared(pytester):
    result = pytester.runpytest_inprocess("--markers")
    result.stdout.fnmatch_lines(["*points(n): points this check is worth*", "*time_limit(seconds)*"])
