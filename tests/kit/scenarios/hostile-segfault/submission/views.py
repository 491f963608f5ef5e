"""Hostile: segmentation faults inside calls. In the grader's own process these would end
grading on the spot, with every later check unreported."""

import ctypes
import gc
import sys


def reshape_shared(x, shape):
    return ctypes.string_at(0)  # strlen(NULL)


def reshape_independent(x, shape):
    ctypes.memset(0, 1, 64)
    return x


def to_scalar(t):
    # C-level recursion (list repr) with Python's guard lifted: the C stack overflows.
    gc.disable()
    sys.setrecursionlimit(10**9)
    nested = []
    for _ in range(4 * 10**5):
        nested = [nested]
    return repr(nested)
