"""Parameters by name (ParameterDict)."""

import torch
from torch import nn


class MyDictDense(nn.Module):
    def __init__(self):
        super().__init__()
        self.params = nn.ParameterDict()
        self.params["linear1"] = nn.Parameter(torch.randn(4, 4))
        self.params["linear2"] = nn.Parameter(torch.randn(4, 1))
        self.params["linear3"] = nn.Parameter(torch.randn(4, 2))

    def forward(self, x, choice="linear1"):
        if choice not in self.params.keys():
            raise KeyError("choice must be one of " + ", ".join(sorted(self.params.keys())) + f", not {choice}")
        return torch.mm(x, self.params[choice])
