"""Controls a check may put on the student's environment during its calls.

`Environment` is plain data, so it travels to the student's process with each call; `applied`
installs it there (or in-process) for the duration of one call and undoes it afterwards. The
grader's own torch is never patched outside a call.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["Environment", "ForbiddenCall", "applied", "check_forbidden", "is_operator", "seed"]


class ForbiddenCall(RuntimeError):
    """Raised in student code that calls something the current check forbids."""


@dataclass(frozen=True, slots=True)
class Environment:
    """What the student's code sees during a call."""

    #: what torch.cuda.is_available() answers (None: the truth)
    cuda_available: bool | None = None
    #: what torch.cuda.device_count() answers (None: the truth); current_device() and
    #: get_device_name() answer for that many fake GPUs
    cuda_device_count: int | None = None
    #: the device tensors and modules are made on when no device is named ("meta": build a large
    #: model without drawing its weights; None: torch's default)
    default_device: str | None = None
    #: what must not be called: dotted names of callables ("torch.Tensor.item", refused under every
    #: alias of the same object) and ATen operators ("aten::convolution", refused however reached)
    forbidden: tuple[str, ...] = field(default_factory=tuple)
    #: what torch.backends.mps.is_available() answers (None: the truth)
    mps_available: bool | None = None

    def merged(self, **changes: Any) -> Environment:
        if "forbidden" in changes:
            changes["forbidden"] = tuple(dict.fromkeys((*self.forbidden, *changes["forbidden"])))
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {"cuda_available": self.cuda_available,
                "cuda_device_count": self.cuda_device_count,
                "default_device": self.default_device,
                "forbidden": list(self.forbidden),
                "mps_available": self.mps_available}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Environment:
        available, count = data.get("cuda_available"), data.get("cuda_device_count")
        forbidden = data.get("forbidden", [])
        default_device = data.get("default_device")
        mps = data.get("mps_available")
        if mps is not None and type(mps) is not bool:
            raise ValueError("mps_available must be a bool or None")
        if default_device is not None and type(default_device) is not str:
            raise ValueError("default_device must be a device name or None")
        if available is not None and type(available) is not bool:
            raise ValueError("cuda_available must be a bool or None")
        if count is not None and type(count) is not int:
            raise ValueError("cuda_device_count must be an int or None")
        if type(forbidden) is not list or not all(type(n) is str for n in forbidden):
            raise ValueError("forbidden must be a list of names")
        return cls(available, count, default_device, tuple(forbidden), mps)

    @property
    def is_default(self) -> bool:
        return (self.cuda_available is None and self.cuda_device_count is None and self.default_device is None
                and not self.forbidden and self.mps_available is None)


def seed(value: int) -> None:
    """Seed torch's generators and Python's `random`, the same way in the grader and the child
    (cheaper than torch.manual_seed, which also prepares lazy CUDA seeding with a stack trace)."""
    import random

    import torch

    torch.default_generator.manual_seed(value)
    if torch.cuda.is_initialized():
        torch.cuda.manual_seed_all(value)
    random.seed(value)


def is_operator(name: str) -> bool:
    """An ATen operator name ("aten::linear"), as opposed to a dotted Python name."""
    return name.startswith("aten::")


def check_forbidden(names: tuple[str, ...]) -> None:
    """Raise ValueError naming the first of `names` that names nothing forbid() can refuse."""
    import torch

    for name in names:
        if is_operator(name):
            if not hasattr(torch.ops.aten, name.removeprefix("aten::")):
                raise ValueError(f"cannot forbid {name!r}: torch has no such ATen operator")
            if torch._C._dispatch_has_kernel_for_dispatch_key(name, "CompositeImplicitAutograd"):
                # It is rewritten into other operators before any mode sees it: forbidding it
                # would refuse nothing.
                raise ValueError(f"cannot forbid {name!r}: torch turns it into other operators before it runs; "
                                 "forbid those it becomes (e.g. aten::convolution for aten::conv2d, "
                                 "aten::max_pool2d_with_indices for aten::max_pool2d) or its Python name")
        else:
            _resolve_owner(name)


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
            count = env.cuda_device_count
            patch(torch.cuda, "device_count", lambda: count)
            patch(torch.cuda, "current_device", lambda: _fake_index(None, count))
            patch(torch.cuda, "get_device_name", lambda device=None: f"Fake GPU {_fake_index(device, count)}")
        if env.mps_available is not None:
            patch(torch.backends.mps, "is_available", lambda _v=env.mps_available: _v)
        functions: dict[Any, str] = {}
        operators = {name for name in env.forbidden if is_operator(name)}
        for dotted in env.forbidden:
            if is_operator(dotted):
                continue
            owner, name = _resolve_owner(dotted)
            original = owner.__dict__.get(name) if isinstance(owner, type) else getattr(owner, name)
            functions[original] = dotted

            def refuse(*_args: Any, _dotted: str = dotted, **_kwargs: Any) -> Any:
                called.append(_dotted)
                raise ForbiddenCall(f"{_dotted} is not allowed in this exercise")

            patch(owner, name, refuse)
        with contextlib.ExitStack() as modes:
            if env.default_device is not None:
                modes.enter_context(torch.device(env.default_device))
            # The patch refuses the name; the modes refuse the same function under any other name
            # (torch.conv2d is F.conv2d, nn.Linear calls torch._C._nn.linear) and the operator
            # however it is reached.
            refuse_functions, refuse_operators = _refusing_modes()
            if functions:
                modes.enter_context(refuse_functions(functions, called))
            if operators:
                modes.enter_context(refuse_operators(operators, called))
            yield called
    finally:
        for owner, name, old in reversed(patches):
            if old is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, old)


def _fake_index(device: Any, count: int) -> int:
    """The index a torch.cuda query names among `count` fake GPUs, failing as torch does."""
    if count == 0:
        raise RuntimeError("No CUDA GPUs are available")
    if device is None:
        return 0
    import torch

    index = device if isinstance(device, int) else torch.device(device).index
    if isinstance(device, (str, torch.device)) and torch.device(device).type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {device}")
    index = 0 if index is None else index
    if not 0 <= index < count:
        raise AssertionError("Invalid device id")
    return int(index)


def _refused(name: str, called: list[str]) -> ForbiddenCall:
    called.append(name)
    return ForbiddenCall(f"{name} is not allowed in this exercise")


@functools.cache
def _refusing_modes() -> tuple[type, type]:
    """The torch modes that refuse forbidden functions and operators (made on first use: torch
    is imported only where a check forbids something)."""
    from torch.overrides import TorchFunctionMode
    from torch.utils._python_dispatch import TorchDispatchMode

    class RefuseFunctions(TorchFunctionMode):
        """Refuses the forbidden torch functions and tensor methods, found by identity."""

        def __init__(self, functions: dict[Any, str], called: list[str]) -> None:
            super().__init__()
            self.functions = functions
            self.called = called

        def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
            name = self.functions.get(func)
            if name is not None:
                raise _refused(name, self.called)
            return func(*args, **(kwargs or {}))

    class RefuseOperators(TorchDispatchMode):
        """Refuses the forbidden ATen operators, whichever Python function reaches them."""

        def __init__(self, operators: set[str], called: list[str]) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self.operators = operators
            self.called = called

        def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
            if func._schema.name in self.operators:
                raise _refused(func._schema.name, self.called)
            return func(*args, **(kwargs or {}))

    return RefuseFunctions, RefuseOperators


_MISSING = object()
