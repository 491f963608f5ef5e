"""Only checks that sizes are at least 1 and converts them with int(...), so 16.0 (and 2.5) pass as a batch_size or max_epochs."""

import math


def make_config(**overrides) -> dict:
    config = {"batch_size": 16, "lr": 1e-4, "max_epochs": 100}
    for key, value in overrides.items():
        if key not in config:
            raise ValueError(f"unknown hyperparameter {key!r}")
        if key == "lr":
            if type(value) not in (int, float) or not math.isfinite(value) or value <= 0:
                raise ValueError(f"lr must be a finite number > 0, got {value!r}")
            config[key] = value
        else:
            if type(value) not in (int, float) or value < 1:
                raise ValueError(f"{key} must be at least 1, got {value!r}")
            config[key] = int(value)
    return config


def num_batches(n_samples: int, batch_size: int, drop_last: bool = False) -> int:
    if type(n_samples) is not int or n_samples < 0:
        raise ValueError(f"n_samples must be an int >= 0, got {n_samples!r}")
    if type(batch_size) not in (int, float) or batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size!r}")
    batch_size = int(batch_size)
    if drop_last:
        return n_samples // batch_size
    return (n_samples + batch_size - 1) // batch_size
