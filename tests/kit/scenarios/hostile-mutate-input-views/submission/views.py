"""Hostile: change the check's input in place so that the expected value changes with it.

test_reshape_independent_copies calls `out = reshape_independent(x, new)` and only then computes
the expected value `x.reshape(new)`. Zeroing x (the runner copies in-place changes of arguments
back onto the check's objects, as one process would see them) makes that expected value zeros,
which is what we return: new memory, right shape, no real work. The rest is the stub.
"""

import torch


def reshape_shared(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    raise NotImplementedError("complete reshape_shared")


def reshape_independent(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    if x.requires_grad:
        raise NotImplementedError("complete reshape_independent")
    with torch.no_grad():
        x.zero_()
    return torch.zeros(x.shape, dtype=x.dtype, device=x.device).reshape(shape)


def to_scalar(t: torch.Tensor):
    raise NotImplementedError("complete to_scalar")
