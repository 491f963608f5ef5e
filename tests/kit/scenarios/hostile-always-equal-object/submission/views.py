"""Hostile: to_scalar returns objects that equal every expected value; the rest is missing."""

import torch
from _always_equal import AlwaysEqual, EqualFloat


def reshape_shared(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    raise NotImplementedError("complete reshape_shared")


def reshape_independent(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    raise NotImplementedError("complete reshape_independent")


def to_scalar(t: torch.Tensor):
    if t.dtype.is_floating_point:
        return EqualFloat(0.0)
    return AlwaysEqual(int)
