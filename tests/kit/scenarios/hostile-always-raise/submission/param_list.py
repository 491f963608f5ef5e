"""Hostile: implement nothing, raise the error every rejection check wants."""

from torch import nn

MESSAGE = "kernel_size size stride padding: expected 784 or 12, got 0, 2, 6 elements"


class MyListDense(nn.Module):
    def __init__(self, dim: int = 4, depth: int = 3):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        raise ValueError(MESSAGE)
