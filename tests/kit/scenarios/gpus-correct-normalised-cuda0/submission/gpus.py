"""Asks is_available() as well as device_count(), turns plain "cuda" into cuda:0, uses Counter for
repeated ids and map(int, ...) with an explicit empty case for CUDA_VISIBLE_DEVICES."""

from collections import Counter

import torch


def try_gpu(i=0):
    ok = torch.cuda.is_available() and i in range(torch.cuda.device_count())
    return torch.device(f"cuda:{i}") if ok else torch.device("cpu")


def require_device(spec):
    n = torch.cuda.device_count()
    try:
        device = spec if isinstance(spec, torch.device) else torch.device(spec)
    except RuntimeError as error:
        raise ValueError(f"{spec!r}: {error} (GPUs: {n})") from None
    if device.type != "cuda":
        return device
    device = torch.device("cuda", device.index if device.index is not None else 0)
    if not torch.cuda.is_available() or device.index not in range(n):
        raise ValueError(f"{spec!r} needs GPU {device.index}; GPUs: {n}")
    return device


def visible_devices_env(ids):
    if not ids:
        raise ValueError("ids must name at least one GPU")
    if not all(type(gpu) is int for gpu in ids):
        raise ValueError(f"ids must be ints: {ids!r}")
    if min(ids) < 0:
        raise ValueError(f"ids must be >= 0: {ids!r}")
    twice = [gpu for gpu, times in Counter(ids).items() if times > 1]
    if twice:
        raise ValueError(f"ids repeats {twice}")
    return {"CUDA_VISIBLE_DEVICES": ",".join(map(str, ids))}


def logical_index(physical_id, visible):
    listed = list(map(int, visible.split(","))) if visible.strip() else []
    try:
        return listed.index(physical_id)
    except ValueError:
        raise ValueError(f"physical_id {physical_id} is hidden") from None
