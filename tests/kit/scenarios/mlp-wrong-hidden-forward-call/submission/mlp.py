"""A multi-layer perceptron (多层感知机, MLP) with one hidden layer.

The chapter builds an MLP for 28×28 images: 784 inputs, a hidden layer of 256 units with a ReLU,
and 10 outputs. It has *one* hidden layer (the chapter's "两个隐藏层" is a slip), and
`hidden.weight` has shape (256, 784): `nn.Linear` stores weights as [out, in] and computes
y = x Wᵀ + b. Call submodules as `self.hidden(x)`, not `self.hidden.forward(x)`: only the call
goes through `Module.__call__`, which runs hooks.
"""

import torch
from torch import nn


class MLP(nn.Module):
    """Linear → ReLU → Linear."""

    def __init__(self, in_features: int = 784, hidden_features: int = 256, out_features: int = 10):
        super().__init__()
        self.in_features = in_features
        self.hidden = nn.Linear(in_features, hidden_features)
        self.act = nn.ReLU()
        self.output = nn.Linear(hidden_features, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return output(act(hidden(x))); raise ValueError if x's last dimension is not in_features."""
        if x.dim() == 0 or x.shape[-1] != self.in_features:
            raise ValueError(f"expected the last dimension of x to be {self.in_features}, got shape {tuple(x.shape)}")

        return self.output(self.act(self.hidden.forward(x)))
