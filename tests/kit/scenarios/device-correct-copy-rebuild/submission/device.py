"""Putting everything on one device (设备).

Every tensor that takes part in a forward pass, a loss and a backward pass must be on the same
device. `tensor.to(device)` returns a *new* tensor and leaves the original where it was, so its
result must be used; `module.to(device)` moves the module in place and returns it. Pick CUDA only
when it is available.
"""

import copy

import torch
from torch import nn


def default_device() -> torch.device:
    """torch.device('cuda') when CUDA is available, else torch.device('cpu')."""
    return torch.device("cuda:0") if torch.cuda.device_count() > 0 else torch.device("cpu")


def to_device(obj, device):
    """Return obj with every tensor (and module) moved to device, containers rebuilt with their types."""
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise ValueError(f"unknown device {device!r}: {error}")
    return _to(obj, device)


def _to(obj, device):
    if isinstance(obj, (torch.Tensor, nn.Module)):
        return obj.to(device)
    if isinstance(obj, dict):
        new = copy.copy(obj)
        for key, value in obj.items():
            new[key] = _to(value, device)
        return new
    if isinstance(obj, list):
        new = copy.copy(obj)
        for i, value in enumerate(obj):
            new[i] = _to(value, device)
        return new
    if isinstance(obj, tuple):
        moved = [_to(value, device) for value in obj]
        if hasattr(obj, "_make"):
            return obj._make(moved)
        return type(obj)(moved)
    return obj
