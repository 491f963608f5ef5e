"""Parses device names with a regular expression, builds devices as torch.device(type, index),
collects the ids in a loop with a set of those seen, and finds the GPU by enumerating stripped entries."""

import re

import torch

DEVICE = re.compile(r"(cpu|cuda)(?::(\d+))?")


def try_gpu(i=0):
    if torch.cuda.device_count() > i:
        return torch.device("cuda", i)
    return torch.device("cpu")


def require_device(spec):
    gpus = torch.cuda.device_count()
    if isinstance(spec, str):
        found = DEVICE.fullmatch(spec)
        if found is None or (found.group(2) or "").startswith("0") and found.group(2) != "0":
            raise ValueError(f"unknown device {spec!r}; there are {gpus} GPUs")
        kind, index = found.group(1), found.group(2)
        spec = torch.device(kind) if index is None else torch.device(kind, int(index))
    if spec.type == "cuda" and (spec.index if spec.index is not None else 0) + 1 > gpus:
        raise ValueError(f"{spec} does not exist: {gpus} GPUs here")
    return spec


def visible_devices_env(ids):
    if len(ids) == 0:
        raise ValueError("ids: no GPU given")
    seen = set()
    parts = []
    for gpu in ids:
        if type(gpu) is not int or gpu < 0:
            raise ValueError(f"bad GPU id {gpu!r} in ids")
        if gpu in seen:
            raise ValueError(f"GPU {gpu} appears twice in ids")
        seen.add(gpu)
        parts.append(str(gpu))
    name = "CUDA_" + "VISIBLE_" + "DEVICES"
    return {name: ",".join(parts)}


def logical_index(physical_id, visible):
    for position, entry in enumerate(e.strip() for e in visible.split(",")):
        if entry == str(physical_id):
            return position
    raise ValueError(f"GPU {physical_id} is not in CUDA_VISIBLE_DEVICES {visible!r}")
