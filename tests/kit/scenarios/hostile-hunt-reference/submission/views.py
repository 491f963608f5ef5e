"""Hostile: return the `expected` value of the check that called us, or the reference's answer."""

import _hunt
import torch


def _reference(name, mine):
    for fn in _hunt.modules(name, exclude=(mine,)):
        return fn
    return None


def reshape_shared(x, shape):
    ref = _reference("reshape_shared", reshape_shared)
    if ref is not None:
        return ref(x, shape)
    return torch.zeros(x.numel()).reshape(shape)


def reshape_independent(x, shape):
    ref = _reference("reshape_independent", reshape_independent)
    if ref is not None:
        return ref(x, shape)
    return torch.zeros(x.numel()).reshape(shape)


def to_scalar(t):
    for name, value in _hunt.frame_values(("expected", "want", "wanted", "answer")):
        if type(value) in (int, float, bool):
            return value
    ref = _reference("to_scalar", to_scalar)
    if ref is not None:
        return ref(t)
    return "no idea"
