"""Hostile conftest.py: if pytest ever loads it, every check passes."""

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
    report.longrepr = None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    # run nothing: the check "passes" without calling the student's code
    item.runtest = lambda: None
    return True


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    return True


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        item.obj = lambda *args, **kwargs: None


@pytest.fixture(autouse=True)
def _everything_passes(monkeypatch):
    import autograder.checks as checks

    for name in ("fail", "expect", "expect_equal", "expect_close", "expect_shape", "expect_raises"):
        monkeypatch.setattr(checks, name, lambda *args, **kwargs: None)
    yield
