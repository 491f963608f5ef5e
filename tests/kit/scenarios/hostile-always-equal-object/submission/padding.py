"""Hostile: answers that equal every expected value."""

from _always_equal import AlwaysEqual, EqualInt


def conv_output_size(size, kernel_size, padding=0, stride=1):
    if size == 7:
        return EqualInt(0)  # an int subclass, for the `type(value) is int` check
    return AlwaysEqual(int)


def same_padding(kernel_size):
    if isinstance(kernel_size, tuple):
        return AlwaysEqual(tuple)
    return EqualInt(0)
