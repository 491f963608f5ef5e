"""The wire codec: a closed table of tags, exact types, no code run on decoding."""

from __future__ import annotations

import json
import math
import pickle
import struct
from collections import OrderedDict, namedtuple

import pytest
import torch

from autograder.runner import codec

Point = namedtuple("Point", ["x", "y"])


def round_trip(value):
    return codec.decode(codec.encode(value))


@pytest.mark.parametrize("value", [
    None, True, 0, -7, 2**70, 1.5, "text ✓", b"\x00\x01",
    [1, [2, 3]], (1, (2,)), {"a": 1, 2: "b", (1, 2): None}, OrderedDict(b=1, a=2),
    torch.float64, torch.device("cuda:1"), torch.Size([2, 3]), Point(1, "y"),
])
def test_plain_values_keep_value_and_exact_type(value):
    out = round_trip(value)
    assert out == value and type(out) is type(value)


def test_non_finite_floats():
    out = round_trip([math.inf, -math.inf, math.nan])
    assert out[:2] == [math.inf, -math.inf] and math.isnan(out[2])


@pytest.mark.parametrize("dtype", sorted(codec.DTYPES.values(), key=str))
def test_tensors_of_every_dtype(dtype):
    t = (torch.randn(3, 4) * 10).to(dtype)
    out = round_trip(t)
    assert type(out) is torch.Tensor and out.dtype == dtype and torch.equal(out, t)


def test_tensor_metadata_layout_and_parameters():
    t = torch.randn(4, 6, dtype=torch.float64).t()
    out = round_trip(t)
    assert out.stride() == t.stride() and not out.is_contiguous() and torch.equal(out, t)
    grad = round_trip(torch.ones(2, requires_grad=True))
    assert grad.requires_grad and grad.is_leaf
    param = round_trip(torch.nn.Parameter(torch.ones(2)))
    assert type(param) is torch.nn.Parameter
    meta = round_trip(torch.empty(5, 2, device="meta"))
    assert meta.device.type == "meta" and meta.shape == (5, 2)
    assert round_trip(torch.zeros(0, 3)).shape == (0, 3)
    assert round_trip(torch.tensor(3)).shape == ()
    sliced = torch.arange(10.0)[2:5]
    assert torch.equal(round_trip(sliced), sliced)


def test_only_exact_types_are_data():
    class Sneaky(torch.Tensor):
        pass

    class Always:
        def __eq__(self, other):
            return True

    class MyFloat(float):
        pass

    for value in (torch.ones(2).as_subclass(Sneaky), Always(), MyFloat(1.0), torch.nn.Linear(2, 2)):
        assert not codec.is_data(value)
        with pytest.raises(codec.CodecError, match="cannot be sent"):
            codec.encode(value)
    kept = {}
    handle = codec.decode(codec.encode([Always()], keep=lambda v: kept.setdefault("h1", v) and "h1"),
                          handle=lambda h: h)[0]
    assert isinstance(handle, codec.Handle) and handle.type_name.endswith("Always") and handle.id == "h1"


def _frame(tree, buffers=()):
    header = json.dumps({"v": tree, "n": [len(b) for b in buffers]}).encode()
    return struct.pack("<I", len(header)) + header + b"".join(buffers)


@pytest.mark.parametrize(("tree", "buffers", "problem"), [
    ({"$": "pickle", "v": "x"}, (), "unknown tag"),
    ({"$": "tensor", "dtype": "object", "shape": [1], "device": "cpu", "b": 0}, (b"x",), "unknown dtype"),
    ({"$": "tensor", "dtype": "float32", "shape": [2], "device": "cpu", "b": 0}, (b"abc",), "does not match"),
    ({"$": "tensor", "dtype": "float32", "shape": [-1], "device": "cpu", "b": 0}, (b"",), "malformed shape"),
    ({"$": "tensor", "dtype": "float32", "shape": [2, 2], "device": "cpu", "b": 0, "strides": [0, 1]},
     (bytes(16),), "strides"),
    ({"$": "tensor", "dtype": "float32", "shape": [1], "device": "cuda:0", "b": 0}, (bytes(4),), "not available"),
    ({"$": "ntuple", "typename": "P", "fields": ["import os"], "v": [1]}, (), "namedtuple"),
    ({"$": "dtype", "v": "__import__"}, (), "unknown dtype"),
    ({"$": "ref", "id": "c1"}, (), "unexpected reference"),
    ({"$": "handle", "id": "c1", "type": "X", "repr": "x", "callable": False}, (), "unexpected handle"),
    ({"$": "list", "v": "not a list"}, (), "malformed"),
    ({"$": "bytes", "b": 3}, (), "buffer"),
])
def test_malformed_frames_are_refused(tree, buffers, problem):
    if "not available" in problem and torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(codec.CodecError, match=problem):
        codec.decode(_frame(tree, buffers))


def test_a_pickle_is_never_decoded():
    payload = pickle.dumps(print)
    with pytest.raises(codec.CodecError):
        codec.decode(payload)


def test_deep_nesting_is_refused_not_a_crash():
    tree = 0
    for _ in range(200):
        tree = {"$": "list", "v": [tree]}
    with pytest.raises(codec.CodecError):
        codec.decode(_frame(tree))


def test_references_and_tensor_ids_link_objects_across_the_wire():
    kept, seen = {}, {}
    x = torch.ones(3)
    payload = codec.encode({"same": x, "other": torch.zeros(1)}, reference=lambda v: "p1" if v is x else None,
                           tensor_id=lambda t: "p2")
    out = codec.decode(payload, resolve=lambda key: kept.setdefault(key, "resolved " + key),
                       tensor_origin=lambda t, key: seen.setdefault(key, t))
    assert out["same"] == "resolved p1" and seen["p2"] is out["other"]
