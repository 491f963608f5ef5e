"""The student's side: a loop that runs requests on the submission and answers with data.

This module runs in the untrusted process (forked from the zygote, or spawned). It imports
nothing from the grader's side of the kit: no pytest, no checks, no references. It holds every
object the grader has a handle to, in a table of ids; values go back through the codec only.

Requests (each a dict; every request may also carry ``seed``, ``env`` and ``release``):

    {"op": "files", "files": [[relative path, bytes], ...]}   the submission, written into the
                                   working directory; a child's first request, and only once
    {"op": "import", "module": name, "library": bool}
    {"op": "getattr", "target": obj, "name": str}
    {"op": "setattr", "target": obj, "name": str, "value": v}
    {"op": "call", "target": obj, "args": [...], "kwargs": {...}}
    {"op": "callattr", "target": obj, "name": str, "args": [...], "kwargs": {...}}   obj.name(...)
    {"op": "probe", "name": str, "args": [...]}
    {"op": "hold", "value": v}     keep a copy of v here and answer with a handle to it
    {"op": "fetch", "target": obj} answer with the object's current value
    {"op": "take", "target": obj, "count": n}   the first n items obj yields, as a list

Arguments arrive as copies: nothing the student's code does to them can reach the grader's
objects. Responses:

    {"ok": value, "output": str, "forbidden": [...]}
    {"raised": {type, mro, message, where, line}, "output": str, "forbidden": [...]}
    {"missing": module name}
    {"unsendable": message}        the student's value cannot be sent back (too big, too deep)
    {"invalid": message}           the request itself was wrong (a check-author or kit bug)

Every answer repeats the request's ``n``, so a stray frame is never taken for an answer.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import itertools
import linecache
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import torch

from autograder.runner import codec, environment, probes, wire
from autograder.runner.policy import Policy, within

__all__ = ["LIBRARIES", "TAKE_MAX", "Responder", "describe_exception", "serve"]

#: Libraries a check may reach in the student's process (to build objects there).
LIBRARIES = frozenset({"torch", "torchvision"})
#: Most items one `take` request reads from a student's iterable.
TAKE_MAX = 1000
_MESSAGE_CAP = 500
_PLAIN = environment.Environment()
_DEFAULTS = Policy()


class CappedWriter(io.TextIOBase):
    """A text stream that keeps the first `cap` characters and counts the rest."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if type(text) is not str:
            text = str(text)
        room = self.cap - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def take(self) -> str:
        text = "".join(self.parts)
        if self.dropped:
            text += f"\n… {self.dropped} more characters not shown"
        self.parts, self.kept, self.dropped = [], 0, 0
        return text


def describe_exception(exc: BaseException, workdir: str) -> dict[str, Any]:
    """Plain facts about an exception raised by student code, safe to show the student."""
    cls = type(exc)
    try:
        message = str(exc)
    except Exception:  # a hostile __str__
        message = ""
    where, line = "", ""
    if isinstance(exc, SyntaxError) and exc.filename:
        where = f"{_relative(exc.filename, workdir)}:{exc.lineno}"
        line = (exc.text or "").strip()
        message = exc.msg or message
    else:
        # The innermost frame in the student's files; only its line is read from disk.
        found, tb = None, exc.__traceback__
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if within(os.path.abspath(filename), workdir):
                found = (filename, tb.tb_lineno)
            tb = tb.tb_next
        if found is not None:
            where = f"{_relative(found[0], workdir)}:{found[1]}"
            line = linecache.getline(*found).strip()
    return {
        "type": codec.type_name(cls),
        "mro": [c.__name__ for c in cls.__mro__ if c.__module__ == "builtins"],
        "message": message[:_MESSAGE_CAP],
        "where": where[:200],
        "line": line[:200],
    }


def _relative(filename: str, workdir: str) -> str:
    inside = within(os.path.abspath(filename), workdir)
    return os.path.relpath(filename, workdir) if inside else os.path.basename(filename)


class Responder:
    """The object table and request handlers of one student process."""

    def __init__(self, workdir: str, policy: Policy = _DEFAULTS) -> None:
        self.workdir = workdir
        self.limit = policy.message_bytes
        self.objects: dict[str, Any] = {}
        self.counter = 0
        self.output = CappedWriter(policy.output_chars)
        #: the number of the request being answered
        self.number: Any = None
        self.delivered = False

    # -- object table
    def keep(self, value: Any) -> str:
        self.counter += 1
        key = f"c{self.counter}"
        self.objects[key] = value
        return key

    def resolve(self, key: str) -> Any:
        try:
            return self.objects[key]
        except KeyError:
            raise codec.CodecError(f"no object {key!r} in the student's process") from None

    def store_upload(self, tensor: torch.Tensor, key: str) -> None:
        self.objects[key] = tensor

    def describe(self, exc: BaseException) -> dict[str, Any]:
        try:
            return describe_exception(exc, self.workdir)
        except Exception:  # an exception built to break its own description
            return {"type": "Exception", "mro": ["Exception", "BaseException"], "message": "", "where": "",
                    "line": ""}

    def encode(self, value: dict[str, Any]) -> bytes:
        return codec.encode({**value, "n": self.number}, keep=self.keep, tensor_id=self.keep, limit=self.limit)

    # -- requests
    def handle(self, payload: bytes | bytearray) -> bytes:
        self.number = None
        try:
            request = codec.decode(payload, resolve=self.resolve, tensor_origin=self.store_upload)
            self.number = request.get("n") if type(request) is dict else None
            if type(request) is not dict or type(request.get("op")) is not str:
                raise codec.CodecError("malformed request")
            for key in request.get("release") or ():
                self.objects.pop(key, None)
            env = environment.Environment.from_dict(request["env"]) if "env" in request else _PLAIN
        except (codec.CodecError, ValueError) as exc:
            return self.encode({"invalid": str(exc)})
        seed = request.get("seed")
        if type(seed) is int and 0 <= seed < 2**63:
            environment.seed(seed)
        op = request["op"]
        if op == "files":
            return self.run_files(request.get("files"))
        if op == "import":
            return self.run_import(request.get("module"), library=request.get("library") is True)
        handler = _OPERATIONS.get(op)
        if handler is None:
            return self.encode({"invalid": f"unknown operation {op!r}"})
        return self.run(lambda: handler(self, request), request, env)

    def run(self, action: Callable[[], Any], request: dict[str, Any], env: environment.Environment) -> bytes:
        with contextlib.ExitStack() as controls:
            try:
                forbidden = controls.enter_context(environment.applied(env))
            except ValueError as exc:  # before any student code: the check asked for the impossible
                return self.encode({"invalid": str(exc)})
            try:
                value = action()
            except probes.ProbeError as exc:
                return self.encode({"invalid": str(exc)})
            except BaseException as exc:  # student code may raise anything, SystemExit included
                return self.encode({"raised": self.describe(exc), "output": self.output.take(),
                                    "forbidden": forbidden})
        response = {"ok": value, "output": self.output.take(), "forbidden": forbidden}
        try:
            return self.encode(response)
        except codec.CodecError as exc:
            if request["op"] == "probe":  # the kit's own probe, not the student's value
                return self.encode({"invalid": f"the answer of probe {request.get('name')!r} cannot be sent: {exc}"})
            return self.encode({"unsendable": str(exc), "output": response["output"]})

    def run_import(self, name: Any, *, library: bool = False) -> bytes:
        if type(name) is not str or not name.isidentifier():
            return self.encode({"invalid": f"not a module name: {name!r}"})
        module = sys.modules.get(name)
        if library:
            # Only libraries loaded before the submission was (torch, and torchvision if preloaded).
            if module is None or name not in LIBRARIES:
                return self.encode({"invalid": f"{name} is not a library the checks may use"})
            return self.encode({"ok": module, "output": "", "forbidden": []})
        path = Path(self.workdir, f"{name}.py")
        if module is None or not within(os.path.abspath(getattr(module, "__file__", None) or "/"), self.workdir):
            if not path.is_file():
                return self.encode({"missing": name})
            try:
                spec = importlib.util.spec_from_file_location(name, path)
                assert spec is not None and spec.loader is not None
                module = importlib.util.module_from_spec(spec)
                sys.modules[name] = module
                spec.loader.exec_module(module)
            except BaseException as exc:
                sys.modules.pop(name, None)
                return self.encode({"raised": self.describe(exc), "output": self.output.take(), "forbidden": []})
        return self.encode({"ok": module, "output": self.output.take(), "forbidden": []})


    def run_files(self, files: Any) -> bytes:
        if self.delivered or self.counter:
            return self.encode({"invalid": "the submission's files were already delivered"})
        if type(files) is not list or not all(type(f) is list and len(f) == 2 and type(f[0]) is str
                                              and type(f[1]) is bytes for f in files):
            return self.encode({"invalid": "malformed files"})
        self.delivered = True
        root = Path(self.workdir)
        try:
            for name, data in files:
                parts = PurePosixPath(name).parts
                if not parts or PurePosixPath(name).is_absolute() or ".." in parts:
                    return self.encode({"invalid": f"unsafe path {name!r}"})
                target = root.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with open(target, "xb") as stream:
                    stream.write(data)
        except OSError as exc:
            return self.encode({"invalid": f"cannot write the submission's files: {exc}"})
        return self.encode({"ok": len(files), "output": "", "forbidden": []})


def _getattr(responder: Responder, request: dict[str, Any]) -> Any:
    return getattr(request["target"], _name(request.get("name")))


def _setattr(responder: Responder, request: dict[str, Any]) -> Any:
    setattr(request["target"], _name(request.get("name")), request.get("value"))


def _call(responder: Responder, request: dict[str, Any]) -> Any:
    args, kwargs = request.get("args") or [], request.get("kwargs") or {}
    if type(args) is not list or type(kwargs) is not dict:
        raise probes.ProbeError("malformed call")
    return request["target"](*args, **kwargs)


def _callattr(responder: Responder, request: dict[str, Any]) -> Any:
    return _call(responder, {**request, "target": getattr(request["target"], _name(request.get("name")))})


def _probe(responder: Responder, request: dict[str, Any]) -> Any:
    fn = probes.PROBES.get(request.get("name"))  # type: ignore[arg-type]
    if fn is None:
        raise probes.ProbeError(f"unknown probe {request.get('name')!r}")
    return fn(*(request.get("args") or ()))


def _hold(responder: Responder, request: dict[str, Any]) -> Any:
    return codec.Keep(request.get("value"))


def _fetch(responder: Responder, request: dict[str, Any]) -> Any:
    return request["target"]


def _take(responder: Responder, request: dict[str, Any]) -> Any:
    count = request.get("count")  # not "n": every request's "n" is its number
    if type(count) is not int or not 0 <= count <= TAKE_MAX:
        raise probes.ProbeError(f"take needs a number of items from 0 to {TAKE_MAX}, got {count!r}")
    return list(itertools.islice(iter(request["target"]), count))


def _name(value: Any) -> str:
    if type(value) is not str or not value.isidentifier():
        raise probes.ProbeError(f"not an attribute name: {value!r}")
    return value


_OPERATIONS: dict[str, Callable[[Responder, dict[str, Any]], Any]] = {
    "getattr": _getattr, "setattr": _setattr, "call": _call, "callattr": _callattr, "probe": _probe, "hold": _hold,
    "fetch": _fetch, "take": _take,
}


class _Ref:
    """A grader-side name for an object of the rehearsal's responder."""

    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key


def rehearse() -> None:
    """Answer a round of typical requests in a throw-away responder.

    The zygote does this once before its first fork: the bytecode of the kit's side of a call
    is then specialised and torch's lazy one-time set-up done, and every child inherits both
    instead of paying for them while a check waits. (Rehearsing again in each spare child, to
    take its copy-on-write faults early, measured slower on two cores: it competes with the
    grading.) Runs on one thread and never touches CUDA, neither of which survives a fork.
    """
    responder = Responder(os.devnull)
    net = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    stack = torch.nn.ModuleList([torch.nn.Linear(2, 2)])
    weights = torch.nn.ParameterList([torch.nn.Parameter(torch.randn(2, 2))])
    net_ref, stack_ref, weights_ref = (_Ref(responder.keep(obj)) for obj in (net, stack, weights))
    torch_ref = _Ref(responder.keep(torch))
    image = torch.randn(1, 1, 6, 6)
    x = torch.randn(3, 8)

    def send(request: dict[str, Any]) -> Any:
        payload = codec.encode({**request, "n": 1}, reference=lambda v: v.key if type(v) is _Ref else None)
        reply = codec.decode(responder.handle(payload), handle=lambda h: _Ref(h.id))
        return reply.get("ok", reply)

    def call(target: _Ref, name: str, *args: Any, **kwargs: Any) -> Any:
        return send({"op": "callattr", "target": target, "name": name, "args": list(args), "kwargs": kwargs})

    send({"op": "call", "target": net_ref, "args": [x], "kwargs": {}, "seed": 1})
    state = call(net_ref, "state_dict")
    call(net_ref, "load_state_dict", state)
    send({"op": "getattr", "target": net_ref, "name": "training"})
    send({"op": "probe", "name": "named_parameters", "args": [net_ref]})
    send({"op": "probe", "name": "forward_trace", "args": [net_ref, (x,), {}]})
    send({"op": "probe", "name": "gradients", "args": [net_ref, (x.requires_grad_(True),), {}, None]})
    doubled = call(net_ref, "double")
    send({"op": "call", "target": doubled, "args": [x.detach().double()], "kwargs": {}})
    call(stack_ref, "__getitem__", 0)
    call(weights_ref, "__len__")
    functional = send({"op": "getattr", "target": send({"op": "getattr", "target": torch_ref, "name": "nn"}),
                       "name": "functional"})
    call(functional, "conv2d", image, torch.randn(1, 1, 3, 3), padding=1)
    call(functional, "conv1d", image.view(1, 1, 36), torch.randn(1, 1, 3), stride=2)
    call(functional, "max_pool2d", image, 2)
    call(functional, "relu", image.transpose(2, 3))
    view = call(torch_ref, "reshape", image, (36,))
    held = send({"op": "hold", "value": view})
    send({"op": "probe", "name": "shares_memory", "args": [held, held]})
    send({"op": "fetch", "target": held})
    call(torch_ref, "zeros", 2, 3, dtype=torch.float64, device=torch.device("meta"))
    call(net_ref, "to", torch.device("meta"))
    call(torch_ref, "tensor", [[1.5, float("nan")], [2, 3]])
    env = {"cuda_available": False, "cuda_device_count": 0, "forbidden": ["torch.Tensor.item"]}
    send({"op": "callattr", "target": torch_ref, "name": "isclose", "args": [x, x], "kwargs": {}, "env": env})
    call(torch_ref, "no_such_function")  # a failure, described the way student failures are
    send({"op": "getattr", "target": net_ref, "name": "no_such_attribute", "release": [net_ref.key]})
    responder.output.take()


def serve(sock: socket.socket, workdir: str, policy: Policy, *, applied: list[str], unavailable: list[str]) -> None:
    """Greet the grader (how this process is confined), then answer requests on `sock` until
    the grader closes it."""
    wire.write_frame(sock, codec.encode({"hello": {
        "applied": applied, "unavailable": unavailable, "workdir": workdir, "pid": os.getpid()}}))
    responder = Responder(workdir, policy)
    sys.stdout = sys.stderr = responder.output
    sys.__stdout__ = sys.__stderr__ = responder.output  # type: ignore[misc,assignment]
    while True:
        try:
            payload = wire.read_frame(sock, limit=policy.message_bytes)
        except (EOFError, OSError, wire.FrameError):
            return
        reply = responder.handle(payload)
        try:
            wire.write_frame(sock, reply, limit=policy.message_bytes)
        except (OSError, wire.FrameError):
            return
