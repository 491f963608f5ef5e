"""Splitting and merging attention heads (多头注意力)."""

import torch


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    if x.dim() != 3:
        raise ValueError(f"got a {x.dim()}-dimensional tensor where 3 dimensions (B, T, D) are needed")
    if x.size(-1) % num_heads:
        raise ValueError(f"{num_heads} heads do not divide D={x.size(-1)}")
    return torch.permute(x.reshape(*x.shape[:2], num_heads, -1), (0, 2, 1, 3))


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    if x.dim() != 4:
        raise ValueError(f"got a {x.dim()}-dimensional tensor where 4 dimensions (B, h, T, d) are needed")
    return torch.cat(x.unbind(1), dim=-1)
