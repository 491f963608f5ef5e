"""Public checks for init.py (run them with `autograder check init`)."""

import math

import pytest
import torch

from autograder.checks import expect, expect_equal, named_parameters


@pytest.mark.points(1)
def test_linear_init(student):
    """init_weights on nn.Linear(512, 256): zero bias, weights with std near √(2/512)"""
    layer = student.torch.nn.Linear(512, 256)
    student.init.init_weights(layer)
    params = named_parameters(layer)
    expect(bool(torch.all(params["bias"] == 0)), "init_weights left the bias of nn.Linear(512, 256) non-zero",
           hint="set the bias to zeros (nn.init.zeros_)")
    std = float(params["weight"].detach().std())
    expect(abs(std - math.sqrt(2 / 512)) < 0.1 * math.sqrt(2 / 512),
           f"the weights of nn.Linear(512, 256) have std {std:.4f}; Kaiming-normal with the ReLU gain gives "
           f"√(2/512) ≈ {math.sqrt(2 / 512):.4f}",
           hint="nn.init.kaiming_normal_(w, mode='fan_in', nonlinearity='relu')")


@pytest.mark.points(1)
def test_count_linear(student):
    """count_parameters(nn.Linear(3, 2)) is 8: six weights and two biases"""
    expect_equal(student.init.count_parameters(student.torch.nn.Linear(3, 2)), 8,
                 what="count_parameters(nn.Linear(3, 2))", hint="sum p.numel() over model.parameters()")
