"""The package's public surface: lazy, so the zygote and the command line start fast."""

from __future__ import annotations

import subprocess
import sys

import pytest

import autograder


def test_importing_the_package_loads_neither_torch_nor_pytest():
    code = "import sys, autograder; print('torch' in sys.modules, 'pytest' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["False", "False"]


def test_every_export_resolves():
    for name in autograder.__all__:
        assert getattr(autograder, name).__name__ == name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        autograder.nope  # noqa: B018
