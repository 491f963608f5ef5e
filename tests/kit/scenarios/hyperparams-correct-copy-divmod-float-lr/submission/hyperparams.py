"""Copies a module-level DEFAULTS with copy.deepcopy, stores lr as float(lr) (an int lr comes back as the equal float), and counts batches with divmod."""

import copy
import math

DEFAULTS = {"batch_size": 16, "lr": 1e-4, "max_epochs": 100}


def make_config(**overrides) -> dict:
    config = copy.deepcopy(DEFAULTS)
    for name in overrides:
        if name not in config:
            raise ValueError("no such hyperparameter: " + name)
    for name in ("batch_size", "max_epochs"):
        value = overrides.get(name, config[name])
        if type(value) is not int:
            raise ValueError(name + " must be an integer")
        if value < 1:
            raise ValueError(name + " must be at least 1")
        config[name] = value
    lr = overrides.get("lr", config["lr"])
    if type(lr) not in (int, float):
        raise ValueError("lr must be a number")
    if math.isnan(lr) or math.isinf(lr) or lr <= 0:
        raise ValueError("lr must be finite and positive")
    config["lr"] = float(lr)
    return config


def num_batches(n_samples, batch_size, drop_last=False):
    if type(n_samples) is not int or n_samples < 0:
        raise ValueError("n_samples must be a non-negative int")
    if type(batch_size) is not int or batch_size < 1:
        raise ValueError("batch_size must be a positive int")
    full, rest = divmod(n_samples, batch_size)
    if rest and not drop_last:
        return full + 1
    return full
