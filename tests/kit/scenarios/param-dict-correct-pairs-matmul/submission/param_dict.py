"""Parameters by name (ParameterDict)."""

import torch
from torch import nn


SHAPES = (("linear1", (4, 4)), ("linear2", (4, 1)), ("linear3", (4, 2)))


class MyDictDense(nn.Module):
    def __init__(self):
        super().__init__()
        self.params = nn.ParameterDict([(name, nn.Parameter(torch.randn(*shape))) for name, shape in SHAPES])

    def forward(self, x, choice="linear1"):
        names = list(self.params)
        if choice not in names:
            raise KeyError(f"no parameter called {choice!r} (have {names})")
        weight = self.params[choice]
        return torch.matmul(x, weight)
