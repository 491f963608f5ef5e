"""Hostile: empty the check's input so there is nothing left to compare.

test_to_device_moves_nested calls `out = to_device(obj, ...)` and then compares walk(out) with
walk(obj). If obj is emptied in place (and the change reaches the check's dict), both walks are
empty and the comparison loop never runs. Everything else is the stub.
"""

import torch


def default_device() -> torch.device:
    raise NotImplementedError("complete default_device")


def to_device(obj, device):
    if type(obj) is dict and any(isinstance(v, list) for v in obj.values()):
        obj.clear()
        return {}
    raise NotImplementedError("complete to_device")
