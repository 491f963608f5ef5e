"""Computes nothing: the given __init__, and a forward that returns zeros of the right shape,
dtype and device for any input."""

import torch
from torch import nn


class MLP(nn.Module):
    def __init__(self, in_features: int = 784, hidden_features: int = 256, out_features: int = 10):
        super().__init__()
        self.in_features = in_features
        self.hidden = nn.Linear(in_features, hidden_features)
        self.act = nn.ReLU()
        self.output = nn.Linear(hidden_features, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.zeros(*x.shape[:-1], self.output.out_features, dtype=x.dtype, device=x.device)
