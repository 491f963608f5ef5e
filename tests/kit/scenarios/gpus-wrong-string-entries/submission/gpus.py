"""logical_index compares the raw entries of visible.split(',') with str(physical_id): spaces break it."""

import torch


def try_gpu(i: int = 0) -> torch.device:
    """torch.device(f"cuda:{i}") if GPU i exists (i < torch.cuda.device_count()), else torch.device("cpu")."""
    if i < torch.cuda.device_count():
        return torch.device(f"cuda:{i}")
    return torch.device("cpu")


def require_device(spec: str | torch.device) -> torch.device:
    """The torch.device that spec ("cpu", "cuda", "cuda:1" or a torch.device) names, if it exists here.

    Raises ValueError, with a message that says how many GPUs there are, for a string that names no
    device (such as "gpu" or "cuda:x") and for a cuda device whose index is not below
    torch.cuda.device_count() (plain "cuda" means cuda:0, so it needs one GPU). Never falls back to
    the cpu.
    """
    count = torch.cuda.device_count()
    if isinstance(spec, torch.device):
        device = spec
    else:
        try:
            device = torch.device(spec)
        except RuntimeError as exc:
            raise ValueError(f"spec {spec!r} names no device (this machine has {count} GPUs)") from exc
    if device.type == "cuda":
        index = device.index or 0
        if index >= count:
            raise ValueError(f"spec {spec!r} asks for GPU {index}, but this machine has {count} GPUs")
    return device


def visible_devices_env(ids: list[int]) -> dict[str, str]:
    """The environment entry that shows a process only the physical GPUs ids, in that order.

    [2, 3] gives {"CUDA_VISIBLE_DEVICES": "2,3"}. An empty list, a repeated id, a negative id or an
    id that is not an int (True and False are not GPU ids) raises ValueError naming ids or the bad id.
    """
    if not ids:
        raise ValueError("ids is empty: list at least one GPU")
    for gpu in ids:
        if isinstance(gpu, bool) or not isinstance(gpu, int):
            raise ValueError(f"ids must be ints, got {gpu!r}")
        if gpu < 0:
            raise ValueError(f"ids must not be negative, got {gpu}")
    if len(set(ids)) != len(ids):
        raise ValueError(f"ids {ids} lists a GPU more than once")
    return {"CUDA_VISIBLE_DEVICES": ",".join(str(gpu) for gpu in ids)}


def logical_index(physical_id: int, visible: str) -> int:
    """The index (cuda:<index>) of physical GPU physical_id in a process whose CUDA_VISIBLE_DEVICES
    is visible, such as "2,3" or "2, 3" (physical 3 is then cuda:1).

    A GPU that is not listed is hidden ("" and "-1" hide them all): ValueError naming physical_id.
    """
    listed = visible.split(",")
    if str(physical_id) not in listed:
        raise ValueError(f"physical GPU {physical_id} is hidden by CUDA_VISIBLE_DEVICES={visible!r}")
    return listed.index(str(physical_id))
