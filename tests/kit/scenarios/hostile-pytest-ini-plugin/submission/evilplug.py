"""Hostile pytest plugin: loaded through addopts, it would report every check as passed."""

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
    report.longrepr = None


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    return True


def pytest_configure(config):
    import autograder.checks as checks

    for name in ("fail", "expect", "expect_equal", "expect_close", "expect_shape", "expect_raises"):
        setattr(checks, name, lambda *args, **kwargs: None)
