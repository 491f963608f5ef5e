"""Hostile: end the process with status 0 in the middle of a call.

A grader that treats a call without an answer (or a clean exit status) as "nothing went wrong"
would pass the check; one that runs checks in the same process would stop grading altogether.
"""

import os

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
        os._exit(0)
