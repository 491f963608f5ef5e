"""Public checks for batching.py (run them with `autograder check batching`)."""

import pytest
import torch

from autograder.checks import expect_shape


@pytest.mark.points(1)
def test_add_batch_dim_shape(student):
    """a (3, 32, 32) image becomes a batch of one: (1, 3, 32, 32)"""
    out = student.batching.add_batch_dim(torch.randn(3, 32, 32))
    expect_shape(out, (1, 3, 32, 32), what="add_batch_dim(x) for x of shape (3, 32, 32)",
                 hint="the new dimension goes first: unsqueeze(0)")


@pytest.mark.points(1)
def test_as_conv_input_shapes(student):
    """(8, 8) becomes (1, 1, 8, 8) and (3, 8, 8) becomes (1, 3, 8, 8)"""
    convert = student.batching.as_conv_input
    expect_shape(convert(torch.randn(8, 8)), (1, 1, 8, 8), what="as_conv_input(x) for x of shape (8, 8)")
    expect_shape(convert(torch.randn(3, 8, 8)), (1, 3, 8, 8), what="as_conv_input(x) for x of shape (3, 8, 8)")
