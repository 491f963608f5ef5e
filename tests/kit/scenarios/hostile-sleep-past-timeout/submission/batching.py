"""Hostile: sleep far past the time limit on 3-D inputs (one time-out: add_batch_dim is not called again)."""

import time

import torch


def add_batch_dim(x: torch.Tensor) -> torch.Tensor:
    if x.dim() == 3:
        time.sleep(100)
    raise NotImplementedError("complete add_batch_dim")


def as_conv_input(x: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("complete as_conv_input")
