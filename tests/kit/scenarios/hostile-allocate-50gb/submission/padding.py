"""Hostile: ask for 50 GB. Without a memory limit the machine swaps or the OOM killer picks a
victim, maybe the grader."""

import torch

_HOARD = []


def conv_output_size(size, kernel_size, padding=0, stride=1):
    _HOARD.append(bytearray(50 * 2**30))
    return 0.5


def same_padding(kernel_size):
    big = torch.empty(50 * 2**30, dtype=torch.uint8)
    big.fill_(1)  # touch every page
    _HOARD.append(big)
    return 0.5
