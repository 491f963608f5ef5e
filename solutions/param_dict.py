"""Parameters by name (ParameterDict).

`nn.ParameterDict` registers each entry under its key (names `params.linear1`, …), so
`parameters()`, the optimizer, `.to(device)` and `state_dict()` see them all; a plain Python
`dict` of `nn.Parameter` registers nothing. `forward` can then pick one parameter by name:
only the chosen one takes part in the computation, so only it gets a gradient (the others keep
`grad is None`, which optimizers skip). Looking up a key that is not there raises a confusing
`AttributeError` ("'ParameterDict' object has no attribute …"), and a name like "training" finds
the module's attribute instead: check the choice and raise a `KeyError` that lists the valid keys.
"""

import torch
from torch import nn


class MyDictDense(nn.Module):
    """x @ params[choice] for three parameters: linear1 (4, 4), linear2 (4, 1) and linear3 (4, 2)."""

    def __init__(self):
        super().__init__()
        ### BEGIN SOLUTION
        self.params = nn.ParameterDict({
            "linear1": nn.Parameter(torch.randn(4, 4)),
            "linear2": nn.Parameter(torch.randn(4, 1)),
        })
        self.params.update({"linear3": nn.Parameter(torch.randn(4, 2))})
        ### END SOLUTION

    def forward(self, x: torch.Tensor, choice: str = "linear1") -> torch.Tensor:
        """x (N, 4) times the parameter named `choice`; KeyError listing the valid names for another choice."""
        ### BEGIN SOLUTION
        if choice not in self.params:
            raise KeyError(f"unknown choice {choice!r}: expected one of {', '.join(self.params.keys())}")
        return x @ self.params[choice]
        ### END SOLUTION
