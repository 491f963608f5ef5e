"""Validates with isinstance (bools excluded first) against a module-level DEFAULTS, merges with {**DEFAULTS, **overrides}, and counts batches with -(-n // b)."""

import math

DEFAULTS = {"batch_size": 16, "lr": 1e-4, "max_epochs": 100}


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} should be a positive integer, not {value!r}")


def make_config(**overrides) -> dict:
    unknown = [key for key in overrides if key not in DEFAULTS]
    if unknown:
        raise ValueError(f"unknown hyperparameters: {', '.join(unknown)}")
    for name in ("batch_size", "max_epochs"):
        if name in overrides:
            _positive_int(name, overrides[name])
    if "lr" in overrides:
        lr = overrides["lr"]
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not (0 < lr < math.inf):
            raise ValueError(f"lr should be a positive finite number, not {lr!r}")
    return {**DEFAULTS, **overrides}


def num_batches(n_samples, batch_size, drop_last=False):
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 0:
        raise ValueError(f"n_samples should be a non-negative integer, not {n_samples!r}")
    _positive_int("batch_size", batch_size)
    return n_samples // batch_size if drop_last else -(-n_samples // batch_size)
