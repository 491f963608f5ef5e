"""Parameters by name (ParameterDict)."""

import torch
from torch import nn


class MyDictDense(nn.Module):
    def __init__(self):
        super().__init__()
        self.params = nn.ParameterDict({
            "linear1": nn.Parameter(torch.randn(4, 4)),
            "linear2": nn.Parameter(torch.randn(4, 1)),
        })
        self.params.update({"linear3": nn.Parameter(torch.randn(4, 2))})

    def forward(self, x, choice="linear1"):
        if choice not in self.params:
            raise KeyError(f"unknown choice {choice!r}: expected one of {', '.join(self.params.keys())}")
        return x @ self.params[choice].data
