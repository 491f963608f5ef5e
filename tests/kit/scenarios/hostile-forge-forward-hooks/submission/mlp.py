"""Hostile: fake the evidence the layer-order check looks for.

forward uses `layer.forward(x)`, which skips Module.__call__ and its hooks (the mistake the
check exists for: honestly 8/10). The check learns the call order from forward hooks it
registers in this process, so we fire every registered forward hook ourselves, in order.
"""

import torch
from torch import nn


def _call_like_a_module(layer: nn.Module, x: torch.Tensor) -> torch.Tensor:
    out = layer.forward(x)
    for hook in list(layer._forward_hooks.values()):
        result = hook(layer, (x,), out)
        if result is not None:
            out = result
    return out


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
        x = _call_like_a_module(self.hidden, x)
        x = _call_like_a_module(self.act, x)
        return _call_like_a_module(self.output, x)
