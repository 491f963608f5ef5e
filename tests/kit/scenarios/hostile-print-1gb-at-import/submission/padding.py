"""Correct, but prints 1 GB while it is imported (to stdout, stderr and straight to fds 1 and 2).

A grader that kept everything printed would run out of memory, or flood its report.
"""

import os
import sys

_CHUNK = "x" * (2**20 - 1)
for _ in range(512):
    print(_CHUNK)
    print(_CHUNK, file=sys.stderr)
for _ in range(16):
    os.write(1, b"y" * 2**20)
    os.write(2, b"z" * 2**20)

def _check_int(name: str, value: object) -> int:
    # bool is a subclass of int, but True is not a kernel size.
    if type(value) is not int:
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    return value


def conv_output_size(size: int, kernel_size: int, padding: int = 0, stride: int = 1) -> int:
    """Output length of a convolution along one dimension: ⌊(size + 2·padding − kernel_size)/stride⌋ + 1."""
    for name, value in (("size", size), ("kernel_size", kernel_size),
                        ("padding", padding), ("stride", stride)):
        _check_int(name, value)
    if size < 1:
        raise ValueError(f"size must be positive, got {size}")
    if kernel_size < 1:
        raise ValueError(f"kernel_size must be positive, got {kernel_size}")
    if stride < 1:
        raise ValueError(f"stride must be positive, got {stride}")
    if padding < 0:
        raise ValueError(f"padding must not be negative, got {padding}")
    out = (size + 2 * padding - kernel_size) // stride + 1
    if out < 1:
        raise ValueError(
            f"kernel_size {kernel_size} is larger than the padded input ({size} + 2·{padding})"
        )
    return out


def same_padding(kernel_size: int | tuple[int, int]) -> int | tuple[int, int]:
    """Per-side padding that keeps height and width at stride 1; an int gives an int, a pair a pair."""
    if isinstance(kernel_size, (tuple, list)):
        if len(kernel_size) != 2:
            raise ValueError(f"kernel_size must be an int or a pair, got {len(kernel_size)} values")
        return tuple(same_padding(k) for k in kernel_size)
    _check_int("kernel_size", kernel_size)
    if kernel_size < 1:
        raise ValueError(f"kernel_size must be positive, got {kernel_size}")
    if kernel_size % 2 == 0:
        raise ValueError(
            f"kernel_size {kernel_size} is even: no symmetric padding keeps the size"
        )
    return (kernel_size - 1) // 2
