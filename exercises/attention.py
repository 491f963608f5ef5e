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
    # YOUR CODE HERE
    raise NotImplementedError("complete split_heads")


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """Turn heads of shape (B, h, T, d) back into (B, T, h * d), for contiguous or permuted x.

    Raises ValueError for an x that is not 4-D.
    """
    # YOUR CODE HERE
    raise NotImplementedError("complete merge_heads")
