"""Public checks for hyperparams.py (run them with `autograder check hyperparams`)."""

import pytest

from autograder.checks import expect, expect_equal

DEFAULTS = {"batch_size": 16, "lr": 1e-4, "max_epochs": 100}


@pytest.mark.points(1)
def test_make_config_defaults_and_override(student):
    """make_config() holds the chapter's defaults, and make_config(batch_size=32) changes only the batch size"""
    for overrides in ({}, {"batch_size": 32}):
        wanted = {**DEFAULTS, **overrides}
        call = f"make_config({', '.join(f'{k}={v!r}' for k, v in overrides.items())})"
        config = student.hyperparams.make_config(**overrides)
        expect(type(config) is dict, f"{call} returned {config!r}; expected a dict",
               hint="return a dict with the keys batch_size, lr and max_epochs")
        expect(set(config) == set(wanted), f"{call} has the keys {sorted(config)}, expected {sorted(wanted)}",
               hint="start from the defaults and replace only the keys given")
        for key, value in wanted.items():
            expect_equal(config[key], value, what=f"{call}[{key!r}]",
                         hint="defaults batch_size=16, lr=1e-4, max_epochs=100; an override replaces its key")


@pytest.mark.points(1)
def test_num_batches_chapter_example(student):
    """100 samples in batches of 16 make 7 batches (the last one has 4), or 6 with drop_last=True"""
    expect_equal(student.hyperparams.num_batches(100, 16), 7, what="num_batches(100, 16)",
                 hint="the last, shorter batch counts too: round up, ⌈100 / 16⌉ = 7")
    expect_equal(student.hyperparams.num_batches(100, 16, drop_last=True), 6,
                 what="num_batches(100, 16, drop_last=True)",
                 hint="drop_last=True throws the short last batch away: round down, ⌊100 / 16⌋ = 6")
