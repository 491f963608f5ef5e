"""Hidden checks for device.py: the device choice (with a faked GPU) and moving nested data."""

from collections import OrderedDict, namedtuple

import pytest
import torch

from autograder.checks import (
    expect,
    expect_close,
    expect_equal,
    expect_raises,
    expect_same_object,
    fail,
    fake_cuda,
    fetch,
    hold,
    named_parameters,
    type_name,
)

Pair = namedtuple("Pair", ["features", "label"])
MOVE_HINT = "tensor.to(device) returns a new tensor and leaves the original where it was"


def walk(value, path="obj"):
    """Yield (path, leaf) for every leaf of nested dicts, lists and tuples."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from walk(item, f"{path}[{i}]")
    else:
        yield path, value


@pytest.mark.points(2)
def test_default_device_prefers_cuda(student):
    """cuda when torch.cuda.is_available(), cpu otherwise (checked with a faked GPU)"""
    for available, wanted in ((True, "cuda"), (False, "cpu")):
        with fake_cuda(available=available):
            device = student.device.default_device()
        expect(type(device) is torch.device, f"default_device() returned {device!r}; expected a torch.device")
        expect(device.type == wanted,
               f"with CUDA {'available' if available else 'unavailable'}, default_device() is '{device}'",
               hint="torch.device('cuda' if torch.cuda.is_available() else 'cpu')")


@pytest.mark.points(2)
def test_to_device_moves_nested(student, target_device):
    """every tensor in nested dicts, lists and tuples moves; other values stay as they are"""
    obj = {"x": torch.randn(2, 3), "batch": [torch.randn(4), (torch.arange(3), 7)], "name": "b1",
           "scale": 0.5, "none": None}
    out = student.device.to_device(obj, str(target_device))
    got, want = list(walk(out)), list(walk(obj))
    if [p for p, _ in got] != [p for p, _ in want]:
        fail("to_device changed the structure of a nested dict/list/tuple",
             hint="rebuild each container with the same keys and items, in the same order")
    for (path, new), (_, old) in zip(got, want, strict=True):
        if isinstance(old, torch.Tensor):
            expect(isinstance(new, torch.Tensor) and new.device.type == target_device.type,
                   f"{path} is not on {target_device} after to_device", hint=MOVE_HINT)
            expect_close(new, old.to(target_device), what=path)
        else:
            expect_equal(new, old, what=path, hint="values that are not tensors or modules are returned as they are")


@pytest.mark.points(1)
@pytest.mark.requires("test_to_device_moves_nested")
def test_to_device_keeps_container_types(student):
    """tuples, lists, dicts, OrderedDicts and namedtuples keep their exact types, their items moved"""
    cases = [
        Pair(torch.ones(2), torch.zeros(1)),
        (torch.ones(1), torch.ones(2)),
        [torch.ones(1)],
        {"a": torch.ones(1)},
        OrderedDict(b=torch.ones(1), a=torch.zeros(1)),
    ]
    for value in cases:
        out = student.device.to_device(value, "meta")
        expect(type(out) is type(value),
               f"to_device turned a {type(value).__name__} into {type_name(out)}",
               hint="rebuild with type(obj)(...); a namedtuple needs type(obj)(*items)")
        if isinstance(value, OrderedDict):
            expect(list(out) == list(value), "to_device changed the order of an OrderedDict")
        got, want = list(walk(out)), list(walk(value))
        expect(len(got) == len(want), f"to_device changed the number of items of a {type(value).__name__}")
        for (path, new), (_, old) in zip(got, want, strict=True):
            expect(isinstance(new, torch.Tensor) and new.device.type == "meta" and new.shape == old.shape,
                   f"in a {type(value).__name__}, {path} became {type_name(new)} instead of the moved tensor",
                   hint="move each item: type(obj)(*(move(item) for item in obj))")


@pytest.mark.points(1)
def test_to_device_moves_modules(student):
    """an nn.Module is moved and returned (the same module)"""
    layer = student.torch.nn.Linear(3, 2)
    out = student.device.to_device(layer, "meta")
    expect_same_object(out, layer, what="to_device(module, device)", of="the module",
                       hint="module.to(device) moves the module in place and returns it")
    stuck = [name for name, p in named_parameters(layer).items() if p.device.type != "meta"]
    expect(not stuck, f"the module's {', '.join(stuck)} stayed on the cpu", hint="call module.to(device)")


@pytest.mark.points(1)
@pytest.mark.requires("test_to_device_moves_nested")
def test_to_device_does_not_mutate_input(student):
    """the structure passed in is left as it was"""
    given = hold({"a": torch.ones(2), "b": [torch.zeros(1)], "c": (torch.ones(1),)})
    student.device.to_device(given, "meta")
    after = fetch(given)
    hint = "build new containers; do not assign into the one you were given"
    expect(list(after) == ["a", "b", "c"] and type(after["b"]) is list and len(after["b"]) == 1,
           "to_device changed the structure of the dict it was given", hint=hint)
    moved = [path for path, leaf in walk(after, "obj") if isinstance(leaf, torch.Tensor) and leaf.device.type != "cpu"]
    expect(not moved, f"to_device moved tensors inside the structure it was given: {', '.join(moved)}", hint=hint)


@pytest.mark.points(1)
@pytest.mark.requires("test_to_device_moves_nested")
def test_to_device_rejects_bad_device(student):
    """a string that names no device raises ValueError"""
    expect_raises(ValueError, student.device.to_device, torch.ones(1), "not-a-device",
                  hint="torch.device(...) raises RuntimeError for a bad string; turn it into a ValueError")
