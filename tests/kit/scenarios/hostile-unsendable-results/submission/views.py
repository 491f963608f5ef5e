"""Hostile: results that break a naive serializer (or a naive grader): recursion, size, laziness,
odd layouts, objects whose type name or repr raise."""

import torch


class _Meta(type):
    @property
    def __module__(cls):
        raise RuntimeError("no module for you")


class _Anonymous(metaclass=_Meta):
    pass


class _Nasty(Exception):
    def __str__(self):
        raise RuntimeError("no str for you")

    def __repr__(self):
        raise RuntimeError("no repr for you")


def reshape_shared(x, shape):
    if x.is_contiguous() and x.numel() == 24 and tuple(shape) == (4, 6):
        loop = []
        loop.append(loop)
        return loop
    return torch.zeros(300 * 2**20, dtype=torch.uint8)


def reshape_independent(x, shape):
    if x.requires_grad:
        return torch.zeros(4, 6).to_sparse()
    return (i for i in range(3))


def to_scalar(t):
    if t.numel() == 1 and t.dim() == 1:
        nested = 2.5
        for _ in range(1000):
            nested = [nested]
        return nested
    if t.dtype == torch.int64:
        return _Anonymous()
    return _Nasty()
