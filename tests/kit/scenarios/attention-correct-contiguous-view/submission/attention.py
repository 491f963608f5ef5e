"""Splitting and merging attention heads (多头注意力)."""

import torch


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    if x.ndim != 3:
        raise ValueError("expected x.ndim == 3, got " + str(x.ndim))
    b, t, e = x.size()
    d, rest = divmod(e, num_heads)
    if rest:
        raise ValueError("cannot split " + str(e) + " features into " + str(num_heads) + " heads")
    return x.view(b, t, num_heads, d).transpose(1, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    if x.ndim != 4:
        raise ValueError("expected x.ndim == 4, got " + str(x.ndim))
    b, h, t, d = x.size()
    return x.transpose(1, 2).contiguous().view(b, t, h * d)
