"""Validates the known keys but merges overrides with config.update(...), so a misspelt batchsize=32 is silently added and the batch size stays 16."""

import math


def make_config(**overrides) -> dict:
    config = {"batch_size": 16, "lr": 1e-4, "max_epochs": 100}
    for key in ("batch_size", "max_epochs"):
        if key in overrides:
            value = overrides[key]
            if type(value) is not int or value < 1:
                raise ValueError(f"{key} must be an int >= 1, got {value!r}")
    if "lr" in overrides:
        value = overrides["lr"]
        if type(value) not in (int, float) or not math.isfinite(value) or value <= 0:
            raise ValueError(f"lr must be a finite number > 0, got {value!r}")
    config.update(overrides)
    return config

def num_batches(n_samples: int, batch_size: int, drop_last: bool = False) -> int:
    if type(n_samples) is not int or n_samples < 0:
        raise ValueError(f"n_samples must be an int >= 0, got {n_samples!r}")
    if type(batch_size) is not int or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    if drop_last:
        return n_samples // batch_size
    return (n_samples + batch_size - 1) // batch_size
