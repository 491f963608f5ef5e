"""Splitting and merging attention heads (多头注意力)."""

import torch


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    if x.dim() != 3:
        raise ValueError(f"expected a 3-D tensor, got {x.dim()}-D")
    batch, tokens, dim = x.shape
    if dim % num_heads:
        raise ValueError(f"D = {dim} is not divisible by num_heads = {num_heads}")
    return x.view(batch, num_heads, tokens, dim // num_heads)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    if x.dim() != 4:
        raise ValueError(f"expected a 4-D tensor, got {x.dim()}-D")
    batch, heads, tokens, head_dim = x.shape
    return x.view(batch, tokens, heads * head_dim)
