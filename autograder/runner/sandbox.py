"""The sandbox runner: student code in a confined child process, judged by the grader.

The grader's process holds the checks and the reference solutions and decides every outcome.
Student code runs only in a child process, one per exercise, forked from a warm zygote that has
already imported torch (see `_zygote`) and confined on the way (see `_jail`). Requests and
answers cross a socket through the codec; the grader never unpickles anything the child wrote.

When a child dies (``os._exit``, a signal, a resource limit) or overruns its time, the call that
was running fails, and the next check starts a fresh child. A module that crashed or hung while
importing is not imported again in that submission.

Where fork-with-confinement is unavailable (macOS, Windows), `SpawnFactory` starts each child as
a fresh interpreter connected over loopback: slower, with time limits and resource limits only.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from autograder.outcomes import (
    CheckFailed,
    MissingModule,
    RaisedInfo,
    StudentCrashed,
    StudentFailure,
    StudentTimeout,
    failure_for,
)
from autograder.result import SandboxReport
from autograder.runner import codec, wire
from autograder.runner.base import Runner
from autograder.runner.factory import ChildFactory, ChildProcess, default_factory
from autograder.runner.policy import Policy, default_policy
from autograder.runner.proxy import Remote, describe_call

__all__ = ["SandboxRunner"]

#: Characters of printed output kept per check.
OUTPUT_CAP = 2000

class _Origins:
    """Which object in the current child a grader-side tensor stands for.

    A tensor that came from the child, or was sent to it, is sent back as a reference while it
    is unchanged (same version counter), so identity questions (does this result share memory
    with that input?) are asked about the very objects the student's code saw.
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref[torch.Tensor], str, int, int]] = {}
        self.released: list[str] = []
        self.generation = 0
        self._uploads = 0

    def reset(self) -> None:
        self._entries.clear()
        self.released.clear()
        self.generation += 1

    def record(self, tensor: torch.Tensor, key: str) -> None:
        generation = self.generation

        def forget(_: object, *, _id: int = id(tensor), _key: str = key) -> None:
            entry = self._entries.get(_id)
            if entry is not None and entry[1] == _key:
                del self._entries[_id]
            if generation == self.generation:
                self.released.append(_key)

        self._entries[id(tensor)] = (weakref.ref(tensor, forget), key, tensor._version, generation)

    def key_of(self, tensor: torch.Tensor) -> str | None:
        entry = self._entries.get(id(tensor))
        if entry is None or entry[0]() is not tensor or entry[3] != self.generation:
            return None
        return entry[1] if entry[2] == tensor._version else None

    def upload_key(self, tensor: torch.Tensor) -> str:
        self._uploads += 1
        key = f"p{self._uploads}"
        self.record(tensor, key)
        return key


class SandboxRunner(Runner):
    """Runs each exercise of a submission in its own confined child process."""

    def __init__(self, policy: Policy | None = None, *, factory: ChildFactory | None = None) -> None:
        super().__init__()
        self.policy = policy or default_policy()
        self._factory = factory if factory is not None else default_factory(self.policy.preload)
        self._child: ChildProcess | None = None
        self._staged: Path | None = None
        self._exercise = ""
        self._origins = _Origins()
        self._broken_imports: dict[str, StudentFailure] = {}
        self._modules: dict[str, Remote] = {}
        #: module attributes that are objects (functions, classes), looked up once per check
        self._attributes: dict[tuple[str, str], Remote] = {}
        self._seed: int | None = None
        self._deadline = 0.0
        self._time_limit = 0.0
        self._output: list[str] = []
        self._hello: dict[str, Any] = {}

    # -- life cycle
    def warm_up(self) -> dict[str, Any]:
        """Block until the zygote is ready (it starts warming up at construction)."""
        ready = getattr(self._factory, "ready", None)
        return ready() if ready else {}

    def load(self, submission: Path) -> None:
        self.unload()
        self._staged = submission.resolve()
        self._broken_imports.clear()
        self._factory.prepare(self._staged, self._child_policy())

    def _child_policy(self) -> Policy:
        assert self._staged is not None
        return replace(self.policy, hide=tuple(dict.fromkeys((*self.policy.hide, str(self._staged.parent)))))

    def unload(self) -> None:
        self._stop_child()
        if self._staged is not None:
            self._factory.discard()
        self._staged = None
        self._exercise = ""

    def close(self) -> None:
        self.unload()
        self._factory.close()

    @property
    def report(self) -> SandboxReport:
        hello = self._hello
        return SandboxReport(mode=self._factory.mode, applied=tuple(hello.get("applied", ())),
                             unavailable=tuple(hello.get("unavailable", ())))

    def begin_check(self, *, exercise: str, seed: int, time_limit: float) -> None:
        if exercise != self._exercise:
            # Each exercise gets a fresh process: one cannot disturb another.
            self._stop_child()
            self._exercise = exercise
        self._seed = seed
        self._time_limit = time_limit
        self._deadline = time.monotonic() + time_limit
        self._output.clear()
        self._attributes.clear()

    def end_check(self) -> str:
        text = "".join(self._output)
        self._output.clear()
        return text if len(text) <= OUTPUT_CAP else text[:OUTPUT_CAP] + "\n… (output cut)"

    def _stop_child(self) -> None:
        if self._child is not None:
            self._child.kill()  # the zygote reaps it in its own time
            self._child = None
        self._origins.reset()
        self._modules.clear()
        self._attributes.clear()

    def _ensure_child(self) -> ChildProcess:
        if self._child is None or not self._child.alive:
            if self._staged is None:
                raise RuntimeError("no submission is loaded")
            self._child = self._factory.start(self._staged, self._child_policy())
            self._hello = self._child.hello
            self._origins.reset()
            self._modules.clear()
        return self._child

    # -- one request
    def _request(self, message: dict[str, Any], call: str) -> Any:
        waited = time.monotonic()
        child = self._ensure_child()
        # Waiting for a process to start (the zygote's first warm-up, say) is not the check's time.
        self._deadline += time.monotonic() - waited
        generation = self._origins.generation
        if self._seed is not None:
            message["seed"] = self._seed
            self._seed = None
        if not self.environment.is_default:
            message["env"] = self.environment.to_dict()
        if self._origins.released:
            message["release"], self._origins.released = self._origins.released, []
        try:
            payload = codec.encode(message, reference=self._reference,
                                   tensor_id=self._origins.upload_key)
        except codec.CodecError as exc:
            raise TypeError(f"cannot send to the student's code: {exc}") from None
        remaining = self._deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise TimeoutError
            raw = child.exchange(payload, remaining)
        except TimeoutError:
            self._stop_child()
            raise StudentTimeout(
                f"{call} did not finish within the check's {self._time_limit:g} s",
                hint="look for a loop that never ends, or work repeated far too often") from None
        except (EOFError, ConnectionError, OSError, wire.FrameError):
            self._child = None
            how = child.ended()
            self._origins.reset()
            self._modules.clear()
            raise StudentCrashed(f"the submission's process {how} during {call}",
                                 hint=_CRASH_HINT) from None
        except codec.CodecError as exc:
            self._stop_child()
            raise StudentCrashed(f"the submission's process sent an invalid answer during {call} ({exc})") from None
        try:
            reply = codec.decode(raw, handle=lambda h: self._handle(h, generation, call),
                                 tensor_origin=self._origins.record)
        except codec.CodecError as exc:
            self._stop_child()
            raise StudentCrashed(f"the submission's process sent an invalid answer during {call} ({exc})") from None
        if type(reply) is not dict:
            self._stop_child()
            raise StudentCrashed(f"the submission's process sent an invalid answer during {call}")
        output = reply.get("output")
        if type(output) is str and output:
            self._output.append(output)
        forbidden = reply.get("forbidden") or []
        if forbidden:
            raise CheckFailed(f"{call} uses {', '.join(map(str, forbidden))}, which this exercise "
                              "does not allow")
        if "ok" in reply:
            for key, value in reply.get("mutated") or ():
                self._mirror(message, key, value)
            return reply["ok"]
        if "raised" in reply:
            raise failure_for(call, RaisedInfo.from_dict(reply["raised"] if type(reply["raised"]) is dict else {}))
        if "missing" in reply:
            name = str(reply["missing"])
            raise MissingModule(f"{name}.py is missing from the submission",
                                hint=f"add {name}.py next to your other exercise files")
        if "invalid" in reply:
            raise TypeError(f"the check made an invalid request: {reply['invalid']}")
        self._stop_child()
        raise StudentCrashed(f"the submission's process sent an invalid answer during {call}")

    def _reference(self, value: Any) -> str | None:
        if isinstance(value, Remote):
            if value._runner is not self or value._generation != self._origins.generation:
                raise StudentFailure(
                    f"{value._label} belonged to a student process that has ended",
                    hint="an earlier call crashed or timed out")
            return value._key
        if isinstance(value, torch.Tensor):
            return self._origins.key_of(value)
        return None

    def _handle(self, handle: codec.Handle, generation: int, call: str) -> Remote:
        return Remote(self, handle.id, type_name=handle.type_name, text=handle.repr,
                      is_callable=handle.callable, label=call, generation=generation)

    def _mirror(self, message: dict[str, Any], key: Any, value: Any) -> None:
        """Copy an argument the student's code changed in place back onto the check's object."""
        if type(key) is int and 0 <= key < len(message.get("args", ())):
            original = message["args"][key]
        elif type(key) is str and key in message.get("kwargs", {}):
            original = message["kwargs"][key]
        else:
            return
        _mirror(original, value)

    # -- Runner operations
    def import_module(self, name: str, *, library: bool = False) -> Any:
        if not library and name in self._broken_imports:
            raise self._broken_imports[name]
        self._ensure_child()
        cached = self._modules.get(name)
        if cached is not None:
            return cached
        try:
            module = self._request({"op": "import", "module": name, "library": library},
                                   f"importing {name}.py")
        except (StudentTimeout, StudentCrashed) as failure:
            # Do not run a module again that killed or hung its process on import.
            self._broken_imports[name] = failure
            raise
        if isinstance(module, Remote):
            object.__setattr__(module, "_label", name)
            self._modules[name] = module
        return module

    def getattr(self, target: Remote, name: str) -> Any:
        label = f"{target._label}.{name}"
        module_attribute = self._modules.get(target._label) is target
        cached = self._attributes.get((target._key, name)) if module_attribute else None
        if cached is not None and cached._generation == self._origins.generation:
            return cached
        value = self._request({"op": "getattr", "target": target, "name": name}, label)
        if isinstance(value, Remote):
            object.__setattr__(value, "_label", label)
            if module_attribute:
                self._attributes[(target._key, name)] = value
        return value

    def setattr(self, target: Remote, name: str, value: Any) -> None:
        self._request({"op": "setattr", "target": target, "name": name, "value": value},
                      f"setting {target._label}.{name}")

    def call(self, target: Remote, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        label = describe_call(target._label, args, kwargs)
        value = self._request({"op": "call", "target": target, "args": list(args), "kwargs": dict(kwargs)},
                              label)
        if isinstance(value, Remote):
            object.__setattr__(value, "_label", f"{target._label}(…)")
        return value

    def probe(self, name: str, *args: Any) -> Any:
        return self._request({"op": "probe", "name": name, "args": list(args)}, f"checking {name}")


_CRASH_HINT = ("the process ends on os._exit(), a crash in native code, or a resource limit "
               "(memory, CPU time, file size, processes)")


def _mirror(original: Any, value: Any) -> None:
    if isinstance(original, torch.Tensor) and isinstance(value, torch.Tensor):
        with torch.no_grad():
            if original.shape == value.shape and original.dtype == value.dtype:
                original.copy_(value.to(original.device))
            else:
                original.data = value
    elif isinstance(original, list) and isinstance(value, list):
        original[:] = value
    elif isinstance(original, dict) and isinstance(value, dict):
        original.clear()
        original.update(value)
    elif isinstance(original, tuple) and isinstance(value, tuple) and len(original) == len(value):
        for old, new in zip(original, value, strict=True):
            _mirror(old, new)
