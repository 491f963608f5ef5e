"""Splitting and merging attention heads (多头注意力).

Multi-head attention cuts the model dimension D of a (B, T, D) tensor into h heads of d = D / h
features each and attends within every head separately, so each head needs its own (T, d) matrix:
the layout is (B, h, T, d). `view(B, T, h, d)` splits the last dimension (head i gets the features
`i*d:(i+1)*d` of every token), and `permute(0, 2, 1, 3)` (or `transpose(1, 2)`) moves the heads
in front of the tokens; both return views, so no data is copied. `view(B, h, T, d)` alone has the
right shape but mixes tokens across heads. The permuted tensor is not contiguous, so merging the
heads back needs `.contiguous().view(...)` or `reshape(...)`: a plain `view` raises there.
"""

import torch


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    """View x of shape (B, T, D) as (B, num_heads, T, D // num_heads): head i holds x[..., i*d:(i+1)*d].

    Raises ValueError for an x that is not 3-D or a D that num_heads does not divide.
    """
    ### BEGIN SOLUTION
    if x.dim() != 3:
        raise ValueError(f"split_heads expects a 3-D tensor (B, T, D), got a {x.dim()}-D tensor "
                         f"of shape {tuple(x.shape)}")
    batch, tokens, dim = x.shape
    if dim % num_heads != 0:
        raise ValueError(f"the model dimension D = {dim} is not divisible by num_heads = {num_heads}")
    return x.view(batch, tokens, num_heads, dim // num_heads).permute(0, 2, 1, 3)
    ### END SOLUTION


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """Turn heads of shape (B, h, T, d) back into (B, T, h * d), for contiguous or permuted x.

    Raises ValueError for an x that is not 4-D.
    """
    ### BEGIN SOLUTION
    if x.dim() != 4:
        raise ValueError(f"merge_heads expects a 4-D tensor (B, h, T, d), got a {x.dim()}-D tensor "
                         f"of shape {tuple(x.shape)}")
    batch, heads, tokens, head_dim = x.shape
    return x.permute(0, 2, 1, 3).reshape(batch, tokens, heads * head_dim)
    ### END SOLUTION
