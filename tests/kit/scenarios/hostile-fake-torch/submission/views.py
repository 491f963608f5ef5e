"""Wrong on purpose (zeros of the right shapes): the fake torch.py is supposed to hide that."""

import torch


def reshape_shared(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    return torch.zeros_like(x).reshape(shape)


def reshape_independent(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    return torch.zeros_like(x).reshape(shape)


def to_scalar(t: torch.Tensor):
    return "0"
