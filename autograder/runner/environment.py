"""Controls a check may put on the student's environment during its calls.

`Environment` is plain data, so it travels to the student's process with each call; `applied`
installs it there (or in-process) for the duration of one call and undoes it afterwards. The
grader's own torch is never patched outside a call.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["Environment", "ForbiddenCall", "applied", "seed"]


class ForbiddenCall(RuntimeError):
    """Raised in student code that calls something the current check forbids."""


@dataclass(frozen=True, slots=True)
class Environment:
    """What the student's code sees during a call."""

    #: what torch.cuda.is_available() answers (None: the truth)
    cuda_available: bool | None = None
    #: what torch.cuda.device_count() answers (None: the truth)
    cuda_device_count: int | None = None
    #: dotted names of callables that must not be called, e.g. "torch.Tensor.item"
    forbidden: tuple[str, ...] = field(default_factory=tuple)

    def merged(self, **changes: Any) -> Environment:
        if "forbidden" in changes:
            changes["forbidden"] = tuple(dict.fromkeys((*self.forbidden, *changes["forbidden"])))
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {"cuda_available": self.cuda_available,
                "cuda_device_count": self.cuda_device_count,
                "forbidden": list(self.forbidden)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Environment:
        available, count = data.get("cuda_available"), data.get("cuda_device_count")
        forbidden = data.get("forbidden", [])
        if available is not None and type(available) is not bool:
            raise ValueError("cuda_available must be a bool or None")
        if count is not None and type(count) is not int:
            raise ValueError("cuda_device_count must be an int or None")
        if type(forbidden) is not list or not all(type(n) is str for n in forbidden):
            raise ValueError("forbidden must be a list of names")
        return cls(available, count, tuple(forbidden))

    @property
    def is_default(self) -> bool:
        return self.cuda_available is None and self.cuda_device_count is None and not self.forbidden


def seed(value: int) -> None:
    """Seed torch's generators and Python's `random`, the same way in the grader and the child
    (cheaper than torch.manual_seed, which also prepares lazy CUDA seeding with a stack trace)."""
    import random

    import torch

    torch.default_generator.manual_seed(value)
    if torch.cuda.is_initialized():
        torch.cuda.manual_seed_all(value)
    random.seed(value)


def _resolve_owner(dotted: str) -> tuple[Any, str]:
    """(object holding the attribute, attribute name) for an already-imported dotted name."""
    parts = dotted.split(".")
    for split in range(len(parts) - 1, 0, -1):
        module = sys.modules.get(".".join(parts[:split]))
        if module is None:
            continue
        owner = module
        try:
            for name in parts[split:-1]:
                owner = getattr(owner, name)
            getattr(owner, parts[-1])  # must exist
        except AttributeError:
            raise ValueError(f"cannot forbid {dotted!r}: there is no such name") from None
        return owner, parts[-1]
    raise ValueError(f"cannot forbid {dotted!r}: its module is not imported")


@contextmanager
def applied(env: Environment) -> Iterator[list[str]]:
    """Install `env` for the body; yields a list that collects the forbidden names called."""
    called: list[str] = []
    if env.is_default:
        yield called
        return
    import torch

    patches: list[tuple[Any, str, Any]] = []

    def patch(owner: Any, name: str, value: Any) -> None:
        patches.append((owner, name, owner.__dict__.get(name, _MISSING) if isinstance(owner, type)
                        else getattr(owner, name)))
        setattr(owner, name, value)

    try:
        if env.cuda_available is not None:
            patch(torch.cuda, "is_available", lambda _v=env.cuda_available: _v)
        if env.cuda_device_count is not None:
            patch(torch.cuda, "device_count", lambda _v=env.cuda_device_count: _v)
        for dotted in env.forbidden:
            owner, name = _resolve_owner(dotted)

            def refuse(*_args: Any, _dotted: str = dotted, **_kwargs: Any) -> Any:
                called.append(_dotted)
                raise ForbiddenCall(f"{_dotted} is not allowed in this exercise")

            patch(owner, name, refuse)
        yield called
    finally:
        for owner, name, old in reversed(patches):
            if old is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, old)


_MISSING = object()
