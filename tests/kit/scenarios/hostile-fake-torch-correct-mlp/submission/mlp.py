"""A correct MLP (the honest part of this submission)."""

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
        if x.dim() == 0 or x.shape[-1] != self.in_features:
            raise ValueError(f"expected the last dimension to be {self.in_features}, got shape {tuple(x.shape)}")
        return self.output(self.act(self.hidden(x)))
