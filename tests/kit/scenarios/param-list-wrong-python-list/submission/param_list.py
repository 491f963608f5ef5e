"""Parameters in a list (ParameterList).

Parameters kept in a plain Python list are invisible to `nn.Module`: they are not registered, so
`parameters()` misses them, the optimizer never updates them, `.to(device)` does not move them and
`state_dict()` does not save them. `nn.ParameterList` registers each entry (names `params.0`,
`params.1`, …). Using `.data` in `forward` detaches the parameters: they then get no gradients.
"""

import torch
from torch import nn


class MyListDense(nn.Module):
    """x @ P0 @ P1 @ … @ P_last, with `depth` (dim, dim) parameters and a final (dim, 1) one."""

    def __init__(self, dim: int = 4, depth: int = 3):
        super().__init__()
        self.dim = dim
        self.params = [nn.Parameter(torch.randn(dim, dim)) for _ in range(depth)]
        self.params.append(nn.Parameter(torch.randn(dim, 1)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Multiply x (N, dim) by every parameter in order; ValueError on other input shapes."""
        if x.dim() != 2 or x.shape[1] != self.dim:
            raise ValueError(f"expected x of shape (N, {self.dim}), got {tuple(x.shape)}")
        for p in self.params:
            x = x @ p
        return x
