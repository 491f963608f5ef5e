"""Public checks for mlp.py (run them with `autograder check mlp`)."""

import pytest
import torch

from autograder.checks import expect_raises, expect_shape


@pytest.mark.points(1)
def test_output_shape(student):
    """a batch of 4 flattened images gives 4 rows of 10 scores"""
    net = student.mlp.MLP()
    expect_shape(net(torch.randn(4, 784)), (4, 10), what="MLP()(x) for x of shape (4, 784)")


@pytest.mark.points(1)
def test_rejects_wrong_input_size(student):
    """an input whose last dimension is not 784 raises ValueError naming 784"""
    net = student.mlp.MLP()
    net(torch.randn(2, 784))  # a valid input must work before an error can earn points
    # 784 rows of 100 features: checking x.shape[0] instead of the last dimension misses it.
    expect_raises(ValueError, net, torch.randn(784, 100), match=r"784",
                  hint="check x.shape[-1] against the in_features given to __init__")
