"""Public checks for param_list.py (run them with `autograder check param_list`)."""

import pytest
import torch

from autograder.checks import expect, expect_shape, named_parameters


@pytest.mark.points(1)
def test_forward_shape(student):
    """MyListDense() maps a (2, 4) input to a (2, 1) output"""
    net = student.param_list.MyListDense()
    expect_shape(net(torch.randn(2, 4)), (2, 1), what="MyListDense()(x) for x of shape (2, 4)")


@pytest.mark.points(1)
def test_parameter_names(student):
    """the four parameters are registered as params.0 … params.3"""
    names = list(named_parameters(student.param_list.MyListDense()))
    expect(names == ["params.0", "params.1", "params.2", "params.3"],
           f"MyListDense() registers {names or 'no parameters'}; expected params.0, params.1, params.2, params.3",
           hint="keep them in an nn.ParameterList called params; a Python list registers nothing")
