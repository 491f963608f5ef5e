"""Views, copies and scalars (view 与 clone).

`view` returns a tensor that shares storage with its input, so a write through one shows in the
other. `reshape` returns a view when it can and silently copies when it cannot, so it is neither a
guaranteed view nor a guaranteed copy. `clone()` copies and keeps the autograd link;
`detach().clone()` copies and cuts it. Tensors have no `.copy()`. `.item()` turns a one-element
tensor into a Python number.
"""

import torch


def reshape_shared(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    """Reshape x without copying: the result shares memory with x and gradients reach x, else ValueError."""
    # YOUR CODE HERE
    raise NotImplementedError("complete reshape_shared")


def reshape_independent(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    """Reshape into new memory: never shares memory with x, and gradients still reach x."""
    # YOUR CODE HERE
    raise NotImplementedError("complete reshape_independent")


def to_scalar(t: torch.Tensor) -> int | float | bool:
    """Return the Python number held by a one-element tensor of any shape or device."""
    # YOUR CODE HERE
    raise NotImplementedError("complete to_scalar")
