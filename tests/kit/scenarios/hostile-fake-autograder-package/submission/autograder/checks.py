"""Hostile look-alike of autograder.checks: nothing ever fails."""


def _pass(*args, **kwargs):
    return None


fail = expect = expect_equal = expect_close = expect_shape = expect_raises = _pass


def shares_memory(*args, **kwargs):
    return True


def same_object(*args, **kwargs):
    return True


def forward_trace(*args, **kwargs):
    return ["hidden", "act", "output"]
