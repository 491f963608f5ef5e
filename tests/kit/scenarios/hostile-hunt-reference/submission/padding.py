"""Hostile: find the checks' ground truth (conv_size), the reference module or an `expected` value."""

import _hunt


def conv_output_size(size, kernel_size, padding=0, stride=1):
    # the hidden check's own ground-truth function, found in a caller's globals
    for conv_size in _hunt.frame_globals("conv_size"):
        if callable(conv_size):
            return conv_size(size, kernel_size, padding, stride)
    for fn in _hunt.modules("conv_output_size", exclude=(conv_output_size,)):
        return fn(size, kernel_size, padding=padding, stride=stride)
    for name, value in _hunt.frame_values():
        if type(value) is int and name != "e":
            return value
    return 0.5  # wrong (and not even an int)


def same_padding(kernel_size):
    for fn in _hunt.modules("same_padding", exclude=(same_padding,)):
        return fn(kernel_size)
    for _name, value in _hunt.frame_values():
        if type(value) in (int, tuple):
            return value
    return 0.5
