"""Public checks for batching.py (run them with `autograder check batching`)."""

import pytest
import torch

from autograder.checks import expect_close


@pytest.mark.points(1)
def test_add_batch_dim_shape(student):
    """a (3, 32, 32) image becomes a batch of one: (1, 3, 32, 32), with the image's values"""
    x = torch.randn(3, 32, 32)
    expect_close(student.batching.add_batch_dim(x), x.unsqueeze(0), what="add_batch_dim(x) for x of shape (3, 32, 32)",
                 hint="the new dimension goes first: unsqueeze(0)")


@pytest.mark.points(1)
def test_as_conv_input_shapes(student):
    """(8, 8) becomes (1, 1, 8, 8) and (3, 8, 8) becomes (1, 3, 8, 8), with the input's values"""
    convert = student.batching.as_conv_input
    image = torch.randn(8, 8)
    expect_close(convert(image), image.unsqueeze(0).unsqueeze(0), what="as_conv_input(x) for x of shape (8, 8)",
                 hint="(H, W) gets two leading dimensions of size 1")
    channels = torch.randn(3, 8, 8)
    expect_close(convert(channels), channels.unsqueeze(0), what="as_conv_input(x) for x of shape (3, 8, 8)",
                 hint="(C, H, W) gets one leading dimension of size 1")
