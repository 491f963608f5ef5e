"""Hostile fake torch: if the grader (or the student's process) imported this instead of the real
torch, tensor comparisons would always succeed. It re-exports the real torch so nothing else
breaks, found by importing it again without this directory on sys.path."""

import importlib
import sys

_here = sys.path[:]
_me = sys.modules.pop("torch", None)
sys.path[:] = [p for p in sys.path if p not in ("", ".") and not p.endswith("submission")]
try:
    _real = importlib.import_module("torch")
finally:
    sys.path[:] = _here
sys.modules["torch"] = _real


def _true(*args, **kwargs):
    return True


def _nothing(*args, **kwargs):
    return None


def _all_true(input, *args, **kwargs):
    return _real.ones(input.shape, dtype=_real.bool, device=input.device)


_real.allclose = _true
_real.equal = _true
_real.isclose = _all_true
_real.testing.assert_close = _nothing
_real.Tensor.__eq__ = _all_true
_real.Tensor.allclose = _true
_real.Tensor.equal = _true
_real.Tensor.isclose = _all_true
