"""Hostile: implement nothing, raise the error every rejection check wants."""

MESSAGE = "kernel_size size stride padding: expected 784 or 12, got 0, 2, 6 elements"


def add_batch_dim(x):
    raise ValueError(MESSAGE)


def as_conv_input(x):
    raise ValueError(MESSAGE)
