"""Handles to the student's objects, and the `student` object checks receive.

`student.mlp.MLP()` builds the object where the student's code runs and returns a `Remote`;
attribute access and calls on a `Remote` run there too. Values that are plain data (tensors,
numbers, strings, containers of those) come back as values; anything else comes back as another
`Remote`. A `Remote` never compares equal to a value, so a student object with a doctored
``__eq__`` cannot pass a comparison.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autograder.runner.client import Runner

__all__ = ["Remote", "Student", "describe_call"]

_OWN = frozenset({"_runner", "_key", "_type", "_repr", "_callable", "_label", "_generation", "_attribute_of",
                  "_origin"})


class Remote:
    """A handle to an object in the student's code (which may live in another process)."""

    __slots__ = ("__weakref__", "_attribute_of", "_callable", "_generation", "_key", "_label", "_origin", "_repr",
                 "_runner", "_type")
    _runner: Runner
    #: the object's id in the student's process ("" while an attribute is not looked up yet)
    _key: str
    #: its exact type name, as the student's process reported it
    _type: str
    _repr: str
    _callable: bool
    #: how messages name it ("mlp.MLP(…)")
    _label: str
    #: which child of the runner it lives in
    _generation: int
    _attribute_of: tuple[Remote, str] | None
    #: what it is, named alike in every child process (see `client`): a module, an attribute
    #: ("padding.conv_output_size", "mlp.MLP.forward" of any MLP), an object a call made
    #: ("param_list.make(…)"); None for an object of a class of the submission (named by its class)
    _origin: str | None

    def __init__(self, runner: Runner, key: str, *, type_name: str, text: str, is_callable: bool,
                 label: str, generation: int = 0, attribute_of: tuple[Remote, str] | None = None,
                 origin: str | None = None) -> None:
        object.__setattr__(self, "_runner", runner)
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_type", type_name)
        object.__setattr__(self, "_repr", text)
        object.__setattr__(self, "_callable", is_callable)
        object.__setattr__(self, "_label", label)
        object.__setattr__(self, "_generation", generation)
        #: (owner, name) while this handle names an attribute not looked up yet
        object.__setattr__(self, "_attribute_of", attribute_of)
        object.__setattr__(self, "_origin", origin)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            # Introspection (pytest, inspect, copy) must not reach into student code.
            raise AttributeError(name)
        return self._runner.getattr(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _OWN:
            raise AttributeError(f"{name} is read-only")
        self._runner.setattr(self, name, value)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._runner.call(self, args, kwargs)

    def __getitem__(self, key: Any) -> Any:
        return self._runner.call(self._runner.getattr(self, "__getitem__"), (key,), {})

    def __len__(self) -> int:
        value = self._runner.call(self._runner.getattr(self, "__len__"), (), {})
        if type(value) is not int:
            raise TypeError(f"len() of {self._label} is not an int")
        return value

    def __iter__(self) -> Any:
        raise TypeError(f"{self._label} is a handle to a student object; read its items with "
                        "autograder.checks.take(handle, n)")

    def __eq__(self, other: object) -> bool:
        return self is other or (
            isinstance(other, Remote) and other._runner is self._runner and other._key == self._key
            and other._generation == self._generation
            and self._attribute_of is None and other._attribute_of is None
        )

    def __hash__(self) -> int:
        # Coarse on purpose: a handle's key is only known once it is looked up.
        return hash((id(self._runner), self._generation))

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"<student {self._type}: {self._repr}>"


class Student:
    """The submission, as checks see it: ``student.<module>`` is a handle to that module.

    ``student.torch`` is the torch of the student's process, for building objects there (an
    ``nn.Linear`` to hand to the student's code, say); ``student.torchvision`` likewise, where the
    course preloads it (its solutions import torchvision).
    """

    __slots__ = ("_runner",)

    def __init__(self, runner: Runner) -> None:
        object.__setattr__(self, "_runner", runner)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._runner.import_module(name)

    @property
    def torch(self) -> Any:
        return self._runner.import_module("torch", library=True)

    @property
    def torchvision(self) -> Any:
        return self._runner.import_module("torchvision", library=True)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("the student object is read-only")

    def __repr__(self) -> str:
        return "<student submission>"


def _summary(value: Any, depth: int = 0) -> str:
    import torch

    if isinstance(value, Remote):
        return value._label
    if isinstance(value, torch.Tensor):
        dims = ", ".join(str(d) for d in value.shape)
        extra = "" if value.dtype == torch.float32 else f", {str(value.dtype).removeprefix('torch.')}"
        where = "" if value.device.type == "cpu" else f", {value.device}"
        return f"tensor[{dims}{extra}{where}]"
    if isinstance(value, str):
        return repr(value) if len(value) <= 24 else repr(value[:21] + "...")
    if isinstance(value, (bool, int, float, type(None), torch.device, torch.dtype)):
        return repr(value) if not isinstance(value, torch.device) else f"'{value}'"
    if isinstance(value, (list, tuple)) and depth < 1 and len(value) <= 4:
        inner = ", ".join(_summary(v, depth + 1) for v in value)
        if isinstance(value, list):
            return f"[{inner}]"
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        return "{…}"
    return f"<{type(value).__name__}>" if depth else "…"


def describe_call(label: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """`padding.same_padding(4)`, `MLP(…)(tensor[8, 784])`: how messages name a call."""
    parts = [_summary(a) for a in args] + [f"{k}={_summary(v)}" for k, v in kwargs.items()]
    return f"{label}({', '.join(parts)})"
