"""Hostile: grab memory 1 GiB at a time up to 50 GiB, never letting go.

(The 1 GiB blocks are reserved, not written: writing 4 GiB takes longer than the time limit on a
slow machine, and the limit the sandbox must enforce is the reservation.)"""

import torch

_HOARD = []


def reshape_shared(x, shape):
    for _ in range(50):
        block = torch.empty(2**30, dtype=torch.uint8)  # 1 GiB
        block[:: 2**20] = 1  # touch one page per MiB
        _HOARD.append(block)
    return torch.zeros(1)


def reshape_independent(x, shape):
    _HOARD.append(torch.empty(50 * 2**30, dtype=torch.uint8))
    return torch.zeros(1)


def to_scalar(t):
    _HOARD.append(bytearray(50 * 2**30))
    return "0"
