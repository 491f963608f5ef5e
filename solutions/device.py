"""Putting everything on one device (设备).

Every tensor that takes part in a forward pass, a loss and a backward pass must be on the same
device. `tensor.to(device)` returns a *new* tensor and leaves the original where it was, so its
result must be used; `module.to(device)` moves the module in place and returns it. Pick CUDA only
when it is available.
"""

import torch
from torch import nn


def default_device() -> torch.device:
    """torch.device('cuda') when CUDA is available, else torch.device('cpu')."""
    ### BEGIN SOLUTION
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    ### END SOLUTION


def to_device(obj, device):
    """Return obj with every tensor (and module) moved to device, containers rebuilt with their types."""
    ### BEGIN SOLUTION
    if isinstance(device, str):
        try:
            device = torch.device(device)
        except RuntimeError as exc:
            raise ValueError(f"not a device: {device!r}") from exc
    return _move(obj, device)


def _move(obj, device):
    if isinstance(obj, (torch.Tensor, nn.Module)):
        return obj.to(device)
    if isinstance(obj, dict):
        return type(obj)((key, _move(value, device)) for key, value in obj.items())
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(_move(item, device) for item in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(_move(item, device) for item in obj)
    return obj
    ### END SOLUTION
