"""Splitting and merging attention heads (多头注意力)."""

import torch


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    if len(x.shape) != 3:
        raise ValueError(f"split_heads takes rank-3 input (B, T, D); this one has rank {len(x.shape)}")
    embed = x.shape[-1]
    if embed % num_heads != 0:
        raise ValueError(f"num_heads={num_heads} must divide the embedding size {embed}")
    return x.unflatten(-1, (num_heads, -1)).transpose(1, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    if len(x.shape) != 4:
        raise ValueError(f"merge_heads takes rank-4 input (B, h, T, d); this one has rank {len(x.shape)}")
    return x.transpose(1, 2).flatten(2)
