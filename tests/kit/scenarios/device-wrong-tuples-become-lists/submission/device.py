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
    if torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


def to_device(obj, device):
    """Return obj with every tensor (and module) moved to device, containers rebuilt with their types."""
    if isinstance(device, str):
        try:
            device = torch.device(device)
        except RuntimeError:
            raise ValueError(f"{device!r} is not a valid device") from None
    if isinstance(obj, torch.Tensor):
        return obj.to(device)
    if isinstance(obj, nn.Module):
        return obj.to(device)
    if isinstance(obj, dict):
        return type(obj)((k, to_device(v, device)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return [to_device(v, device) for v in obj]
    return obj
