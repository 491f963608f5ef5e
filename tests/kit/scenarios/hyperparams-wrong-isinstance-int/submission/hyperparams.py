"""Checks sizes with isinstance(value, int), so True is accepted as a batch_size, max_epochs, n_samples and lr (bool is a subclass of int)."""

import math


def make_config(**overrides) -> dict:
    config = {"batch_size": 16, "lr": 1e-4, "max_epochs": 100}
    for key, value in overrides.items():
        if key not in config:
            raise ValueError(f"unknown hyperparameter {key!r}")
        if key == "lr":
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
                raise ValueError(f"lr must be a finite number > 0, got {value!r}")
        elif not isinstance(value, int) or value < 1:
            raise ValueError(f"{key} must be an int >= 1, got {value!r}")
        config[key] = value
    return config


def num_batches(n_samples: int, batch_size: int, drop_last: bool = False) -> int:
    if not isinstance(n_samples, int) or n_samples < 0:
        raise ValueError(f"n_samples must be an int >= 0, got {n_samples!r}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    if drop_last:
        return n_samples // batch_size
    return (n_samples + batch_size - 1) // batch_size
