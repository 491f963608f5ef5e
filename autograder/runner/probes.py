"""Identity probes: facts about objects that only the process holding them can see.

A probe takes the real objects and returns plain data. The in-process runner calls it directly;
the sandbox runs it in the student's process on the objects the handles name. Checks reach these
through `autograder.checks`, never directly, so a check reads the same under either runner.

Anything a probe calls on student objects (a forward pass, a backward pass) can raise the
student's exceptions; those travel like any other call's.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import torch

__all__ = ["PROBES", "ProbeError"]


class ProbeError(TypeError):
    """A probe was asked about objects it cannot judge (a check-author error)."""


def _tensor(value: Any, what: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise ProbeError(f"{what} must be a tensor, got {type(value).__name__}")
    return value


def shares_memory(a: Any, b: Any) -> bool:
    """Whether two tensors use the same storage (a view and its base do)."""
    sa, sb = _tensor(a, "first argument").untyped_storage(), _tensor(b, "second argument").untyped_storage()
    # _cdata identifies the storage object itself, which also works on the meta device.
    return bool(sa._cdata == sb._cdata)


def same_object(a: Any, b: Any) -> bool:
    """Whether two references name one object."""
    return a is b


def named_parameters(module: Any) -> OrderedDict[str, torch.Tensor]:
    """The module's registered parameters, by name, in registration order."""
    if not isinstance(module, torch.nn.Module):
        raise ProbeError(f"expected an nn.Module, got {type(module).__name__}")
    return OrderedDict((name, p) for name, p in module.named_parameters())


def forward_trace(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[str]:
    """Call module(*args, **kwargs); return the names of submodules whose forward hooks fired,
    in order. Calling `sub.forward(x)` instead of `sub(x)` skips the hooks."""
    if not isinstance(module, torch.nn.Module):
        raise ProbeError(f"expected an nn.Module, got {type(module).__name__}")
    fired: list[str] = []
    handles = [
        sub.register_forward_hook(lambda *_, _name=name: fired.append(_name))
        for name, sub in module.named_modules() if name
    ]
    try:
        module(*args, **kwargs)
    finally:
        for handle in handles:
            handle.remove()
    return fired


def _describe(tensor: torch.Tensor) -> dict[str, Any]:
    return {"shape": list(tensor.shape), "dtype": str(tensor.dtype).removeprefix("torch."),
            "device": str(tensor.device), "requires_grad": bool(tensor.requires_grad)}


def module_summary(module: Any) -> dict[str, Any]:
    """What a module is made of, without its values (fast for large models): its class, mode,
    parameters and buffers (shape, dtype, device, requires_grad) and every submodule by name.

    Returns {"type", "training", "parameters": {name: {...}}, "buffers": {name: {...}},
             "modules": [{"name", "type", "training"}, ...] (in registration order, itself excluded)}.
    """
    if not isinstance(module, torch.nn.Module):
        raise ProbeError(f"expected an nn.Module, got {type(module).__name__}")
    return {
        "type": type(module).__name__,
        "training": module.training,
        "parameters": {name: _describe(p) for name, p in module.named_parameters()},
        "buffers": {name: _describe(b) for name, b in module.named_buffers()},
        "modules": [{"name": name, "type": type(sub).__name__, "training": sub.training}
                    for name, sub in module.named_modules() if name],
    }


def output_shapes(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[tuple[str, list[int]]]:
    """Call module(*args, **kwargs) and return (name, output shape) of every submodule without
    children of its own, in the order they ran. On the `meta` device this traces a large model's
    shapes without computing anything."""
    if not isinstance(module, torch.nn.Module):
        raise ProbeError(f"expected an nn.Module, got {type(module).__name__}")
    seen: list[tuple[str, list[int]]] = []

    def record(name: str, output: Any) -> None:
        seen.append((name, list(output.shape) if isinstance(output, torch.Tensor) else []))

    handles = [sub.register_forward_hook(lambda _m, _i, out, _name=name: record(_name, out))
               for name, sub in module.named_modules() if name and not any(True for _ in sub.children())]
    try:
        module(*args, **kwargs)
    finally:
        for handle in handles:
            handle.remove()
    return seen


def gradients(fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any], grad_output: Any) -> dict[str, Any]:
    """Run fn on fresh leaf copies of the tensor arguments that require grad, back-propagate
    `grad_output` (ones when None) and report where gradients arrived.

    Returns {"output", "inputs": [grad or None per positional arg], "parameters": {name: grad}}.
    """
    if not callable(fn):
        raise ProbeError(f"expected something callable, got {type(fn).__name__}")
    leaves = [a.detach().clone().requires_grad_(True)
              if isinstance(a, torch.Tensor) and a.requires_grad else a for a in args]
    params = named_parameters(fn) if isinstance(fn, torch.nn.Module) else OrderedDict()
    for p in params.values():
        p.grad = None
    output = fn(*leaves, **kwargs)
    if not isinstance(output, torch.Tensor):
        raise ProbeError(f"expected the call to return a tensor, got {type(output).__name__}")
    if not output.requires_grad:
        grads_in: list[Any] = [None for _ in leaves]
        return {"output": output.detach(), "inputs": grads_in,
                "parameters": {name: None for name in params}}
    seed = torch.ones_like(output) if grad_output is None else grad_output.to(output.device)
    output.backward(seed)
    return {
        "output": output.detach(),
        "inputs": [leaf.grad if isinstance(leaf, torch.Tensor) and leaf.requires_grad else None
                   for leaf in leaves],
        "parameters": {name: p.grad for name, p in params.items()},
    }


def records_graph(fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Call fn(*args, **kwargs) and say whether it recorded an autograd graph: whether any torch
    operation it ran returned a tensor with a grad_fn (none does under torch.no_grad()).

    Returns {"value": what the call returned, "graph": bool}.
    """
    if not callable(fn):
        raise ProbeError(f"expected something callable, got {type(fn).__name__}")
    watch = _graph_watch()()
    with watch:
        value = fn(*args, **kwargs)
    return {"value": value, "graph": watch.recorded}


@functools.cache
def _graph_watch() -> type:
    from torch.overrides import TorchFunctionMode

    class GraphWatch(TorchFunctionMode):
        """Notes whether any torch function returns a tensor that is part of a graph."""

        recorded = False

        def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
            out = func(*args, **(kwargs or {}))
            if not self.recorded:
                outputs = out if isinstance(out, (tuple, list)) else (out,)
                self.recorded = any(isinstance(t, torch.Tensor) and t.grad_fn is not None for t in outputs)
            return out

    return GraphWatch


#: The closed table of probes, by the name a request uses.
PROBES: dict[str, Callable[..., Any]] = {
    fn.__name__: fn
    for fn in (shares_memory, same_object, named_parameters, module_summary, forward_trace, output_shapes,
               gradients, records_graph)
}
