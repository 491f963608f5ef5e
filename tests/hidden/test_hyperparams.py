"""Hidden checks for hyperparams.py: configs that never share state, strict validation, and batch
counts against what a real DataLoader yields."""

import math
import random
import re

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from autograder.checks import expect, expect_equal, expect_raises, type_name

DEFAULTS = {"batch_size": 16, "lr": 1e-4, "max_epochs": 100}
FRESH_HINT = ("build a new dict inside make_config on every call ({**defaults, **overrides} or defaults.copy()); "
              "updating one shared dict carries one call's overrides into the next")
INT_HINT = "check type(value) is int and value >= 1: True is an int in Python, and 16.0 is not a batch size"
LR_HINT = ("lr must be an int or float (not a bool) with math.isfinite(lr) and lr > 0: nan > 0 is False but "
           "inf > 0 is True, and lr=0 never moves a parameter")
CEIL_HINT = "the last, shorter batch is still a batch: round up, ⌈n_samples / batch_size⌉, e.g. -(-n // b)"
FLOOR_HINT = "drop_last=True throws the short last batch away: round down, n_samples // batch_size"
ARG_HINT = ("n_samples must be an int >= 0 and batch_size an int >= 1; check type(x) is int, since True is an int in "
            "Python and 16.0 is not a count")


def show_call(name: str, *args, **kwargs) -> str:
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def named(word: str) -> str:
    """A `match` pattern for a message that names `word` as a whole (batch_size, not max_batch_size)."""
    return rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])"


def expect_config(config, overrides: dict, *, hint: str) -> None:
    """make_config(**overrides) returned the defaults with exactly these keys replaced."""
    call = show_call("make_config", **overrides)
    wanted = {**DEFAULTS, **overrides}
    expect(type(config) is dict, f"{call} returned {type_name(config)} {config!r}; expected a dict", hint=hint)
    expect(set(config) == set(wanted), f"{call} has the keys {sorted(config, key=str)}, expected {sorted(wanted)}",
           hint="keep every default key and add none")
    for key, value in wanted.items():
        got = config[key]
        if key == "lr" and type(value) is int:  # an int learning rate may come back as the same float
            expect(type(got) in (int, float) and got == value,
                   f"{call}[{key!r}] is {got!r}, expected {value!r}", hint=hint)
        else:
            expect_equal(got, value, what=f"{call}[{key!r}]", hint=hint)


def loader_len(n: int, b: int, drop_last: bool) -> int:
    """The ground truth: how many batches torch's own DataLoader yields over n items."""
    return len(DataLoader(TensorDataset(torch.zeros(n)), batch_size=b, drop_last=drop_last))


def batch_cases(seed: int) -> list[tuple[int, int]]:
    """(n_samples, batch_size) pairs: n < b, n == b, b dividing n and not, n == 0, 1 and large, at random too."""
    fixed = [(n, b) for n in (0, 1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 100, 1000)
             for b in (1, 2, 3, 7, 16, 32, 100)]
    fixed += [(60000, 16), (60000, 128), (60000, 256), (50000, 64), (1025, 1024), (1023, 1024), (5, 1000)]
    rng = random.Random(seed)
    fixed += [(rng.randint(0, 500), rng.randint(1, 60)) for _ in range(20)]
    return fixed


# --------------------------------------------------------------------------- make_config


@pytest.mark.points(1)
def test_make_config_overrides(student):
    """make_config gives the defaults with exactly the given keys replaced (one key or several, edge values too)"""
    cases = ({}, {"lr": 0.01}, {"max_epochs": 5}, {"batch_size": 256},
             {"max_epochs": 3, "batch_size": 8}, {"batch_size": 1, "lr": 3e-3, "max_epochs": 1},
             {"lr": 1}, {"lr": 2.5}, {"lr": 1e-12}, {"batch_size": 4096, "max_epochs": 10_000, "lr": 0.5})
    for overrides in cases:
        expect_config(student.hyperparams.make_config(**overrides), overrides,
                      hint="start from batch_size=16, lr=1e-4, max_epochs=100 and replace only the keys given, "
                           "keeping their values as they are; build a new dict on every call, or the overrides of "
                           "earlier calls (in other checks too) stay in it")


@pytest.mark.points(1)
@pytest.mark.requires("test_make_config_overrides")
def test_make_config_fresh_each_call(student):
    """one call's overrides never change what the next calls return"""
    make_config = student.hyperparams.make_config
    for overrides in ({"batch_size": 64}, {"lr": 0.5, "max_epochs": 7}, {"max_epochs": 1}):
        make_config(**overrides)
        config = make_config()
        expect(config == DEFAULTS,
               f"after {show_call('make_config', **overrides)}, make_config() returned {config!r}, which are not "
               "the documented defaults: the earlier call changed them", hint=FRESH_HINT)
        config = make_config(batch_size=8)
        expect(config == {**DEFAULTS, "batch_size": 8},
               f"after {show_call('make_config', **overrides)}, make_config(batch_size=8) returned {config!r}",
               hint=FRESH_HINT)


@pytest.mark.points(1)
@pytest.mark.requires("test_make_config_overrides")
def test_make_config_rejects_unknown_keys(student):
    """a misspelt or unknown hyperparameter raises ValueError naming it, also next to valid ones"""
    make_config = student.hyperparams.make_config
    hint = "compare each key with the defaults' keys and name the one that is not there"
    for key in ("batchsize", "learning_rate", "epochs", "momentum", "batch_size_"):
        expect_raises(ValueError, make_config, **{key: 1}, match=named(key), hint=hint)
    expect_raises(ValueError, make_config, batch_size=32, weight_decay=0.01, match=named("weight_decay"), hint=hint)
    expect_raises(ValueError, make_config, max_epochs=5, lr=0.1, Epochs=3, match=named("Epochs"), hint=hint)


@pytest.mark.points(1)
@pytest.mark.requires("test_make_config_overrides")
def test_make_config_rejects_bad_counts(student):
    """a batch_size or max_epochs below 1, a bool, a float like 16.0 or a string raises ValueError naming it"""
    for key in ("batch_size", "max_epochs"):
        for value in (0, -1, -16, True, False, 16.0, 1.0, 2.5, "16", None):
            expect_raises(ValueError, student.hyperparams.make_config, **{key: value}, match=named(key),
                          hint=INT_HINT)
    expect_raises(ValueError, student.hyperparams.make_config, lr=0.1, max_epochs=0, match=named("max_epochs"),
                  hint=INT_HINT)


@pytest.mark.points(1)
@pytest.mark.requires("test_make_config_overrides")
def test_make_config_rejects_bad_lr(student):
    """an lr of 0 or below, nan, ±inf, a bool, a string or None raises ValueError naming lr"""
    for value in (0, 0.0, -0.0, -1e-4, -1, math.nan, math.inf, -math.inf, True, False, "1e-4", None):
        expect_raises(ValueError, student.hyperparams.make_config, lr=value, match=named("lr"), hint=LR_HINT)
    expect_raises(ValueError, student.hyperparams.make_config, batch_size=32, lr=0, match=named("lr"), hint=LR_HINT)


# --------------------------------------------------------------------------- num_batches


@pytest.mark.points(1)
def test_num_batches_keeps_partial_batch(student):
    """without drop_last, the count is len(DataLoader(...)) over 118 settings: the short last batch counts"""
    num_batches = student.hyperparams.num_batches
    for i, (n, b) in enumerate(batch_cases(seed=11)):
        wanted = loader_len(n, b, drop_last=False)
        if i % 3 == 0:
            call, got = show_call("num_batches", n, b), num_batches(n, b)
        elif i % 3 == 1:
            call, got = show_call("num_batches", n, b, drop_last=False), num_batches(n, b, drop_last=False)
        else:
            call, got = show_call("num_batches", n, b, False), num_batches(n, b, False)
        expect_equal(got, wanted, what=call, hint=CEIL_HINT)


@pytest.mark.points(1)
def test_num_batches_drop_last(student):
    """with drop_last=True, the count is len(DataLoader(..., drop_last=True)) over 118 settings"""
    num_batches = student.hyperparams.num_batches
    for i, (n, b) in enumerate(batch_cases(seed=12)):
        wanted = loader_len(n, b, drop_last=True)
        if i % 2:
            call, got = show_call("num_batches", n, b, drop_last=True), num_batches(n, b, drop_last=True)
        else:
            call, got = show_call("num_batches", n, b, True), num_batches(n, b, True)
        expect_equal(got, wanted, what=call, hint=FLOOR_HINT)


@pytest.mark.points(1)
@pytest.mark.requires("test_num_batches_keeps_partial_batch", "test_num_batches_drop_last")
def test_num_batches_rejects_invalid(student):
    """a bad n_samples (negative, not an int) or batch_size (below 1, a bool, 16.0) raises ValueError naming it"""
    num_batches = student.hyperparams.num_batches
    for drop_last in (False, True):
        for n in (-1, -100, 3.0, 100.0, "100", None, True):
            expect_raises(ValueError, num_batches, n, 16, drop_last=drop_last, match=named("n_samples"),
                          hint=ARG_HINT)
        for n, b in ((100, 0), (100, -1), (100, -16), (100, True), (100, False), (100, 16.0), (100, 1.0),
                     (100, "16"), (100, None), (0, 0), (0, True), (5, 16.0)):
            expect_raises(ValueError, num_batches, n, b, drop_last=drop_last, match=named("batch_size"),
                          hint=ARG_HINT)
