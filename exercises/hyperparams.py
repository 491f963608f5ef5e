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
    # YOUR CODE HERE
    raise NotImplementedError("complete make_config")


def num_batches(n_samples: int, batch_size: int, drop_last: bool = False) -> int:
    """How many batches a DataLoader over n_samples items with this batch_size yields per epoch.

    n_samples must be an int ≥ 0 and batch_size an int ≥ 1 (neither a bool), else ValueError
    naming the argument.
    """
    # YOUR CODE HERE
    raise NotImplementedError("complete num_batches")
