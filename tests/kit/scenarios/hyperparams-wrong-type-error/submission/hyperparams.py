"""Raises TypeError (not the documented ValueError) for a value of the wrong type: a float or bool batch size, a string lr, a float n_samples."""

import math


def make_config(**overrides) -> dict:
    config = {"batch_size": 16, "lr": 1e-4, "max_epochs": 100}
    for key, value in overrides.items():
        if key not in config:
            raise ValueError(f"unknown hyperparameter {key!r}")
        if key == "lr":
            if type(value) not in (int, float):
                raise TypeError(f"lr must be a number, got {type(value).__name__}")
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"lr must be a finite number > 0, got {value!r}")
        else:
            if type(value) is not int:
                raise TypeError(f"{key} must be an int, got {type(value).__name__}")
            if value < 1:
                raise ValueError(f"{key} must be >= 1, got {value!r}")
        config[key] = value
    return config


def num_batches(n_samples: int, batch_size: int, drop_last: bool = False) -> int:
    for name, value in (("n_samples", n_samples), ("batch_size", batch_size)):
        if type(value) is not int:
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if n_samples < 0:
        raise ValueError(f"n_samples must be >= 0, got {n_samples}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if drop_last:
        return n_samples // batch_size
    return (n_samples + batch_size - 1) // batch_size
