"""The wire format between the grader and the student's process.

Values cross as a JSON tree plus raw byte buffers. A JSON object is a tagged node exactly when it
has the key ``"$"``, and tags come from a closed table, so the decoder only ever builds plain
values; it never imports, never resolves a name it was sent and never unpickles. What a value
may be:

==============  ================================================================================
JSON scalars    None, bool, int, str and finite floats, as themselves
``list``        a JSON array
``dict``        a JSON object when every key is a string and none is ``"$"``;
                ``{"$": "map", "v": {str: value}}`` when every key is a string, one of them ``"$"``;
                else ``{"$": "dict", "v": [[key, value], ...]}``; ``odict`` for OrderedDict
``tuple``       ``{"$": "tuple", "v": [...]}``
``ntuple``      a namedtuple: ``typename``, ``fields`` and ``v``
``float``       NaN, inf or -inf: ``{"$": "float", "v": "nan"}``
``bytes``       a buffer
``tensor``      dtype (from a fixed table), shape, strides, device, requires_grad, parameter
                flag and a buffer with the elements; ``id`` names the object on the side that
                holds it, so identity questions can be asked later
``dtype``       a torch.dtype by name; ``device``: a torch.device; ``size``: a torch.Size
``ellipsis``    ``...``, the placeholder an unanswered stub value holds (see `stubs`)
``ref``         an object the *receiver* already holds, by id
``handle``      an object the *sender* holds and could not send as data (a module, a class, a
                tensor subclass …): its id, exact type name and a capped repr
==============  ================================================================================

Only exact types are data: a subclass of ``torch.Tensor`` or of ``float`` travels as a handle,
so an object with a custom ``__eq__`` can never reach the grader's comparisons. Types are told
apart by identity (``type(v) is int``), never by ``isinstance`` or by hashing the type.

A payload is ``<u32 header length><header JSON {"v": tree, "n": [buffer lengths]}><buffers>``;
`wire` frames it for the socket.
"""

from __future__ import annotations

import ctypes
import json
import math
import struct
from collections import OrderedDict, namedtuple
from collections.abc import Callable
from typing import Any

import torch

from autograder.runner.wire import MAX_FRAME

__all__ = ["CodecError", "Handle", "Keep", "decode", "encode", "register_namedtuple", "type_name"]

_MAX_DEPTH = 64
_MAX_ITEMS = 1_000_000
_MAX_NAMEDTUPLE_TYPES = 256
_REPR_CAP = 200

#: dtypes that can cross, by the name used on the wire.
DTYPES: dict[str, torch.dtype] = {
    name: getattr(torch, name)
    for name in (
        "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
        "float32", "float64", "complex64", "complex128",
    )
}
_DTYPE_NAMES = {dtype: name for name, dtype in DTYPES.items()}


class CodecError(ValueError):
    """A value cannot be encoded, or bytes do not decode to a valid value."""


class Keep:
    """Wraps a value the sender wants kept on its side and sent as a handle, even if it is data."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class Handle:
    """What a receiver learns about an object the sender kept (see ``handle`` in the table).

    The runner wraps it in a proxy; the codec itself only carries the fields.
    """

    __slots__ = ("callable", "id", "repr", "type_name")

    def __init__(self, id: str, type_name: str, repr: str, callable: bool) -> None:
        self.id = id
        self.type_name = type_name
        self.repr = repr
        self.callable = callable


# --------------------------------------------------------------------------- classification


def _is_namedtuple(value: object) -> bool:
    cls = type(value)
    fields = getattr(cls, "_fields", None)
    return (issubclass(cls, tuple) and cls is not tuple and isinstance(fields, tuple)
            and all(type(f) is str for f in fields))


def _is_tensor(value: object) -> bool:
    return (type(value) is torch.Tensor or type(value) is torch.nn.Parameter) and \
        value.layout == torch.strided and value.dtype in _DTYPE_NAMES


# --------------------------------------------------------------------------- encoding

# The header is written by one JSON encoder built once. ``allow_nan=False`` makes it refuse NaN
# and ±inf, which `_dump` then tags; ``check_circular=False`` is safe because every list and dict
# it sees is a fresh one `_Encoder` built, no deeper than _MAX_DEPTH.
_JSON_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False, allow_nan=False)
_write_json = _JSON_ENCODER.encode


_U32 = struct.Struct("<I")


class _Walk:
    """What encoding and decoding share: the limits on nesting and on the number of items."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items = 0

    def count(self, items: int, depth: int) -> None:
        self.items += items
        if depth > _MAX_DEPTH or self.items > _MAX_ITEMS:
            raise CodecError("value is nested too deeply or has too many items")


class _Encoder(_Walk):
    """Builds the JSON tree for one value, collecting the buffers it refers to.

    Containers are copied before they are looked at (``list(v)``, ``dict(v)`` run in C): the tree
    handed to the JSON encoder is ours alone, so nothing can change between checking it and
    writing it. JSON scalars stay in the copies as they are; only other items are converted.
    """

    __slots__ = ("alive", "buffers", "keep", "limit", "reference", "size", "tensor_id")

    def __init__(self, *, reference: Callable[[Any], str | None] | None,
                 keep: Callable[[Any], str] | None, tensor_id: Callable[[torch.Tensor], str | None] | None,
                 limit: int):
        self.limit = limit
        self.reference = reference
        self.keep = keep
        self.tensor_id = tensor_id
        self.buffers: list[Any] = []  # bytes, or views of the tensors in `alive`
        self.alive: list[torch.Tensor] = []
        self.size = 0
        super().__init__()

    def buffer(self, data: Any, size: int) -> int:
        self.size += size
        self._check_size()
        self.buffers.append(data)
        return len(self.buffers) - 1

    def _check_size(self, more: int = 0) -> None:
        if self.size + more > self.limit:
            raise CodecError(f"value is larger than the {self.limit / 2**20:g} MiB a message may hold")

    def value(self, value: Any, depth: int) -> Any:
        """The tree for `value`, which is not a JSON scalar (callers keep those as they are)."""
        kind = type(value)
        if kind is list:
            return self.sequence(value, depth)
        if kind is dict:
            return self.mapping(value, depth)
        if kind is tuple:
            return {"$": "tuple", "v": self.sequence(value, depth)}
        if kind is bytes:
            return {"$": "bytes", "b": self.buffer(value, len(value))}
        # An instance of any other class may be something the receiver holds.
        if self.reference is not None:
            ref = self.reference(value)
            if ref is not None:
                return {"$": "ref", "id": ref}
        return self.other(value, kind, depth)

    def sequence(self, value: list[Any] | tuple[Any, ...], depth: int) -> list[Any]:
        self.count(len(value), depth)
        items = list(value)
        for i, item in enumerate(items):
            kind = type(item)
            if not (kind is int or kind is str or kind is float or kind is bool or item is None):
                items[i] = self.value(item, depth + 1)
        return items

    def mapping(self, value: dict[Any, Any], depth: int) -> Any:
        self.count(len(value), depth)
        out = dict(value)
        for key in out:
            if type(key) is not str:
                return {"$": "dict", "v": self.pairs(out.items(), len(out), depth)}
        for key, item in out.items():  # replacing values, not keys, while iterating is allowed
            kind = type(item)
            if not (kind is int or kind is str or kind is float or kind is bool or item is None):
                out[key] = self.value(item, depth + 1)
        # Only exact str keys are in `out`, so looking "$" up runs no code of the sender's.
        return {"$": "map", "v": out} if "$" in out else out

    def pairs(self, items: Any, n: int, depth: int) -> list[list[Any]]:
        self.count(n, depth)
        return [[self.item(key, depth + 1), self.item(item, depth + 1)] for key, item in list(items)]

    def item(self, value: Any, depth: int) -> Any:
        kind = type(value)
        if kind is int or kind is str or kind is float or kind is bool or value is None:
            return value
        return self.value(value, depth)

    def other(self, value: Any, kind: type, depth: int) -> Any:
        if kind is Keep:
            return self.handle(value.value)
        if kind is torch.Tensor or kind is torch.nn.Parameter:
            if value.layout == torch.strided and value.dtype in _DTYPE_NAMES:
                return self.tensor(value)
        elif kind is torch.dtype:
            name = _DTYPE_NAMES.get(value)
            if name is not None:
                return {"$": "dtype", "v": name}
        elif kind is torch.device:
            return {"$": "device", "v": str(value)}
        elif kind is torch.Size:
            return {"$": "size", "v": list(value)}
        elif value is Ellipsis:
            return {"$": "ellipsis"}
        elif kind is OrderedDict:
            self.count(len(value), depth)
            return {"$": "odict", "v": self.pairs(value.items(), len(value), depth)}
        elif _is_namedtuple(value):
            # The receiver's answer may hold this type again: decode it as this very class.
            register_namedtuple(kind)
            return {"$": "ntuple", "typename": kind.__name__, "fields": list(kind._fields),  # type: ignore[attr-defined]
                    "v": self.sequence(value, depth)}
        return self.handle(value)

    def tensor(self, t: torch.Tensor) -> dict[str, Any]:
        node: dict[str, Any] = {
            "$": "tensor",
            "dtype": _DTYPE_NAMES[t.dtype],
            "shape": list(t.shape),
            "device": str(t.device),
            "grad": t.requires_grad,
            "param": type(t) is torch.nn.Parameter,
        }
        # Keep a dense non-contiguous layout (a transpose, a permute) so checks can send one.
        if not t.is_contiguous() and _dense(t.shape, t.stride()):
            node["strides"] = list(t.stride())
        if not t.is_meta:
            size = t.numel() * t.element_size()
            self._check_size(size)
            # A fresh contiguous copy (conjugate and negative views resolved) that nobody else
            # holds owns exactly `size` bytes from data_ptr() on; `alive` keeps it until the
            # payload is joined, which is the only copy of the bytes made here.
            data = t.detach()
            if t.is_cpu:
                data = data.clone(memory_format=torch.contiguous_format)
            else:
                data = data.to("cpu").clone(memory_format=torch.contiguous_format)
            self.alive.append(data)
            node["b"] = self.buffer((ctypes.c_char * size).from_address(data.data_ptr()) if size else b"", size)
        if self.tensor_id is not None:
            node["id"] = self.tensor_id(t)
        return node

    def handle(self, value: Any) -> dict[str, Any]:
        if self.keep is None:
            raise CodecError(f"a {type_name(type(value))} cannot be sent to the other side")
        try:
            text = repr(value)
        except Exception:  # a hostile or broken __repr__ must not break encoding
            text = f"<{type_name(type(value))}>"
        return {"$": "handle", "id": self.keep(value), "type": type_name(type(value)),
                "repr": text[:_REPR_CAP], "callable": callable(value)}


def _tag_non_finite(node: list[Any] | dict[str, Any]) -> None:
    """Replace NaN and ±inf in a tree `_Encoder` built by their ``float`` node, in place."""
    for key, item in enumerate(node) if type(node) is list else node.items():  # type: ignore[union-attr]
        kind = type(item)
        if kind is float:
            if not math.isfinite(item):
                node[key] = {"$": "float", "v": repr(item)}  # type: ignore[index]
        elif kind is list or kind is dict:
            _tag_non_finite(item)


def _dump(header: dict[str, Any]) -> bytes:
    try:
        return _write_json(header).encode("ascii")
    except ValueError:  # NaN or ±inf somewhere (rare): tag them and write again
        pass
    except RecursionError:
        raise CodecError("value is nested too deeply") from None
    _tag_non_finite(header)
    try:
        return _write_json(header).encode("ascii")
    except (ValueError, RecursionError) as exc:  # an int with more digits than str() allows
        raise CodecError(f"value cannot be written: {exc}") from None


def type_name(cls: type) -> str:
    """A class's qualified name as messages show it ("int", "torch.Tensor", "mlp.MLP")."""
    try:  # a hostile metaclass can make even these raise
        module, name = getattr(cls, "__module__", "") or "", getattr(cls, "__qualname__", cls.__name__)
        return name if module in ("builtins", "") else f"{module}.{name}"
    except Exception:
        return "object"


def _dense(shape: torch.Size | list[int], strides: tuple[int, ...] | list[int]) -> bool:
    """True when the strides describe a permutation of a packed layout (no gaps, no overlap)."""
    dims = sorted((stride, size) for size, stride in zip(shape, strides, strict=True) if size != 1)
    expected = 1
    for stride, size in dims:
        if stride != expected or size == 0:
            return False
        expected *= size
    return True


def encode(value: Any, *,
           reference: Callable[[Any], str | None] | None = None,
           keep: Callable[[Any], str] | None = None,
           tensor_id: Callable[[torch.Tensor], str | None] | None = None,
           limit: int = MAX_FRAME) -> bytes:
    """Encode `value` as one frame payload.

    Args:
        reference: returns the receiver's id for an object it already holds, else None. It is
            asked about every value that is an instance of some other class than the exact
            built-in ``list``, ``tuple``, ``dict``, ``float``, ``bytes``, ``str``, ``int``,
            ``bool`` and None (those are never references, so it is not asked about them):
            tensors, torch types, namedtuples, OrderedDicts, `Keep` and every other object.
        keep: stores an object that is not data and returns its id; without it such objects
            raise `CodecError`.
        tensor_id: returns the id under which this side keeps a tensor it sends as data.
        limit: the most bytes of tensor and bytes data the payload may carry.

    Raises:
        CodecError: the value is not data (and cannot be kept), too large or too deep.
    """
    encoder = _Encoder(reference=reference, keep=keep, tensor_id=tensor_id, limit=limit)
    kind = type(value)
    if kind is int or kind is str or kind is float or kind is bool or value is None:
        tree = value
    else:
        tree = encoder.value(value, 0)
    header = _dump({"v": tree, "n": [len(b) for b in encoder.buffers]})
    return b"".join([_U32.pack(len(header)), header, *encoder.buffers])


# --------------------------------------------------------------------------- decoding

_namedtuple_types: dict[tuple[str, tuple[str, ...]], type] = {}


def register_namedtuple(cls: type) -> None:
    """Decode namedtuples of this name and fields as `cls` (the class the sender used)."""
    _namedtuple_types[(cls.__name__, tuple(cls._fields))] = cls  # type: ignore[attr-defined]


def _namedtuple_type(typename: Any, fields: Any) -> type:
    if type(typename) is not str or type(fields) is not list or not all(type(f) is str for f in fields):
        raise CodecError("malformed namedtuple")
    key = (typename, tuple(fields))
    known = _namedtuple_types.get(key)
    if known is not None:
        return known
    if len(_namedtuple_types) >= _MAX_NAMEDTUPLE_TYPES:
        raise CodecError("too many namedtuple types")
    try:
        # namedtuple() validates that every name is an identifier and not a keyword.
        made: type = namedtuple(typename, fields)  # type: ignore[misc]
    except ValueError as exc:
        raise CodecError(f"malformed namedtuple: {exc}") from None
    _namedtuple_types[key] = made
    return made


class _Decoder(_Walk):
    """Turns a parsed header into values, in place: JSON arrays and plain objects are kept.

    Every list and dict in the tree came out of our own JSON parse, so no code but ours runs
    while it is walked; tagged nodes go through `_TAGS`, and any other tag is refused.
    """

    __slots__ = ("buffers", "devices", "handle", "resolve", "tensor_origin", "used")

    def __init__(self, buffers: list[memoryview], *, resolve: Callable[[str], Any] | None,
                 handle: Callable[[Handle], Any] | None, tensor_origin: Callable[[torch.Tensor, str], None] | None,
                 devices: Callable[[str], bool]):
        self.buffers = buffers
        self.used: set[int] = set()
        self.resolve = resolve
        self.handle = handle
        self.tensor_origin = tensor_origin
        self.devices = devices
        super().__init__()

    def value(self, node: Any, depth: int) -> Any:
        kind = type(node)
        if kind is dict:
            return self.json_object(node, depth)
        if kind is list:
            return self.sequence(node, depth)
        return node  # a JSON scalar

    def sequence(self, items: list[Any], depth: int) -> list[Any]:
        self.count(len(items), depth)
        for i, item in enumerate(items):
            kind = type(item)
            if kind is dict:
                items[i] = self.json_object(item, depth + 1)
            elif kind is list:
                self.sequence(item, depth + 1)
        return items

    def json_object(self, node: dict[str, Any], depth: int) -> Any:
        if "$" not in node:
            return self.mapping(node, depth)
        tag = node["$"]
        decode = _TAGS.get(tag) if type(tag) is str else None
        if decode is None:
            raise CodecError(f"unknown tag {str(tag)[:40]!r}")
        return decode(self, node, depth)

    def mapping(self, node: dict[str, Any], depth: int) -> dict[str, Any]:
        self.count(len(node), depth)
        for key, item in node.items():  # replacing values, not keys, while iterating is allowed
            kind = type(item)
            if kind is dict:
                node[key] = self.json_object(item, depth + 1)
            elif kind is list:
                self.sequence(item, depth + 1)
        return node

    # -- tagged nodes, by tag (see `_TAGS`)

    def tag_tuple(self, node: dict[str, Any], depth: int) -> tuple[Any, ...]:
        return tuple(self.sequence(self._list(node, "v"), depth))

    def tag_ntuple(self, node: dict[str, Any], depth: int) -> tuple[Any, ...]:
        items = self.sequence(self._list(node, "v"), depth)
        cls = _namedtuple_type(node.get("typename"), node.get("fields"))
        if len(items) != len(cls._fields):  # type: ignore[attr-defined]
            raise CodecError("namedtuple has the wrong number of items")
        made: tuple[Any, ...] = cls(*items)
        return made

    def tag_map(self, node: dict[str, Any], depth: int) -> dict[str, Any]:
        items = node.get("v")
        if type(items) is not dict:
            raise CodecError("malformed map")
        return self.mapping(items, depth)

    def tag_dict(self, node: dict[str, Any], depth: int) -> dict[Any, Any]:
        pairs = self._list(node, "v")
        self.count(2 * len(pairs), depth)
        out: dict[Any, Any] = OrderedDict() if node["$"] == "odict" else {}
        for pair in pairs:
            if type(pair) is not list or len(pair) != 2:
                raise CodecError("malformed dict item")
            key = self.value(pair[0], depth + 1)
            item = self.value(pair[1], depth + 1)
            try:
                out[key] = item
            except TypeError:
                raise CodecError("unhashable dict key") from None
        return out

    def tag_float(self, node: dict[str, Any], depth: int) -> float:
        text = node.get("v")
        if type(text) is not str or text not in ("nan", "inf", "-inf"):
            raise CodecError("malformed float")
        return float(text)

    def tag_bytes(self, node: dict[str, Any], depth: int) -> bytes:
        return bytes(self._buffer(node.get("b")))

    def tag_dtype(self, node: dict[str, Any], depth: int) -> torch.dtype:
        return self._dtype(node.get("v"))

    def tag_device(self, node: dict[str, Any], depth: int) -> torch.device:
        return self._device(node.get("v"), must_exist=False)

    def tag_size(self, node: dict[str, Any], depth: int) -> torch.Size:
        return torch.Size(self._ints(node.get("v")))

    def tag_ellipsis(self, node: dict[str, Any], depth: int) -> Any:
        return Ellipsis

    def tag_ref(self, node: dict[str, Any], depth: int) -> Any:
        if self.resolve is None or type(node.get("id")) is not str:
            raise CodecError("unexpected reference")
        return self.resolve(node["id"])

    def tag_handle(self, node: dict[str, Any], depth: int) -> Any:
        if self.handle is None:
            raise CodecError("unexpected handle")
        key, kind, text = node.get("id"), node.get("type"), node.get("repr")
        if type(key) is not str or type(kind) is not str or type(text) is not str \
                or type(node.get("callable")) is not bool:
            raise CodecError("malformed handle")
        return self.handle(Handle(key, kind[:_REPR_CAP], text[:_REPR_CAP], node["callable"]))

    def tag_tensor(self, node: dict[str, Any], depth: int) -> torch.Tensor:
        name = node.get("dtype")
        dtype = self._dtype(name)
        shape = self._ints(node.get("shape"))
        device = self._device(node.get("device"))
        numel = math.prod(shape)
        if numel > MAX_FRAME:
            raise CodecError("tensor is too large")
        strides = node.get("strides")
        if strides is not None:
            strides = self._ints(strides)
            if len(strides) != len(shape) or not _dense(shape, strides):
                raise CodecError("malformed strides")
        grad = node.get("grad", False)
        if type(grad) is not bool or (grad and not (dtype.is_floating_point or dtype.is_complex)):
            raise CodecError("malformed requires_grad")
        data = None if device.type == "meta" else self._buffer(node.get("b"))
        if data is not None and len(data) != numel * _ITEMSIZE[str(name)]:
            raise CodecError("tensor data does not match its shape")
        try:
            if data is None:
                t = torch.empty(shape, dtype=dtype, device="meta")
            else:
                flat = torch.frombuffer(bytearray(data), dtype=dtype) if numel else torch.empty(0, dtype=dtype)
                t = flat.view(*shape) if shape else flat.view(())  # view(*shape): less parsing
                if strides is not None:
                    strided = torch.empty_strided(shape, strides, dtype=dtype)
                    strided.copy_(t)
                    t = strided
                if device.type != "cpu":
                    t = t.to(device)
        except (RuntimeError, ValueError, TypeError, OverflowError) as exc:  # sizes torch refuses
            raise CodecError(f"malformed tensor: {str(exc)[:200]}") from None
        if node.get("param") is True:
            t = torch.nn.Parameter(t, requires_grad=grad)
        elif grad:
            t.requires_grad_(True)
        if self.tensor_origin is not None and type(node.get("id")) is str:
            self.tensor_origin(t, node["id"])
        return t

    # -- fields

    def _dtype(self, name: Any) -> torch.dtype:
        dtype = DTYPES.get(name) if type(name) is str else None
        if dtype is None:
            raise CodecError(f"unknown dtype {str(name)[:40]!r}")
        return dtype

    def _device(self, text: Any, *, must_exist: bool = True) -> torch.device:
        """A device by name; tensors may only be placed on devices this machine has."""
        if type(text) is not str or len(text) > 32:
            raise CodecError("malformed device")
        try:
            device = torch.device(text)
        except RuntimeError:
            raise CodecError(f"unknown device {text!r}") from None
        if must_exist and not self.devices(device.type):
            raise CodecError(f"device {text!r} is not available here")
        return device

    def _list(self, node: dict[str, Any], key: str) -> list[Any]:
        items = node.get(key)
        if type(items) is not list:
            raise CodecError("malformed container")
        return items

    def _ints(self, value: Any) -> list[int]:
        if type(value) is not list or len(value) > 64 or \
                not all(type(v) is int and 0 <= v < 2**63 for v in value):
            raise CodecError("malformed shape")
        return value

    def _buffer(self, index: Any) -> memoryview:
        if type(index) is not int or not 0 <= index < len(self.buffers) or index in self.used:
            raise CodecError("malformed buffer reference")
        self.used.add(index)
        return self.buffers[index]


#: The closed table of tags a decoder understands; an object with any other ``"$"`` is refused.
_TAGS: dict[str, Callable[[_Decoder, dict[str, Any], int], Any]] = {
    "tuple": _Decoder.tag_tuple, "ntuple": _Decoder.tag_ntuple,
    "map": _Decoder.tag_map, "dict": _Decoder.tag_dict, "odict": _Decoder.tag_dict,
    "float": _Decoder.tag_float, "bytes": _Decoder.tag_bytes, "tensor": _Decoder.tag_tensor,
    "dtype": _Decoder.tag_dtype, "device": _Decoder.tag_device, "size": _Decoder.tag_size,
    "ellipsis": _Decoder.tag_ellipsis, "ref": _Decoder.tag_ref, "handle": _Decoder.tag_handle,
}
_ITEMSIZE = {name: torch.empty((), dtype=dtype).element_size() for name, dtype in DTYPES.items()}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN and ±inf cross as tagged ``float`` nodes


_JSON_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _device_available(kind: str) -> bool:
    if kind in ("cpu", "meta"):
        return True
    if kind == "cuda":
        return torch.cuda.is_available()
    return False


def decode(payload: bytes | bytearray | memoryview, *,
           resolve: Callable[[str], Any] | None = None,
           handle: Callable[[Handle], Any] | None = None,
           tensor_origin: Callable[[torch.Tensor, str], None] | None = None,
           devices: Callable[[str], bool] = _device_available) -> Any:
    """Decode one frame payload into plain values.

    Args:
        resolve: maps a ``ref`` id to the object this side holds under it.
        handle: turns a ``handle`` the other side sent into a local proxy.
        tensor_origin: told the sender's id of every tensor decoded.
        devices: whether a device type may be used here.

    Raises:
        CodecError: the payload is malformed, too large, or uses a tag not in the table.
    """
    view = memoryview(payload)
    if len(view) < 4:
        raise CodecError("truncated frame")
    (header_len,) = _U32.unpack_from(view)
    if header_len > len(view) - 4:
        raise CodecError("truncated frame")
    try:
        text = str(view[4:4 + header_len], "utf-8")
        header, end = _JSON_DECODER.raw_decode(text)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError included
        raise CodecError("malformed frame header") from None
    if end != len(text) or type(header) is not dict or type(header.get("n")) is not list:
        raise CodecError("malformed frame header")
    buffers, offset = [], 4 + header_len
    for length in header["n"]:
        if type(length) is not int or length < 0 or offset + length > len(view):
            raise CodecError("malformed buffer table")
        buffers.append(view[offset:offset + length])
        offset += length
    if offset != len(view):
        raise CodecError("trailing bytes in frame")
    decoder = _Decoder(buffers, resolve=resolve, handle=handle, tensor_origin=tensor_origin,
                       devices=devices)
    return decoder.value(header.get("v"), 0)
