"""Hostile: defeat the output cap on our side.

The runner captures prints through a writer object in this process; lift its cap (and swap in a
writer that keeps everything), then print 32 MiB per call. A grader that trusted the size of
what comes back would store, render and report it all.
"""

import sys

_BIG = "A" * (32 * 2**20)

for _stream in (sys.stdout, sys.stderr, getattr(sys, "__stdout__", None)):
    if _stream is not None and hasattr(_stream, "cap"):
        try:
            _stream.cap = 10**12
        except Exception:
            pass


def conv_output_size(size, kernel_size, padding=0, stride=1):
    sys.stdout.write(_BIG)
    return 0.5


def same_padding(kernel_size):
    for _ in range(16):
        print("B" * 2**20, file=sys.stderr)
    sys.stdout.write(_BIG)
    return 0.5
