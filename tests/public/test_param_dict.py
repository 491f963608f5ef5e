"""Public checks for param_dict.py (run them with `autograder check param_dict`)."""

import pytest
import torch

from autograder.checks import expect, expect_close, fail, named_parameters

DICT_HINT = "keep them in an nn.ParameterDict called params; a Python dict registers nothing"
SHAPES = {"params.linear1": (4, 4), "params.linear2": (4, 1), "params.linear3": (4, 2)}


@pytest.mark.points(1)
def test_forward_each_choice(student):
    """MyDictDense()(x, choice) is x @ params[choice] with the module's own parameters, for each of the three names"""
    net = student.param_dict.MyDictDense()
    params = named_parameters(net)
    x = torch.randn(2, 4)
    for choice, out_features in (("linear1", 4), ("linear2", 1), ("linear3", 2)):
        p = params.get(f"params.{choice}")
        if p is None or p.dim() != 2 or p.shape[0] != 4 or p.dtype != x.dtype:
            fail(f"MyDictDense() has no registered (4, {out_features}) float32 parameter params.{choice}, so "
                 f"its output for choice={choice!r} cannot be compared with x @ params[{choice!r}]", hint=DICT_HINT)
        expect_close(net(x, choice), x @ p.detach(), what=f"MyDictDense()(x, {choice!r}) for x of shape (2, 4)",
                     hint="multiply x by the parameter that the choice names in self.params")


@pytest.mark.points(1)
def test_parameter_names(student):
    """the three parameters are registered as params.linear1 (4, 4), params.linear2 (4, 1), params.linear3 (4, 2)"""
    shapes = {name: tuple(p.shape) for name, p in named_parameters(student.param_dict.MyDictDense()).items()}
    expect(shapes == SHAPES, f"MyDictDense() registers {shapes or 'no parameters'}; expected "
           "params.linear1 (4, 4), params.linear2 (4, 1) and params.linear3 (4, 2)", hint=DICT_HINT)
