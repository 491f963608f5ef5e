"""The wire codec: a closed table of tags, exact types, no code run on decoding."""

from __future__ import annotations

import contextlib
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


# --------------------------------------------------------------------------- the format itself


def _header(payload):
    (length,) = struct.unpack_from("<I", payload)
    return json.loads(payload[4:4 + length])


def test_lists_and_plain_dicts_are_plain_json():
    assert _header(codec.encode([1, 2.5, "x", None, True, {"a": [3]}])) == \
        {"v": [1, 2.5, "x", None, True, {"a": [3]}], "n": []}


@pytest.mark.parametrize("value", [
    {"$": "ref", "id": "p1"},  # data that looks like a tag stays data: never resolved
    {"$": "pickle", "v": {"$": "ref", "id": "p1"}},
    [{"$": "list", "v": [1]}, {"$": 1, "a": {"$": "handle"}}],
    {"a": {"$": "ref"}, 1: {"$": "float", "v": "nan"}},
    OrderedDict([("$", {"$": "tuple"})]),
])
def test_dicts_with_a_dollar_key_stay_data(value):
    out = codec.decode(codec.encode(value), resolve=lambda key: pytest.fail("resolved"),
                       handle=lambda h: pytest.fail("a handle"))
    assert out == value and type(out) is type(value)


def test_the_older_tagged_list_is_still_read():
    assert codec.decode(_frame({"$": "list", "v": [1, {"$": "tuple", "v": []}]})) == [1, ()]


@pytest.mark.parametrize("value", [
    [True, 1, 1.0, False, 0, 0.0, None, -0.0], {"t": True, "i": 1, "f": 1.0}, {True: 1, 2: 1.0, 3.5: False, None: 0},
    (True, (1, 1.0)), {"s": "\ud800\x00é✓", "é": "\U0001f600"}, {b"k": b"v", (1, "a"): (2,)},
    [2**63, -(2**64), 10**300], {"nan": [math.inf], "t": (-math.inf, 1.5)},
])
def test_scalar_types_are_kept_exactly_inside_containers(value):
    def shape(v):  # type and value of every node, with NaN-safe floats
        if type(v) in (list, tuple):
            return (type(v), [shape(x) for x in v])
        if type(v) is dict:
            return (dict, [(shape(k), shape(x)) for k, x in v.items()])
        return (type(v), repr(v))

    assert shape(round_trip(value)) == shape(value)


def test_non_finite_floats_anywhere():
    value = {"root": math.nan, "deep": [[{"x": (math.inf,)}]], math.inf: -math.inf, "ok": 1e308}
    out = round_trip(value)
    assert math.isnan(out["root"]) and out["deep"] == [[{"x": (math.inf,)}]]
    assert out[math.inf] == -math.inf and out["ok"] == 1e308
    assert math.isnan(round_trip(math.nan)) and round_trip(-math.inf) == -math.inf


class _IntLookalikeMeta(type):
    """A metaclass whose classes claim to be equal to, and hash like, every other class."""

    def __eq__(cls, other):
        return True

    def __hash__(cls):
        return hash(int)


class _LookalikeInt(int, metaclass=_IntLookalikeMeta):
    pass


class _Int(int):
    pass


class _Str(str):
    pass


class _List(list):
    pass


class _Dict(dict):
    pass


class _Tuple(tuple):
    pass


@pytest.mark.parametrize("value", [
    _Int(1), _Str("a"), _List([1]), _Dict(a=1), _Tuple((1,)), _LookalikeInt(3), _IntLookalikeMeta,
])
@pytest.mark.parametrize("where", ["root", "list", "dict value", "dict key", "tuple"])
def test_subclasses_of_builtins_are_never_data(value, where):
    if where == "dict key" and isinstance(value, (list, dict)):
        pytest.skip("not hashable")
    wrap = {"root": lambda v: v, "list": lambda v: [1, v], "dict value": lambda v: {"k": v},
            "dict key": lambda v: {v: 1}, "tuple": lambda v: ("a", v)}[where]
    assert not codec.is_data(wrap(value))
    with pytest.raises(codec.CodecError, match="cannot be sent"):
        codec.encode(wrap(value))
    kept = []
    out = codec.decode(codec.encode(wrap(value), keep=lambda v: kept.append(v) or f"h{len(kept)}"),
                       handle=lambda h: h)
    assert kept == [value]
    found = {"root": lambda o: o, "list": lambda o: o[1], "dict value": lambda o: o["k"],
             "dict key": lambda o: next(iter(o)), "tuple": lambda o: o[1]}[where](out)
    assert type(found) is codec.Handle and found.id == "h1"


def test_reference_is_asked_about_objects_and_not_about_plain_builtins():
    asked = []

    def reference(value):
        asked.append(value)
        return None

    class Obj:
        pass

    obj, t, nt, od = Obj(), torch.ones(1), Point(1, 2), OrderedDict(a=1)
    plain = [1, 1.5, "s", None, True, b"b", (2,), {"k": [3]}, {4: 5}, math.nan]
    codec.encode([plain, nt, od, t, torch.float32, torch.device("cpu"), torch.Size([1]), codec.Keep(2), obj],
                 reference=reference, keep=lambda v: "h")
    assert [type(v) for v in asked] == [Point, OrderedDict, torch.Tensor, torch.dtype, torch.device, torch.Size,
                                        codec.Keep, Obj]
    assert asked[0] is nt and asked[2] is t and asked[-1] is obj


def test_a_reference_wins_over_sending_a_copy():
    t, nt = torch.ones(2), Point(1, 2)
    ids = {id(t): "p1", id(nt): "p2"}
    out = codec.decode(codec.encode({"t": t, "nt": [nt], "x": (t,)}, reference=lambda v: ids.get(id(v))),
                       resolve=lambda key: "resolved " + key)
    assert out == {"t": "resolved p1", "nt": ["resolved p2"], "x": ("resolved p1",)}


def test_nesting_and_item_limits_on_both_sides(monkeypatch):
    deep = [1]
    for _ in range(codec._MAX_DEPTH + 1):
        deep = [deep]
    with pytest.raises(codec.CodecError, match="nested too deeply"):
        codec.encode(deep)
    assert not codec.is_data(deep)
    assert codec.is_data(deep[0]) and round_trip(deep[0]) == deep[0]  # the deepest value that may cross
    loop = [1]
    loop.append(loop)
    looping = {"a": 1}
    looping["self"] = looping
    for value in (loop, looping):
        with pytest.raises(codec.CodecError, match="nested too deeply"):
            codec.encode(value)
    for tree in ([[[[0]]]], {"a": {"b": {"c": 0}}}, [{"a": [{"b": 0}]}]):
        nested = tree
        for _ in range(100):
            nested = [nested] if type(tree) is list else {"k": nested}
        with pytest.raises(codec.CodecError, match="nested too deeply"):
            codec.decode(_frame(nested))
    monkeypatch.setattr(codec, "_MAX_ITEMS", 10)
    for value in (list(range(11)), {str(i): i for i in range(11)}, {i: i for i in range(6)}, [[1, 2]] * 4):
        with pytest.raises(codec.CodecError, match="too many items"):
            codec.encode(value)
        monkeypatch.setattr(codec, "_MAX_ITEMS", 1000)
        payload = codec.encode(value)
        monkeypatch.setattr(codec, "_MAX_ITEMS", 10)
        with pytest.raises(codec.CodecError, match="too many items"):
            codec.decode(payload)


def test_integers_too_long_to_write_are_a_codec_error():
    with pytest.raises(codec.CodecError):
        codec.encode([10**5000])


def test_tensors_in_containers_and_views():
    base = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)
    value = {"perm": base.permute(2, 0, 1), "conj": torch.randn(3, dtype=torch.complex64).conj(),
             "neg": torch.randn(3, dtype=torch.complex64).conj().imag, "bf16": base.to(torch.bfloat16)[1],
             "list": [base[0, 0], (base[:, 1],)], "empty": torch.empty(0, 2, 0), "scalar": torch.tensor(True)}
    out = round_trip(value)
    for key in ("perm", "conj", "neg", "bf16", "empty", "scalar"):
        assert type(out[key]) is torch.Tensor and out[key].dtype == value[key].dtype
        assert torch.equal(out[key].resolve_conj().resolve_neg(), value[key].resolve_conj().resolve_neg())
        assert not out[key].is_conj() and not out[key].is_neg()
    assert out["perm"].stride() == value["perm"].stride()
    assert torch.equal(out["list"][0], base[0, 0]) and torch.equal(out["list"][1][0], base[:, 1])
    base[0, 0, 0] = 99  # the copy was made when encoding: later changes do not reach it
    assert out["list"][0][0] == 0


def test_parameter_with_and_without_grad():
    for requires_grad in (True, False):
        out = round_trip(torch.nn.Parameter(torch.ones(2, 2), requires_grad=requires_grad))
        assert type(out) is torch.nn.Parameter and out.requires_grad is requires_grad


_TEMPLATES = [
    {"$": "tuple", "v": [1]}, {"$": "list", "v": [1]}, {"$": "map", "v": {"a": 1}},
    {"$": "dict", "v": [[1, 2]]}, {"$": "odict", "v": [["a", 2]]},
    {"$": "ntuple", "typename": "P", "fields": ["x"], "v": [1]},
    {"$": "float", "v": "nan"}, {"$": "bytes", "b": 0}, {"$": "dtype", "v": "float32"},
    {"$": "device", "v": "cpu"}, {"$": "size", "v": [1, 2]},
    {"$": "ref", "id": "p1"}, {"$": "handle", "id": "c1", "type": "X", "repr": "x", "callable": False},
    {"$": "tensor", "dtype": "float32", "shape": [1], "device": "cpu", "b": 0, "grad": False, "param": False},
    {"$": "tensor", "dtype": "float32", "shape": [2, 2], "device": "cpu", "b": 0, "strides": [1, 2]},
    {"$": "tensor", "dtype": "float32", "shape": [1], "device": "meta"},
]
_ODD = [None, True, False, 0, -1, 1, 2**63, 2**70, 1.5, "", "x", "float32", "cuda:99", "cpu", "\x00", [], [1],
        [-1], [2**62, 2**62, 0], [2**70], [[1, 2]], [[1]], ["x"], {}, {"$": "ref"}, {"a": 1}, ["import os"]]


def test_malformed_nodes_of_any_shape_raise_only_codec_errors():
    decoded = 0
    for template in _TEMPLATES:
        for key in [*template, "extra"]:
            for odd in _ODD:
                node = {**template, key: odd}
                try:
                    codec.decode(_frame(node, (bytes(16),)), resolve=lambda k: k, handle=lambda h: h,
                                 devices=lambda kind: True)
                    decoded += 1
                except codec.CodecError:
                    pass
    assert decoded > 0  # the templates themselves are valid


@pytest.mark.parametrize("header", [
    b"", b" ", b'{"v":1,"n":[]} ', b' {"v":1,"n":[]}', b'{"v":1,"n":[]}{}', b'{"v":NaN,"n":[]}',
    b'{"v":Infinity,"n":[]}', b'{"v":1,"n":[-1]}', b'{"v":1,"n":[1.0]}', b'{"v":1,"n":{}}', b'[1,[]]',
    b'{"v":"\xff","n":[]}', b'{"v":"\\ud800","n":[] ', b'{"v":' + b"[" * 100_000 + b"]" * 100_000 + b',"n":[]}',
    b'{"v":' + b"1" * 5000 + b',"n":[]}', b'{"v":{"$":5},"n":[]}', b'{"v":{"$":["list"]},"n":[]}',
    b'{"v":{"$":null},"n":[]}', b'{"v":[{"$":"x' + b"y" * 10_000 + b'"}],"n":[]}',
])
def test_malformed_headers_raise_codec_errors(header):
    with pytest.raises(codec.CodecError):
        codec.decode(struct.pack("<I", len(header)) + header)


def test_corrupted_payloads_raise_only_codec_errors():
    import random

    rng = random.Random(1234)
    value = {"a": [1, 2.5, (3, None)], "t": torch.arange(6.0).reshape(2, 3).t(), "b": b"xyz",
             "d": {1: OrderedDict(x=math.inf)}, "p": Point(1, 2), "s": torch.Size([2]), "$": torch.int64}
    payload = codec.encode(value)
    assert str(round_trip(value)) == str(value)
    for _ in range(3000):
        corrupt = bytearray(payload)
        for _ in range(rng.randint(1, 4)):
            corrupt[rng.randrange(len(corrupt))] = rng.randrange(256)
        if rng.random() < 0.2:
            corrupt = corrupt[:rng.randrange(len(corrupt))]
        with contextlib.suppress(codec.CodecError):
            codec.decode(bytes(corrupt))


def test_odd_strings_and_non_finite_floats_survive_the_json_header():
    value = {"a": [1, 2.5, math.nan, "é\ud800"], "b": (None, True, -math.inf), 3: {"$": 1}, "t": torch.ones(2)}
    out = codec.decode(codec.encode(value))
    assert str(out) == str(value) and torch.equal(out["t"], value["t"])
