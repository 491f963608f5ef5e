"""Public checks for mlp.py (run them with `autograder check mlp`)."""

import pytest
import torch
import torch.nn.functional as F

from autograder.checks import expect_close, expect_raises, fail, named_parameters

#: the parameters of the layers that MLP.__init__ builds (given in the exercise), with their shapes
LAYERS = {"hidden.weight": (256, 784), "hidden.bias": (256,), "output.weight": (10, 256), "output.bias": (10,)}


@pytest.mark.points(1)
def test_output_shape(student):
    """a batch of 4 flattened images gives 4 rows of 10 scores: output(relu(hidden(x))) with the MLP's own weights"""
    net = student.mlp.MLP()
    weights = {name: p.detach() for name, p in named_parameters(net).items()}
    if any(name not in weights or tuple(weights[name].shape) != shape or weights[name].dtype != torch.float32
           for name, shape in LAYERS.items()):
        fail("MLP() does not have the layers __init__ builds: self.hidden = nn.Linear(784, 256) and "
             "self.output = nn.Linear(256, 10)", hint="keep __init__ as the exercise gives it")
    x = torch.randn(4, 784)
    hidden = F.relu(F.linear(x, weights["hidden.weight"], weights["hidden.bias"]))
    expected = F.linear(hidden, weights["output.weight"], weights["output.bias"])
    expect_close(net(x), expected, what="MLP()(x) for x of shape (4, 784)",
                 hint="hidden → ReLU → output: self.output(self.act(self.hidden(x)))")


@pytest.mark.points(1)
@pytest.mark.requires("test_output_shape")
def test_rejects_wrong_input_size(student):
    """an input whose last dimension is not 784 raises ValueError naming 784"""
    # 784 rows of 100 features: checking x.shape[0] instead of the last dimension misses it.
    expect_raises(ValueError, student.mlp.MLP(), torch.randn(784, 100), match=r"784",
                  hint="check x.shape[-1] against the in_features given to __init__")
