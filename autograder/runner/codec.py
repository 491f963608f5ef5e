"""The wire format between the grader and the student's process.

Values cross as a JSON tree plus raw byte buffers. The tree uses a closed table of tags, so the
decoder only ever builds plain values; it never imports, never resolves a name it was sent and
never unpickles. What a value may be:

=============  =================================================================
JSON scalars   None, bool, int, float (NaN and ±inf allowed), str
``list``       ``{"$": "list", "v": [...]}``; likewise ``tuple``
``dict``       ``{"$": "map", "v": {str: value}}`` when every key is a string, else
               ``{"$": "dict", "v": [[key, value], ...]}``; ``odict`` for OrderedDict
``ntuple``     a namedtuple: ``typename``, ``fields`` and ``v``
``bytes``      a buffer
``tensor``     dtype (from a fixed table), shape, strides, device, requires_grad, parameter
               flag and a buffer with the elements; ``id`` names the object on the side that
               holds it, so identity questions can be asked later
``dtype``      a torch.dtype by name; ``device``: a torch.device; ``size``: a torch.Size
``ref``        an object the *receiver* already holds, by id
``handle``     an object the *sender* holds and could not send as data (a module, a class, a
               tensor subclass …): its id, exact type name and a capped repr
=============  =================================================================

Only exact types are data: a subclass of ``torch.Tensor`` or of ``float`` travels as a handle,
so an object with a custom ``__eq__`` can never reach the grader's comparisons.

A payload is ``<u32 header length><header JSON><buffers>``; `wire` frames it for the socket.
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

__all__ = ["CodecError", "Handle", "Keep", "decode", "encode", "is_data", "register_namedtuple"]

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
    return (issubclass(cls, tuple) and cls is not tuple and isinstance(getattr(cls, "_fields", None), tuple)
            and all(type(f) is str for f in cls._fields))


def _is_tensor(value: object) -> bool:
    return (type(value) is torch.Tensor or type(value) is torch.nn.Parameter) and \
        value.layout == torch.strided and value.dtype in _DTYPE_NAMES  # type: ignore[union-attr]


def is_data(value: object, _depth: int = 0) -> bool:
    """True when `value` crosses as data, with no handle anywhere inside it."""
    if _depth > _MAX_DEPTH:
        return False
    kind = type(value)
    if value is None or kind in (bool, int, float, str, bytes, torch.dtype, torch.device, torch.Size):
        return True
    if _is_tensor(value):
        return True
    if kind in (list, tuple) or _is_namedtuple(value):
        return all(is_data(item, _depth + 1) for item in value)  # type: ignore[union-attr]
    if kind in (dict, OrderedDict):
        return all(is_data(k, _depth + 1) and is_data(v, _depth + 1)
                   for k, v in value.items())  # type: ignore[union-attr]
    return False


# --------------------------------------------------------------------------- encoding


class _Encoder:
    def __init__(self, *, reference: Callable[[Any], str | None] | None,
                 keep: Callable[[Any], str] | None, tensor_id: Callable[[torch.Tensor], str | None] | None):
        self.reference = reference
        self.keep = keep
        self.tensor_id = tensor_id
        self.buffers: list[bytes] = []
        self.size = 0
        self.items = 0

    def buffer(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > MAX_FRAME:
            raise CodecError(f"value is larger than {MAX_FRAME // 2**20} MiB")
        self.buffers.append(data)
        return len(self.buffers) - 1

    def value(self, value: Any, depth: int = 0) -> Any:
        self.items += 1
        if depth > _MAX_DEPTH or self.items > _MAX_ITEMS:
            raise CodecError("value is nested too deeply or has too many items")
        kind = type(value)
        if value is None or kind is bool or kind is int or kind is str:
            return value
        if self.reference is not None:
            ref = self.reference(value)
            if ref is not None:
                return {"$": "ref", "id": ref}
        if kind is Keep:
            return self.handle(value.value)
        if kind is float:
            return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
        if kind is bytes:
            return {"$": "bytes", "b": self.buffer(value)}
        if _is_tensor(value):
            return self.tensor(value)
        if kind is torch.dtype:
            if value not in _DTYPE_NAMES:
                return self.handle(value)
            return {"$": "dtype", "v": _DTYPE_NAMES[value]}
        if kind is torch.device:
            return {"$": "device", "v": str(value)}
        if kind is torch.Size:
            return {"$": "size", "v": list(value)}
        if kind is list or kind is tuple:
            return {"$": kind.__name__, "v": [self.value(item, depth + 1) for item in value]}
        if _is_namedtuple(value):
            # The receiver's answer may hold this type again: decode it as this very class.
            register_namedtuple(kind)
            return {"$": "ntuple", "typename": kind.__name__, "fields": list(kind._fields),
                    "v": [self.value(item, depth + 1) for item in value]}
        if kind is dict and all(type(k) is str for k in value):
            return {"$": "map", "v": {k: self.value(v, depth + 1) for k, v in value.items()}}
        if kind is dict or kind is OrderedDict:
            return {"$": "odict" if kind is OrderedDict else "dict",
                    "v": [[self.value(k, depth + 1), self.value(v, depth + 1)] for k, v in value.items()]}
        return self.handle(value)

    def tensor(self, t: torch.Tensor) -> dict[str, Any]:
        node: dict[str, Any] = {
            "$": "tensor",
            "dtype": _DTYPE_NAMES[t.dtype],
            "shape": list(t.shape),
            "device": str(t.device),
            "grad": bool(t.requires_grad),
            "param": type(t) is torch.nn.Parameter,
        }
        # Keep a dense non-contiguous layout (a transpose, a permute) so checks can send one.
        if not t.is_contiguous() and _dense(t.shape, t.stride()):
            node["strides"] = list(t.stride())
        if t.device.type != "meta":
            data = t.detach().to("cpu").clone(memory_format=torch.contiguous_format)
            # A fresh contiguous clone owns exactly numel * itemsize bytes from data_ptr() on.
            size = data.numel() * data.element_size()
            node["b"] = self.buffer(ctypes.string_at(data.data_ptr(), size) if size else b"")
        if self.tensor_id is not None:
            node["id"] = self.tensor_id(t)
        return node

    def handle(self, value: Any) -> dict[str, Any]:
        if self.keep is None:
            raise CodecError(f"a {_type_name(value)} cannot be sent to the other side")
        try:
            text = repr(value)
        except Exception:  # a hostile or broken __repr__ must not break encoding
            text = f"<{_type_name(value)}>"
        return {"$": "handle", "id": self.keep(value), "type": _type_name(value),
                "repr": text[:_REPR_CAP], "callable": callable(value)}


def _type_name(value: Any) -> str:
    cls = type(value)
    module = getattr(cls, "__module__", "") or ""
    name = getattr(cls, "__qualname__", cls.__name__)
    return name if module in ("builtins", "") else f"{module}.{name}"


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
           tensor_id: Callable[[torch.Tensor], str | None] | None = None) -> bytes:
    """Encode `value` as one frame payload.

    Args:
        reference: returns the receiver's id for an object it already holds, else None.
        keep: stores an object that is not data and returns its id; without it such objects
            raise `CodecError`.
        tensor_id: returns the id under which this side keeps a tensor it sends as data.
    """
    encoder = _Encoder(reference=reference, keep=keep, tensor_id=tensor_id)
    tree = encoder.value(value)
    header = json.dumps({"v": tree, "n": [len(b) for b in encoder.buffers]},
                        separators=(",", ":")).encode()
    return b"".join([struct.pack("<I", len(header)), header, *encoder.buffers])


# --------------------------------------------------------------------------- decoding

_namedtuple_types: dict[tuple[str, tuple[str, ...]], type] = {}


def register_namedtuple(cls: type) -> None:
    """Decode namedtuples of this name and fields as `cls` (the class the sender used)."""
    _namedtuple_types[(cls.__name__, tuple(cls._fields))] = cls  # type: ignore[attr-defined]


def _namedtuple_type(typename: Any, fields: Any) -> type:
    if type(typename) is not str or type(fields) is not list or not all(type(f) is str for f in fields):
        raise CodecError("malformed namedtuple")
    key = (typename, tuple(fields))
    cls = _namedtuple_types.get(key)
    if cls is None:
        if len(_namedtuple_types) >= _MAX_NAMEDTUPLE_TYPES:
            raise CodecError("too many namedtuple types")
        try:
            # namedtuple() validates that every name is an identifier and not a keyword.
            cls = namedtuple(typename, fields)
        except ValueError as exc:
            raise CodecError(f"malformed namedtuple: {exc}") from None
        _namedtuple_types[key] = cls
    return cls


class _Decoder:
    def __init__(self, buffers: list[memoryview], *, resolve: Callable[[str], Any] | None,
                 handle: Callable[[Handle], Any] | None, tensor_origin: Callable[[torch.Tensor, str], None] | None,
                 devices: Callable[[str], bool]):
        self.buffers = buffers
        self.used: set[int] = set()
        self.resolve = resolve
        self.handle = handle
        self.tensor_origin = tensor_origin
        self.devices = devices
        self.items = 0

    def value(self, node: Any, depth: int = 0) -> Any:
        self.items += 1
        if depth > _MAX_DEPTH or self.items > _MAX_ITEMS:
            raise CodecError("value is nested too deeply or has too many items")
        if node is None or type(node) in (bool, int, float, str):
            return node
        if type(node) is not dict or type(node.get("$")) is not str:
            raise CodecError("malformed value")
        tag = node["$"]
        if tag in ("list", "tuple", "ntuple"):
            items = [self.value(item, depth + 1) for item in self._list(node, "v")]
            if tag == "list":
                return items
            if tag == "tuple":
                return tuple(items)
            cls = _namedtuple_type(node.get("typename"), node.get("fields"))
            if len(items) != len(cls._fields):  # type: ignore[attr-defined]
                raise CodecError("namedtuple has the wrong number of items")
            return cls(*items)
        if tag == "map":
            items = node.get("v")
            if type(items) is not dict:
                raise CodecError("malformed map")
            return {k: self.value(v, depth + 1) for k, v in items.items()}
        if tag in ("dict", "odict"):
            out: dict[Any, Any] = OrderedDict() if tag == "odict" else {}
            for pair in self._list(node, "v"):
                if type(pair) is not list or len(pair) != 2:
                    raise CodecError("malformed dict item")
                key = self.value(pair[0], depth + 1)
                try:
                    out[key] = self.value(pair[1], depth + 1)
                except TypeError:
                    raise CodecError("unhashable dict key") from None
            return out
        if tag == "float":
            text = node.get("v")
            if text not in ("nan", "inf", "-inf"):
                raise CodecError("malformed float")
            return float(text)
        if tag == "bytes":
            return bytes(self._buffer(node.get("b")))
        if tag == "tensor":
            return self.tensor(node)
        if tag == "dtype":
            name = node.get("v")
            if name not in DTYPES:
                raise CodecError(f"unknown dtype {name!r}")
            return DTYPES[name]
        if tag == "device":
            return self._device(node.get("v"), must_exist=False)
        if tag == "size":
            return torch.Size(self._ints(node.get("v")))
        if tag == "ref":
            if self.resolve is None or type(node.get("id")) is not str:
                raise CodecError("unexpected reference")
            return self.resolve(node["id"])
        if tag == "handle":
            if self.handle is None:
                raise CodecError("unexpected handle")
            fields = (node.get("id"), node.get("type"), node.get("repr"))
            if not all(type(f) is str for f in fields) or type(node.get("callable")) is not bool:
                raise CodecError("malformed handle")
            return self.handle(Handle(fields[0], fields[1][:_REPR_CAP], fields[2][:_REPR_CAP],
                                      node["callable"]))
        raise CodecError(f"unknown tag {tag!r}")

    def tensor(self, node: dict[str, Any]) -> torch.Tensor:
        name = node.get("dtype")
        if name not in DTYPES:
            raise CodecError(f"unknown dtype {name!r}")
        dtype = DTYPES[name]
        shape = self._ints(node.get("shape"))
        device = self._device(node.get("device"))
        numel = math.prod(shape)
        if numel > MAX_FRAME:
            raise CodecError("tensor is too large")
        if device.type == "meta":
            t = torch.empty(shape, dtype=dtype, device="meta")
        else:
            data = self._buffer(node.get("b"))
            itemsize = torch.empty((), dtype=dtype).element_size()
            if len(data) != numel * itemsize:
                raise CodecError("tensor data does not match its shape")
            flat = torch.frombuffer(bytearray(data), dtype=dtype) if numel else torch.empty(0, dtype=dtype)
            t = flat.reshape(shape)
            strides = node.get("strides")
            if strides is not None:
                strides = self._ints(strides)
                if len(strides) != len(shape) or not _dense(shape, strides):
                    raise CodecError("malformed strides")
                strided = torch.empty_strided(shape, strides, dtype=dtype)
                strided.copy_(t)
                t = strided
            if device.type != "cpu":
                t = t.to(device)
        grad = node.get("grad", False)
        if type(grad) is not bool or (grad and not (dtype.is_floating_point or dtype.is_complex)):
            raise CodecError("malformed requires_grad")
        if node.get("param") is True:
            t = torch.nn.Parameter(t, requires_grad=grad)
        elif grad:
            t.requires_grad_(True)
        if self.tensor_origin is not None and type(node.get("id")) is str:
            self.tensor_origin(t, node["id"])
        return t

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
        if type(value) is not list or len(value) > 64 or not all(type(v) is int and v >= 0 for v in value):
            raise CodecError("malformed shape")
        return value

    def _buffer(self, index: Any) -> memoryview:
        if type(index) is not int or not 0 <= index < len(self.buffers) or index in self.used:
            raise CodecError("malformed buffer reference")
        self.used.add(index)
        return self.buffers[index]


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
    (header_len,) = struct.unpack_from("<I", view)
    if header_len > len(view) - 4:
        raise CodecError("truncated frame")
    try:
        header = json.loads(bytes(view[4:4 + header_len]))
    except (ValueError, RecursionError):
        raise CodecError("malformed frame header") from None
    if type(header) is not dict or type(header.get("n")) is not list:
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
    return decoder.value(header.get("v"))
