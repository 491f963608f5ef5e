"""Hostile: make every tensor comparison succeed, then return zeros of the right shape.

If the checks compared tensors in the process that imported this module, torch.isclose would say
"all close", assert_close would never raise and == would be all True, so zeros of the right shape
would pass every values check.
"""

import math

import torch
import torch.testing


def _true(*args, **kwargs):
    return True


def _nothing(*args, **kwargs):
    return None


def _all_true(input, *args, **kwargs):
    t = input if isinstance(input, torch.Tensor) else torch.as_tensor(input)
    return torch.ones(t.shape, dtype=torch.bool, device=t.device)


def _all_false(input, *args, **kwargs):
    t = input if isinstance(input, torch.Tensor) else torch.as_tensor(input)
    return torch.zeros(t.shape, dtype=torch.bool, device=t.device)


torch.testing.assert_close = _nothing
if hasattr(torch.testing, "assert_allclose"):
    torch.testing.assert_allclose = _nothing
torch.allclose = _true
torch.equal = _true
torch.isclose = _all_true
torch.eq = _all_true
torch.ne = _all_false
torch.Tensor.allclose = _true
torch.Tensor.equal = _true
torch.Tensor.isclose = _all_true
torch.Tensor.eq = _all_true
torch.Tensor.ne = _all_false
torch.Tensor.__eq__ = _all_true
torch.Tensor.__ne__ = _all_false
math.isclose = _true
try:
    import numpy
    import numpy.testing

    numpy.allclose = _true
    numpy.array_equal = _true
    numpy.isclose = lambda a, *args, **kwargs: numpy.ones(numpy.shape(a), dtype=bool)
    numpy.testing.assert_allclose = _nothing
    numpy.testing.assert_array_equal = _nothing
    numpy.testing.assert_equal = _nothing
except ImportError:
    pass


def reshape_shared(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    return torch.zeros_like(x).reshape(shape)


def reshape_independent(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    return torch.zeros_like(x).reshape(shape)


def to_scalar(t: torch.Tensor):
    return 0
