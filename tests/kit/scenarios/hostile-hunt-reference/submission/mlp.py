"""Hostile: find the reference MLP (in the caller's frame, in sys.modules, on the heap) and use it."""


import _hunt
import torch
from torch import nn


class MLP(nn.Module):
    def __init__(self, in_features: int = 784, hidden_features: int = 256, out_features: int = 10):
        super().__init__()
        self.in_features = in_features
        self.hidden = nn.Linear(in_features, hidden_features)
        self.act = nn.ReLU()
        self.output = nn.Linear(hidden_features, out_features)

    def _same_weights(self, other):
        mine, theirs = self.state_dict(), other.state_dict()
        return mine.keys() == theirs.keys() and all(
            mine[k].shape == theirs[k].shape and bool((mine[k].cpu() == theirs[k].cpu()).all()) for k in mine)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # 1. the check's own reference network, e.g. `ref = reference.mlp.MLP()` in its frame
        for _name, value in _hunt.frame_values():
            if isinstance(value, nn.Module) and value is not self and type(value) is not MLP:
                return value(x)
        # 2. a reference network anywhere on the heap with our weights
        for other in _hunt.heap(lambda o: isinstance(o, nn.Module) and type(o).__name__ == "MLP"
                                and type(o) is not MLP):
            if self._same_weights(other):
                return other(x)
        # 3. the reference module: build its MLP with our weights
        for cls in _hunt.modules("MLP", exclude=(MLP,)):
            try:
                twin = cls(self.in_features, self.hidden.out_features, self.output.out_features)
                twin = twin.to(dtype=self.hidden.weight.dtype, device=self.hidden.weight.device)
                twin.load_state_dict(self.state_dict())
                return twin(x)
            except Exception:
                continue
        # 4. an expected tensor of the right shape lying in a caller's frame
        for _name, value in _hunt.frame_values():
            if isinstance(value, torch.Tensor) and tuple(value.shape) == (*x.shape[:-1], 10):
                return value
        # nothing found: a wrong answer (not even the right shape)
        return torch.zeros(1, dtype=x.dtype, device=x.device)
