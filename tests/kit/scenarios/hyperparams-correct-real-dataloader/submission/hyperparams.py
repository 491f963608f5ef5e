"""Asks torch itself: len(DataLoader(range(n_samples), batch_size, drop_last=bool(drop_last))) after its own checks; make_config fills a dict key by key."""

import math

from torch.utils.data import DataLoader


def make_config(**overrides) -> dict:
    allowed = ("batch_size", "lr", "max_epochs")
    for key in overrides:
        if key not in allowed:
            raise ValueError(f"{key} is not a hyperparameter (allowed: {allowed})")
    config = {}
    config["batch_size"] = overrides.get("batch_size", 16)
    config["lr"] = overrides.get("lr", 1e-4)
    config["max_epochs"] = overrides.get("max_epochs", 100)
    for key in ("batch_size", "max_epochs"):
        if not (type(config[key]) is int and config[key] >= 1):
            raise ValueError(f"bad {key}: {config[key]!r}")
    lr = config["lr"]
    if type(lr) is bool or not isinstance(lr, (int, float)) or not math.isfinite(lr) or not lr > 0:
        raise ValueError(f"bad lr: {lr!r}")
    return config


def num_batches(n_samples, batch_size, drop_last=False):
    if type(n_samples) is not int or n_samples < 0:
        raise ValueError(f"bad n_samples: {n_samples!r}")
    if type(batch_size) is not int or batch_size < 1:
        raise ValueError(f"bad batch_size: {batch_size!r}")
    return len(DataLoader(range(n_samples), batch_size=batch_size, drop_last=bool(drop_last)))
