"""Hostile: implement nothing, raise the error every rejection check wants."""

from torch import nn

MESSAGE = "kernel_size size stride padding: expected 784 or 12, got 0, 2, 6 elements"


class MLP(nn.Module):
    def __init__(self, in_features: int = 784, hidden_features: int = 256, out_features: int = 10):
        super().__init__()
        self.in_features = in_features
        self.hidden = nn.Linear(in_features, hidden_features)
        self.act = nn.ReLU()
        self.output = nn.Linear(hidden_features, out_features)

    def forward(self, x):
        raise ValueError(MESSAGE)
