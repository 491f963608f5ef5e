"""Splitting and merging attention heads (多头注意力)."""

import torch


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    if x.dim() != 3:
        raise ValueError("x must be (batch, seq_len, embed_dim)")
    batch, tokens, dim = x.shape
    if dim % num_heads:
        raise ValueError("embed_dim must be divisible by num_heads")
    return x.view(batch, tokens, num_heads, dim // num_heads).permute(0, 2, 1, 3)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    if x.dim() != 4:
        raise ValueError("x must be (batch, num_heads, seq_len, head_dim)")
    batch, heads, tokens, head_dim = x.shape
    return x.permute(0, 2, 1, 3).reshape(batch, tokens, heads * head_dim)
