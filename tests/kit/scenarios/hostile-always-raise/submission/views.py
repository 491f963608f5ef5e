"""Hostile: implement nothing, raise the error every rejection check wants."""

MESSAGE = "kernel_size size stride padding: expected 784 or 12, got 0, 2, 6 elements"


def reshape_shared(x, shape):
    raise ValueError(MESSAGE)


def reshape_independent(x, shape):
    raise ValueError(MESSAGE)


def to_scalar(t):
    raise ValueError(MESSAGE)
