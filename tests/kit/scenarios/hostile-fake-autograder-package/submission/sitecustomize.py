"""Hostile: run at interpreter start-up if this directory were on sys.path then."""

import builtins

builtins.AssertionError = type("AssertionError", (Exception,), {})
try:
    import torch

    torch.allclose = lambda *args, **kwargs: True
except ImportError:
    pass
