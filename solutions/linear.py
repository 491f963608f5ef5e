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
    ### BEGIN SOLUTION
    if weight.dim() != 2:
        raise ValueError(f"weight must be 2-D (out_features, in_features), got shape {tuple(weight.shape)}")
    out_features, in_features = weight.shape
    if x.dim() == 0 or x.shape[-1] != in_features:
        raise ValueError(f"x must have {in_features} features in its last dimension to match weight of shape "
                         f"{tuple(weight.shape)}, got shape {tuple(x.shape)}")
    if bias is not None and tuple(bias.shape) != (out_features,):
        raise ValueError(f"bias must have shape ({out_features},) to match weight of shape {tuple(weight.shape)}, "
                         f"got shape {tuple(bias.shape)}")
    y = x @ weight.T
    if bias is not None:
        y = y + bias
    return y
    ### END SOLUTION


def predict(net: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """net(x) in eval mode, with no autograd graph; net is left in the train/eval mode it was in."""
    ### BEGIN SOLUTION
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad():
            return net(x)
    finally:
        net.train(was_training)
    ### END SOLUTION
