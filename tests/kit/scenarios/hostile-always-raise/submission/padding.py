"""Hostile: implement nothing, raise the error every rejection check wants."""

MESSAGE = "kernel_size size stride padding: expected 784 or 12, got 0, 2, 6 elements"


def conv_output_size(size, kernel_size, padding=0, stride=1):
    raise ValueError(MESSAGE)


def same_padding(kernel_size):
    raise ValueError(MESSAGE)
