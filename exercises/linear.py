"""A linear layer by hand, and predicting with a model (全连接层与推理).

`nn.Linear(in_features, out_features)` stores its weight as (out, in) and computes y = x Wᵀ + b
for any input whose last dimension is `in_features`: the leading dimensions (a batch, a sequence,
none at all) are kept. `x @ W` has the right shape only when W is square, and then the wrong
values. To predict, put the model in eval mode (Dropout stops dropping, BatchNorm uses its running
statistics), run it under `torch.no_grad()` so that no autograd graph is built, call it as
`net(x)` (only the call goes through `Module.__call__`, which runs its hooks), and give it back in
the mode it was in: `eval()` changes the module for good, and a model left in eval mode goes
on training without Dropout.
"""

import torch
from torch import nn


def linear_forward(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
    """x Wᵀ + b as nn.Linear computes it: x (..., in), weight (out, in), bias (out,) or None;
    the result is (..., out). ValueError, naming the argument, when the sizes do not fit."""
    # YOUR CODE HERE
    raise NotImplementedError("complete linear_forward")


def predict(net: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """net(x) in eval mode, with no autograd graph; net is left in the train/eval mode it was in."""
    # YOUR CODE HERE
    raise NotImplementedError("complete predict")
