"""Hostile: zeros in a tensor subclass that claims to equal anything (and to be a plain Tensor)."""

import torch
from _cheat_tensor import disguise


def add_batch_dim(x: torch.Tensor) -> torch.Tensor:
    return disguise(x.unsqueeze(0))


def as_conv_input(x: torch.Tensor) -> torch.Tensor:
    return disguise(x.reshape(1, -1, *x.shape[-2:]) if x.dim() >= 2 else x)
