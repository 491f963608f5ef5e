"""Hostile: implement nothing, raise the error every rejection check wants."""

MESSAGE = "kernel_size size stride padding: expected 784 or 12, got 0, 2, 6 elements"


def default_device():
    raise ValueError(MESSAGE)


def to_device(obj, device):
    raise ValueError(MESSAGE)
