"""Hyperparameters and batches per epoch (超参数).

The chapter keeps a training run's hyperparameters in one place (a dict, or a yaml/json file):
batch size 16, learning rate 1e-4, 100 epochs. The batch size is how many samples each step
reads, the learning rate the step size of each parameter update, and an epoch one pass over
the whole data set. A config function must hand out a new dict each call, or one run's
overrides leak into the next; it should refuse a misspelt name (which would otherwise be
silently ignored) and values no training loop can use: `True` is a Python int but not a batch
size, and `lr=0` never moves a parameter. A `DataLoader` over N samples with batch size B yields
⌈N / B⌉ batches per epoch (the last one may be short), or ⌊N / B⌋ with `drop_last=True`.
"""

import math


def make_config(**overrides) -> dict:
    """A new dict {"batch_size": 16, "lr": 1e-4, "max_epochs": 100} with the given keys replaced.

    batch_size and max_epochs must be ints ≥ 1 (not bools), lr a finite number > 0 (not a bool);
    an unknown key or an invalid value raises ValueError naming it.
    """
    ### BEGIN SOLUTION
    config = {"batch_size": 16, "lr": 1e-4, "max_epochs": 100}
    for key, value in overrides.items():
        if key not in config:
            raise ValueError(f"unknown hyperparameter {key!r}; expected one of {', '.join(config)}")
        if key == "lr":
            if type(value) not in (int, float) or not math.isfinite(value) or value <= 0:
                raise ValueError(f"lr must be a finite number > 0, got {value!r}")
        elif type(value) is not int or value < 1:
            raise ValueError(f"{key} must be an int >= 1, got {value!r}")
        config[key] = value
    return config
    ### END SOLUTION


def num_batches(n_samples: int, batch_size: int, drop_last: bool = False) -> int:
    """How many batches a DataLoader over n_samples items with this batch_size yields per epoch.

    n_samples must be an int ≥ 0 and batch_size an int ≥ 1 (neither a bool), else ValueError
    naming the argument.
    """
    ### BEGIN SOLUTION
    if type(n_samples) is not int or n_samples < 0:
        raise ValueError(f"n_samples must be an int >= 0, got {n_samples!r}")
    if type(batch_size) is not int or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    if drop_last:
        return n_samples // batch_size
    return (n_samples + batch_size - 1) // batch_size
    ### END SOLUTION
