"""Public checks for attention.py (run them with `autograder check attention`)."""

import pytest
import torch

from autograder.checks import expect_close


@pytest.mark.points(1)
def test_split_heads_slices_features(student):
    """split_heads(x, 2) on x of shape (2, 3, 8) gives (2, 2, 3, 4), head i holding features 4i to 4i+3"""
    x = torch.arange(2 * 3 * 8, dtype=torch.float32).view(2, 3, 8)
    expected = torch.stack([x[..., 0:4], x[..., 4:8]], dim=1)
    expect_close(student.attention.split_heads(x, 2), expected, what="split_heads(x, 2) for x of shape (2, 3, 8)",
                 hint="head i is x[..., i*d:(i+1)*d]: view(B, T, h, d), then permute(0, 2, 1, 3); "
                      "view(B, h, T, d) alone has the right shape but mixes tokens across heads")


@pytest.mark.points(1)
def test_merge_undoes_split(student):
    """merge_heads(split_heads(x, 4)) gives back x of shape (2, 5, 8) exactly"""
    x = torch.randn(2, 5, 8)
    heads = student.attention.split_heads(x, 4)
    expect_close(student.attention.merge_heads(heads), x, rtol=0, atol=0,
                 what="merge_heads(split_heads(x, 4)) for x of shape (2, 5, 8)",
                 hint="undo the permute first (transpose(1, 2)), then join the last two dimensions; the permuted "
                      "tensor is not contiguous, so use reshape or contiguous().view")
