"""Hostile: print 1 GB in every call, then answer wrongly."""

import sys

_CHUNK = "spam " * (2**20 // 5)


def _flood():
    for i in range(1024):
        (sys.stdout if i % 2 else sys.stderr).write(_CHUNK)


def conv_output_size(size, kernel_size, padding=0, stride=1):
    _flood()
    return 0.5


def same_padding(kernel_size):
    _flood()
    return 0.5
