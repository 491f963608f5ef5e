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
    torch.float64, torch.device("cuda:1"), torch.Size([2, 3]), Point(1, "y"), ..., [1, ...],
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
    ({"$": "tuple", "v": "not a list"}, (), "malformed"),
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
        tree = {"$": "tuple", "v": [tree]}
    with pytest.raises(codec.CodecError, match="nested too deeply"):
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


def test_the_retired_list_tag_is_refused():
    # Lists are JSON arrays; the old tagged form left the table.
    with pytest.raises(codec.CodecError, match="unknown tag 'list'"):
        codec.decode(_frame({"$": "list", "v": [1, {"$": "tuple", "v": []}]}))


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
    assert round_trip(deep[0]) == deep[0]  # the deepest value that may cross
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


# Each template is a valid node on its own, with one 16-byte buffer beside it.
_TEMPLATES = [
    {"$": "tuple", "v": [1]}, {"$": "map", "v": {"a": 1}},
    {"$": "dict", "v": [[1, 2]]}, {"$": "odict", "v": [["a", 2]]},
    {"$": "ntuple", "typename": "P", "fields": ["x"], "v": [1]},
    {"$": "float", "v": "nan"}, {"$": "bytes", "b": 0}, {"$": "dtype", "v": "float32"},
    {"$": "device", "v": "cpu"}, {"$": "size", "v": [1, 2]},
    {"$": "ref", "id": "p1"}, {"$": "handle", "id": "c1", "type": "X", "repr": "x", "callable": False},
    {"$": "tensor", "dtype": "float32", "shape": [4], "device": "cpu", "b": 0, "grad": False, "param": False},
    {"$": "tensor", "dtype": "float32", "shape": [2, 2], "device": "cpu", "b": 0, "strides": [1, 2]},
    {"$": "tensor", "dtype": "float32", "shape": [1], "device": "meta"},
]
_ODD = [None, True, False, 0, -1, 1, 2**63, 2**70, 1.5, "", "x", "float32", "cuda:99", "cpu", "\x00", [], [1],
        [-1], [2**62, 2**62, 0], [2**70], [[1, 2]], [[1]], ["x"], {}, {"$": "ref"}, {"a": 1}, ["import os"]]
#: The JSON types a field of a node may have, by tag (exact types: True is not an int). A value of
#: any other type is refused; one of the right type may still be (a shape of -1, an unknown dtype).
#: ("param" is left out: the decoder reads any value but true as "not a parameter".)
_FIELD_TYPES: dict[str, dict[str, tuple[type, ...]]] = {
    **{tag: {"v": (list,)} for tag in ("tuple", "dict", "odict", "size")},
    "ntuple": {"v": (list,), "typename": (str,), "fields": (list,)},
    "map": {"v": (dict,)},
    **{tag: {"v": (str,)} for tag in ("float", "dtype", "device")},
    "bytes": {"b": (int,)},
    "ref": {"id": (str,)},
    "handle": {"id": (str,), "type": (str,), "repr": (str,), "callable": (bool,)},
    "tensor": {"dtype": (str,), "shape": (list,), "device": (str,), "b": (int,), "grad": (bool,),
               "strides": (list, type(None))},
}


def _plain(value):
    """A comparable picture of a decoded value: exact types, tensor contents, handle fields, NaN-safe."""
    kind = type(value)
    if isinstance(value, (list, tuple)):
        return (kind, [_plain(item) for item in value])
    if isinstance(value, dict):
        return (kind, [(_plain(k), _plain(v)) for k, v in value.items()])
    if isinstance(value, torch.Tensor):
        return (kind, value.dtype, tuple(value.shape), value.stride(), str(value.device), value.requires_grad,
                None if value.is_meta else value.contiguous().view(torch.uint8).flatten().tolist())
    if kind is codec.Handle:
        return (kind, value.id, value.type_name, value.repr, value.callable)
    return (kind, repr(value))


def test_malformed_nodes_of_any_shape_raise_only_codec_errors():
    def decode(node):
        return codec.decode(_frame(node, (bytes(16),)), resolve=lambda k: k, handle=lambda h: h,
                            devices=lambda kind: True)

    refused, must_refuse, others = [], [], 0
    for template in _TEMPLATES:
        valid = _plain(decode(template))  # each template decodes as it is
        types = _FIELD_TYPES[template["$"]]
        for key in [*template, "extra"]:
            for odd in _ODD:
                if key in template and type(odd) is type(template[key]) and odd == template[key]:
                    continue  # not a change
                node = {**template, key: odd}
                try:
                    out = decode(node)
                except codec.CodecError:
                    refused.append(node)
                    continue
                if key == "$" or (key in types and type(odd) not in types[key]):
                    must_refuse.append(node)  # an unknown tag, or a field of the wrong type, was accepted
                elif key == "extra":
                    assert _plain(out) == valid, f"an unknown field changed what {node} decodes to"
                else:
                    others += 1
    assert must_refuse == []
    # Accepting everything fails above; refusing everything fails on the templates themselves.
    assert len(refused) > 400 and others > 0


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


# The table of tags (codec.py's module docstring).
_TAG_NAMES = {"tuple", "ntuple", "map", "dict", "odict", "float", "bytes", "tensor", "dtype", "device",
              "size", "ref", "handle"}


def _tags_known(node) -> bool:
    """Whether every tagged node the decoder walks into has a tag of the table."""
    if type(node) is list:
        return all(_tags_known(item) for item in node)
    if type(node) is not dict:
        return True
    if "$" not in node:
        return all(_tags_known(item) for item in node.values())
    tag = node["$"]
    if type(tag) is not str or tag not in _TAG_NAMES:
        return False
    inner = node.get("v")
    if tag == "map" and type(inner) is dict:  # a plain dict, which may hold a "$" key of its own
        return all(_tags_known(item) for item in inner.values())
    return _tags_known(inner)


def _structural_fault(payload: bytes) -> str | None:
    """Why `payload` breaks the frame's structure, judged without the codec: a truncated frame, a header
    that is not a JSON object, a buffer table that does not match the bytes, or a tag outside the table.
    None when it has none of these (it may still be refused for a bad value)."""
    if len(payload) < 4 or struct.unpack_from("<I", payload)[0] > len(payload) - 4:
        return "truncated"
    (length,) = struct.unpack_from("<I", payload)
    try:
        header = json.loads(payload[4:4 + length].decode("utf-8"))
    except ValueError:  # UnicodeDecodeError and JSONDecodeError
        return "bad header"
    if type(header) is not dict:
        return "bad header"
    sizes = header.get("n")
    if type(sizes) is not list or not all(type(n) is int and n >= 0 for n in sizes) \
            or 4 + length + sum(sizes) != len(payload):
        return "bad buffer table"
    if not _tags_known(header.get("v")):
        return "bad tag"
    return None


def test_corrupted_payloads_raise_only_codec_errors():
    import random

    rng = random.Random(1234)
    value = {"a": [1, 2.5, (3, None)], "t": torch.arange(6.0).reshape(2, 3).t(), "b": b"xyz",
             "d": {1: OrderedDict(x=math.inf)}, "p": Point(1, 2), "s": torch.Size([2]), "$": torch.int64}
    payload = codec.encode(value)
    assert str(round_trip(value)) == str(value)
    assert _structural_fault(payload) is None
    data_start = len(payload) - 24 - 3  # the tensor's 6 float32 values, then b"xyz"
    unchanged = {key: _plain(item) for key, item in value.items() if key not in ("t", "b")}
    faults: dict[str, list[bool]] = {}  # structural fault -> whether each such payload was refused
    data_only = values_changed = values_refused = 0
    for _ in range(3000):
        corrupt = bytearray(payload)
        for _ in range(rng.randint(1, 4)):
            corrupt[rng.randrange(len(corrupt))] = rng.randrange(256)
        if rng.random() < 0.2:
            corrupt = corrupt[:rng.randrange(len(corrupt))]
        corrupt = bytes(corrupt)
        changed = [i for i, (a, b) in enumerate(zip(corrupt, payload, strict=False)) if a != b]
        try:
            out, error = codec.decode(corrupt), None
        except codec.CodecError as exc:
            out, error = None, exc
        fault = _structural_fault(corrupt)
        if fault is not None:
            faults.setdefault(fault, []).append(error is not None)
        elif len(corrupt) == len(payload) and all(i >= data_start for i in changed):
            # Only element bytes changed: any bytes are valid floats and bytes, so this must decode,
            # to exactly those bytes, and leave everything else as it was.
            data_only += 1
            assert error is None, f"a payload with only its data changed was refused: {error}"
            assert _plain(out["t"])[:-1] == _plain(value["t"])[:-1]
            assert out["t"].contiguous().view(torch.uint8).flatten().tolist() == list(corrupt[data_start:-3])
            assert out["b"] == corrupt[-3:]
            assert {key: _plain(item) for key, item in out.items() if key not in ("t", "b")} == unchanged
        else:  # the header changed but is still well formed: its values may be valid or not
            values_changed += 1
            values_refused += error is not None
    for fault, outcomes in faults.items():
        assert all(outcomes), f"{outcomes.count(False)} of {len(outcomes)} accepted, with a fault: {fault}"
    # Most corruptions break the structure (so a decoder that accepts everything fails above), some
    # must decode (so one that refuses everything fails too); each kind of fault is also made on
    # purpose in test_structurally_broken_payloads_are_always_refused.
    assert sum(map(len, faults.values())) > 2000 and {"truncated", "bad header", "bad tag"} <= faults.keys()
    assert data_only > 0 and values_changed > 0 and values_refused > 0


def test_structurally_broken_payloads_are_always_refused():
    value = {"t": torch.arange(6.0).reshape(2, 3), "b": b"xyz", "x": (1, Point(2, 3)), "m": {"$": torch.float32}}
    payload = codec.encode(value)
    (length,) = struct.unpack_from("<I", payload)
    header, data = payload[4:4 + length], payload[4 + length:]
    assert json.loads(header)["n"] == [24, 3]
    broken = {"truncated": [payload[:n] for n in range(len(payload))]}
    broken["bad length"] = [struct.pack("<I", n) + payload[4:] for n in range(length + len(data) + 2) if n != length]
    broken["bad header"] = [struct.pack("<I", len(h)) + h + data for h in (
        header[:-1], header + b" ", b" " + header, header.replace(b":", b"=", 1), header.replace(b'"n"', b'"N"'),
        b"[" + header + b"]", header.replace(b'{"v":', b'{"v":NaN,"w":', 1))]
    broken["bad buffer table"] = [payload.replace(b'"n":[24,3]', table) for table in (
        b'"n":[24,2]', b'"n":[24,4]', b'"n":[23,3]', b'"n":[24]', b'"n":[24,3,0]', b'"n":[-1,28]',
        b'"n":[24.0,3]', b'"n":[24,"3"]', b'"n":{"0":24}', b'"n":null')] + [payload + b"\x00"]
    # The lengths add up, but split the bytes wrongly: the tensor's buffer no longer matches its shape.
    broken["wrong split"] = [payload.replace(b'"n":[24,3]', table) for table in (b'"n":[27,0]', b'"n":[3,24]')]
    tags = [i + 5 for i in range(len(header)) if header.startswith(b'"$":"', i)]
    broken["bad tag"] = [payload[:4 + i] + b"Q" + payload[5 + i:] for i in tags]  # a letter of each tag
    assert len(tags) == 6 and all(len(set(cases)) == len(cases) > 1 for cases in broken.values())
    for fault, cases in broken.items():
        for case in cases:
            with pytest.raises(codec.CodecError):
                codec.decode(case)
            if fault in ("truncated", "bad buffer table", "bad tag"):  # the fuzz test's judge sees them too
                assert _structural_fault(case) is not None, case


def test_odd_strings_and_non_finite_floats_survive_the_json_header():
    value = {"a": [1, 2.5, math.nan, "é\ud800"], "b": (None, True, -math.inf), 3: {"$": 1}, "t": torch.ones(2)}
    out = codec.decode(codec.encode(value))
    assert str(out) == str(value) and torch.equal(out["t"], value["t"])
