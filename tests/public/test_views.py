"""Public checks for views.py (run them with `autograder check views`)."""

import pytest
import torch

from autograder.checks import expect_close, expect_equal


@pytest.mark.points(1)
def test_reshape_shared_shape(student):
    """reshape_shared(arange(24), (4, 6)) has shape (4, 6) and the same values"""
    x = torch.arange(24.0)
    expect_close(student.views.reshape_shared(x, (4, 6)), x.reshape(4, 6), what="reshape_shared(x, (4, 6))")


@pytest.mark.points(1)
def test_to_scalar_float(student):
    """to_scalar(tensor([2.5])) is the Python float 2.5"""
    expect_equal(student.views.to_scalar(torch.tensor([2.5])), 2.5, what="to_scalar(tensor([2.5]))",
                 hint="Tensor.item() gives a Python number")
