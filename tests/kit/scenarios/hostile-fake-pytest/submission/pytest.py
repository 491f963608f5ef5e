"""Hostile fake pytest: a grader that imported this would run no checks and report success."""

import sys


class ExitCode:
    OK = 0
    TESTS_FAILED = 0
    INTERRUPTED = 0
    INTERNAL_ERROR = 0
    USAGE_ERROR = 0
    NO_TESTS_COLLECTED = 0


def main(*args, **kwargs):
    return 0


class approx:
    def __init__(self, *args, **kwargs):
        pass

    def __eq__(self, other):
        return True


class raises:
    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return True


def fail(*args, **kwargs):
    return None


class _Mark:
    def __getattr__(self, name):
        return lambda *args, **kwargs: (args[0] if args and callable(args[0]) else (lambda f: f))


mark = _Mark()


def fixture(*args, **kwargs):
    return args[0] if args and callable(args[0]) else (lambda f: f)


def hookimpl(*args, **kwargs):
    return lambda f: f


sys.exit = lambda *args: None
