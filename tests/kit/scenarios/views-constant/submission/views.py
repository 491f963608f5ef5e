"""Computes nothing: zeros of the right shape, dtype and device, and a zero of the right Python
type."""

import torch


def reshape_shared(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    return x.new_zeros(x.shape).view(shape)


def reshape_independent(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    return x.new_zeros(x.shape).view(shape)


def to_scalar(t: torch.Tensor) -> int | float | bool:
    if t.dtype == torch.bool:
        return False
    return 0.0 if t.is_floating_point() else 0
