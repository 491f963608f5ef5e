"""Hostile: zeros in a tensor subclass that claims to equal anything (and to be a plain Tensor)."""

import torch
from _cheat_tensor import disguise


def reshape_shared(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    return disguise(x.reshape(shape))


def reshape_independent(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    return disguise(x.reshape(shape))


def to_scalar(t: torch.Tensor):
    return disguise(t.reshape(()))
