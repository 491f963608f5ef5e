"""Counts batches as n_samples // batch_size whatever drop_last says, so the short last batch is lost (6 batches for 100 samples of 16 instead of 7)."""

import math

def make_config(**overrides) -> dict:
    config = {"batch_size": 16, "lr": 1e-4, "max_epochs": 100}
    for key, value in overrides.items():
        if key not in config:
            raise ValueError(f"unknown hyperparameter {key!r}")
        if key == "lr":
            if type(value) not in (int, float) or not math.isfinite(value) or value <= 0:
                raise ValueError(f"lr must be a finite number > 0, got {value!r}")
        elif type(value) is not int or value < 1:
            raise ValueError(f"{key} must be an int >= 1, got {value!r}")
        config[key] = value
    return config


def num_batches(n_samples: int, batch_size: int, drop_last: bool = False) -> int:
    if type(n_samples) is not int or n_samples < 0:
        raise ValueError(f"n_samples must be an int >= 0, got {n_samples!r}")
    if type(batch_size) is not int or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    return n_samples // batch_size
