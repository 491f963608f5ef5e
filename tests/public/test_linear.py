"""Public checks for linear.py (run them with `autograder check linear`)."""

import pytest
import torch
import torch.nn.functional as F

from autograder.checks import expect_close, forbid, named_parameters


@pytest.mark.points(1)
def test_linear_forward_square_weight(student):
    """linear_forward(x, weight, bias) with a square (3, 3) weight is x Wᵀ + b, without F.linear"""
    x = torch.randn(4, 3)
    weight = torch.tensor([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [-2.0, 0.5, 1.0]])  # not symmetric
    bias = torch.tensor([0.5, -1.0, 2.0])
    with forbid("torch.nn.functional.linear"):
        out = student.linear.linear_forward(x, weight, bias)
    expect_close(out, x @ weight.T + bias, what="linear_forward(x, weight, bias) for x (4, 3), weight (3, 3)",
                 hint="weight is (out, in) as in nn.Linear, so x meets its transpose; x @ weight has the same "
                      "shape when weight is square, but other values")


@pytest.mark.points(1)
def test_predict_eval_output(student):
    """predict on Linear → Dropout(0.5) in train mode gives the layer's output with nothing dropped"""
    nn = student.torch.nn
    net = nn.Sequential(nn.Linear(4, 3), nn.Dropout(0.5))
    params = named_parameters(net)
    x = torch.randn(8, 4)
    expect_close(student.linear.predict(net, x), F.linear(x, params["0.weight"].detach(), params["0.bias"].detach()),
                 what="predict(net, x) for net = Sequential(Linear(4, 3), Dropout(0.5)) in train mode",
                 hint="switch the model to eval mode before calling it: in train mode Dropout zeroes half of "
                      "the values and doubles the rest")
