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
    cuda = torch.cuda.is_available()
    device = torch.device("cuda" if cuda else "cpu")
    return device


def to_device(obj, device):
    """Return obj with every tensor (and module) moved to device, containers rebuilt with their types."""
    if not isinstance(device, torch.device):
        try:
            device = torch.device(device)
        except RuntimeError as e:
            raise ValueError(f"bad device string: {device}") from e

    if torch.is_tensor(obj):
        return obj.to(device)
    if isinstance(obj, nn.Module):
        obj.to(device)
        return obj
    if isinstance(obj, dict):
        pairs = []
        for key, value in obj.items():
            pairs.append((key, to_device(value, device)))
        return type(obj)(pairs)
    if isinstance(obj, (list, tuple)):
        items = []
        for value in obj:
            items.append(to_device(value, device))
        if isinstance(obj, tuple) and hasattr(obj, "_fields"):
            return type(obj)(*items)
        return type(obj)(items)
    return obj
