"""Public checks for param_list.py (run them with `autograder check param_list`)."""

import pytest
import torch

from autograder.checks import expect, expect_close, expect_shape, fail, named_parameters

LIST_HINT = "keep them in an nn.ParameterList called params; a Python list registers nothing"


@pytest.mark.points(1)
def test_forward_shape(student):
    """MyListDense() maps a (2, 4) input to x @ P0 @ … @ P3 with its own parameters, of shape (2, 1)"""
    net = student.param_list.MyListDense()
    params = named_parameters(net)
    if not params:
        fail("MyListDense() registers no parameters, so its output cannot be compared with x @ P0 @ … @ P3",
             hint=LIST_HINT)
    x = torch.randn(2, 4)
    expected = x
    for name, p in params.items():
        if p.dim() != 2 or p.shape[0] != expected.shape[1] or p.dtype != x.dtype:
            fail(f"the registered parameter {name} ({p.dtype} of shape {tuple(p.shape)}) cannot multiply the "
                 "product x @ P0 @ … before it", hint="three (4, 4) float32 parameters and a final (4, 1) one, "
                 "made with torch.randn")
        expected = expected @ p.detach()
    out = net(x)
    expect_shape(out, (2, 1), what="MyListDense()(x) for x of shape (2, 4)",
                 hint="three (4, 4) parameters, then a final (4, 1) one")
    expect_close(out, expected, what="MyListDense()(x) for x of shape (2, 4)",
                 hint="multiply by every parameter, in order: x @ P0 @ P1 @ P2 @ P3")


@pytest.mark.points(1)
def test_parameter_names(student):
    """the four parameters are registered as params.0 … params.3"""
    names = list(named_parameters(student.param_list.MyListDense()))
    expect(names == ["params.0", "params.1", "params.2", "params.3"],
           f"MyListDense() registers {names or 'no parameters'}; expected params.0, params.1, params.2, params.3",
           hint=LIST_HINT)
