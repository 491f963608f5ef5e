"""The runner: the grader's side of the child protocol (see `_child`), the one way checks reach
student code.

The grader's process holds the checks and the reference solutions and decides every outcome;
student code runs in a *child*, one per submission, started by the runner's `ChildFactory`: a
confined process forked from a warm zygote (`factory.ZygoteFactory`), a fresh interpreter
(`factory.SpawnFactory`), or the grader's own process for debugging (`inprocess.InProcessFactory`).
Like an HTTP client over swappable transports, the runner never knows which: requests and
answers go through the codec, so checks behave the same whatever the child. `make_runner`
(in `autograder.runner`) builds the two standard configurations.

Values cross by copy in both directions: student code can never change the grader's objects,
and the grader never holds a student object except as a `Remote` handle. Identity questions
(does this result share memory with that argument?) are asked in the child about the copies the
student's code actually received, which the runner tracks per tensor.

When a child dies (``os._exit``, a signal, a resource limit) or overruns its time, the call that
was running fails and the next check starts a fresh child. A module that crashed or hung while
importing is not imported again in that submission, and neither is a function that hung: once a
call has run past its check's time (for at least half of it), later calls of the same function
fail at once as time-outs, so a submission pays for each hang once. "The same function" is what
the call runs, named as it is in every child and for every instance: `padding.conv_output_size`,
`mlp.MLP` (its constructor), `mlp.MLP.forward` (a method, looked up on any instance),
`mlp.MLP.__call__` (an instance called; an nn.Module's forward), and for other objects a call
made, the call: `param_list.make(…)` (a closure or an nn.Sequential it returned, called). A
request the child refuses as invalid, or one too large to send, is the check's fault
(`CourseFault`), never the student's.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch

from autograder.outcomes import (
    CheckFailed,
    CourseFault,
    MissingModule,
    RaisedInfo,
    StudentCrashed,
    StudentFailure,
    StudentTimeout,
    failure_for,
)
from autograder.result import SandboxReport
from autograder.runner import codec, wire
from autograder.runner.environment import Environment
from autograder.runner.factory import Child, ChildFactory, CpuTimeExceeded
from autograder.runner.policy import Policy
from autograder.runner.proxy import Remote, describe_call

__all__ = ["Runner"]

#: Probes that call their first argument (see `probes`).
_CALLING_PROBES = frozenset({"forward_trace", "output_shapes", "gradients", "records_graph"})

_CRASH_HINT = ("the process ends on os._exit(), a crash in native code, or a resource limit "
               "(memory, CPU time, file size, processes)")
_TIMEOUT_HINT = "look for a loop that never ends, or work repeated far too often"
_NOT_AGAIN_HINT = f"a function that timed out is not called again in the same submission; {_TIMEOUT_HINT}"


class _Copies:
    """For each grader-side tensor, the student-side copy it stands for in the current child.

    A tensor sent as an argument, or one that came back as a result, names an object in the
    child. Probes ask about those objects by reference; calls always send fresh copies.
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref[torch.Tensor], str]] = {}
        #: ids the child may forget (their grader-side tensor is gone), sent with the next request
        self.released: list[str] = []
        self.generation = 0
        self._uploads = 0

    def reset(self) -> None:
        self._entries.clear()
        self.released.clear()
        self.generation += 1

    def record(self, tensor: torch.Tensor, key: str) -> None:
        generation = self.generation
        previous = self._entries.get(id(tensor))
        if previous is not None and previous[0]() is tensor:
            self.released.append(previous[1])

        def forget(_: object, *, _id: int = id(tensor), _key: str = key) -> None:
            entry = self._entries.get(_id)
            if entry is not None and entry[1] == _key:
                del self._entries[_id]
            if generation == self.generation:
                self.released.append(_key)

        self._entries[id(tensor)] = (weakref.ref(tensor, forget), key)

    def key_of(self, tensor: torch.Tensor) -> str | None:
        entry = self._entries.get(id(tensor))
        return entry[1] if entry is not None and entry[0]() is tensor else None

    def upload_key(self, tensor: torch.Tensor) -> str:
        self._uploads += 1
        key = f"p{self._uploads}"
        self.record(tensor, key)
        return key


class Runner:
    """Runs one submission at a time in a child (replaced by a fresh one after a crash or a
    timeout); reusable for many (`load` … `unload`)."""

    def __init__(self, factory: ChildFactory, policy: Policy) -> None:
        """
        Args:
            factory: starts the children (and so decides how they are isolated).
            policy: the limits every child gets.
        """
        self._environment = Environment()
        # Staged copies live in the temporary directory: children must not see other submissions.
        self.policy = Policy.from_dict({**policy.to_dict(),
                                        "hide": tuple(dict.fromkeys((*policy.hide, tempfile.gettempdir())))})
        self._factory = factory
        factory.prepare(self.policy)
        self._child: Child | None = None
        self._staged: Path | None = None
        self._copies = _Copies()
        self._broken_imports: dict[str, StudentFailure] = {}
        #: the names of the submission's modules imported so far (any child)
        self._submission_modules: set[str] = set()
        #: what each function that hung in this submission did: its name (see the module
        #: docstring) → (the check it hung in, the call that hung)
        self._hung: dict[str, tuple[str, str]] = {}
        #: stop calling a function of a submission once it has hung there (False: call it every
        #: time, each call waiting out its check's time limit, as benchmarks/hangs.py compares)
        self.remember_timeouts = True
        #: seconds this submission waited for its processes to start (see `waited`)
        self._waited = 0.0
        self._check = ""
        self._modules: dict[str, Remote] = {}
        #: (module handle, name) of module attributes seen to be callable in this child: calling
        #: them again needs no separate lookup (the child looks the name up at call time)
        self._callables: set[tuple[str, str]] = set()
        self._seed: int | None = None
        self._deadline = 0.0
        self._time_limit = 0.0
        self._output: list[str] = []
        self._hello: dict[str, Any] = {}
        self._requests = 0
        #: this thread's CPUs before it was put beside the child (see `_colocate`)
        self._own_cpus: set[int] | None = None

    # -- life cycle
    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def warm_up(self) -> dict[str, Any]:
        """Block until the factory can start children (a zygote imports torch first)."""
        ready = getattr(self._factory, "ready", None)
        return ready() if ready else {}

    def load(self, submission: Path) -> None:
        """Prepare to run the submission staged in `submission` (a private copy)."""
        self.unload()
        self._staged = submission.resolve()
        self._broken_imports.clear()
        self._submission_modules.clear()
        self._hung.clear()
        self._waited = 0.0

    def unload(self) -> None:
        """Stop everything that runs code of the current submission."""
        self._stop_child()
        if self._own_cpus is not None:
            with contextlib.suppress(OSError):
                os.sched_setaffinity(0, self._own_cpus)
            self._own_cpus = None
        self._staged = None
        self._hung.clear()

    def close(self) -> None:
        """Release everything (processes, temporary files)."""
        self.unload()
        self._factory.close()

    @property
    def report(self) -> SandboxReport:
        """How the current submission is isolated."""
        hello = self._hello
        return SandboxReport(mode=self._factory.mode, applied=tuple(hello.get("applied", ())),
                             unavailable=tuple(hello.get("unavailable", ())))

    @property
    def waited(self) -> float:
        """Seconds the loaded submission has waited for its processes to start (the zygote's
        first warm-up, a fresh child after a crash): not its own time, neither for a check's
        time limit nor for the submission's budget."""
        return self._waited

    def begin_check(self, *, seed: int, time_limit: float, name: str = "") -> None:
        """A check starts: reseed the student's random generators and start its clock.
        `name` is how messages name the check."""
        self._seed = seed
        self._check = name
        self._time_limit = time_limit
        self._deadline = time.monotonic() + time_limit
        self._output.clear()

    def end_check(self) -> str:
        """The check is over: return what the student's code printed during it (capped)."""
        text = "".join(self._output)
        self._output.clear()
        cap = self.policy.output_chars
        return text if len(text) <= cap else text[:cap] + "\n… (output cut)"

    def _forget_child(self) -> None:
        self._child = None
        self._copies.reset()
        self._modules.clear()
        self._callables.clear()

    def _stop_child(self) -> None:
        if self._child is not None:
            self._child.kill()  # reaped in the background
        self._forget_child()

    def _ensure_child(self) -> Child:
        if self._child is None or not self._child.alive:
            if self._staged is None:
                raise RuntimeError("no submission is loaded")
            waited = time.monotonic()
            self._child = self._factory.start(self._staged, self.policy)
            self._hello = self._child.hello
            self._colocate(self._child)
            self._copies.reset()
            self._modules.clear()
            # Waiting for a child (the zygote's first warm-up, say) is not the check's time.
            waited = time.monotonic() - waited
            self._deadline += waited
            self._waited += waited
        return self._child

    def _colocate(self, child: Child) -> None:
        """Run the child on the CPU this thread is on, and keep this thread there until `unload`:
        a call is a ping-pong in which one side runs at a time, and waking the other side on the
        same CPU halves a round trip on two-core machines (median 0.22 ms against 0.40 ms)."""
        if child.pid is None or not hasattr(os, "sched_setaffinity"):
            return
        try:
            with open("/proc/thread-self/stat") as stat:
                cpu = int(stat.read().rsplit(")", 1)[1].split()[36])  # field 39: the CPU it last ran on
            if self._own_cpus is None:
                self._own_cpus = os.sched_getaffinity(0)
            os.sched_setaffinity(0, {cpu})
            os.sched_setaffinity(child.pid, {cpu})
        except (OSError, ValueError, IndexError):  # no /proc, or not allowed: only slower
            pass

    # -- one request
    def _request(self, message: dict[str, Any], call: str, runs: str | None = None) -> Any:
        """Send one request, `call` naming it in messages; `runs` names the student function it
        runs (see the module docstring), which is not run again once it has hung."""
        if runs is not None and self.remember_timeouts:
            self._refuse_hung(runs)
        child = self._ensure_child()
        generation = self._copies.generation
        if self._seed is not None:
            message["seed"] = self._seed
            self._seed = None
        if not self.environment.is_default:
            message["env"] = self.environment.to_dict()
        if self._copies.released:
            message["release"], self._copies.released = self._copies.released, []
        self._requests += 1
        message["n"] = number = self._requests
        probing = message["op"] == "probe"
        try:
            payload = codec.encode(message, reference=self._probe_reference if probing else self._handle_reference,
                                   tensor_id=self._copies.upload_key, limit=self.policy.message_bytes)
        except codec.CodecError as exc:
            raise CourseFault(f"the check cannot send this to the student's code: {exc}") from None
        if child.idle_output():
            # It wrote something nobody asked for, or ended after its last answer (a thread
            # left running, say): whatever it was, it is not this call's doing.
            child.kill()
            how = child.ended()
            self._forget_child()
            raise StudentCrashed(f"the submission's process {how} between calls, before {call}", hint=_CRASH_HINT)
        sent = time.monotonic()
        try:
            if sent >= self._deadline:
                raise TimeoutError
            # CPU time is bounded like wall time, by what is left of the check's limit, so that
            # threads cannot multiply it and a slow call is charged to its own check.
            raw = child.exchange(payload, self._deadline, cpu_seconds=self._deadline - sent)
        except CpuTimeExceeded:
            self._stop_child()
            if runs is not None:
                self._hung.setdefault(runs, (self._check, call))
            raise StudentTimeout(f"{call} used more CPU time than the check's {self._time_limit:g} s "
                                 "(its threads together)", hint=_TIMEOUT_HINT) from None
        except TimeoutError:
            self._stop_child()
            # A call that ran for only the end of a check's time (after slow calls before it) is
            # no evidence that it hangs.
            if runs is not None and time.monotonic() - sent >= self._time_limit / 2:
                self._hung.setdefault(runs, (self._check, call))
            raise StudentTimeout(f"{call} did not finish within the check's {self._time_limit:g} s",
                                 hint=_TIMEOUT_HINT) from None
        except (EOFError, OSError, wire.FrameError):
            how = child.ended()
            self._forget_child()
            raise StudentCrashed(f"the submission's process {how} during {call}", hint=_CRASH_HINT) from None
        try:
            reply = codec.decode(raw, handle=lambda h: self._remote(h, generation, call, runs),
                                 tensor_origin=self._copies.record)
            if type(reply) is not dict:
                raise codec.CodecError("the answer is not a message")
            if reply.get("n") != number:
                raise codec.CodecError("an answer to another request")
        except codec.CodecError as exc:
            self._stop_child()
            raise StudentCrashed(f"the submission's process sent an invalid answer during {call} ({exc})") from None
        return self._outcome(reply, call)

    def _refuse_hung(self, runs: str) -> None:
        hung = self._hung.get(runs)
        if hung is None:
            return
        check, call = hung
        where = f"\u201c{check}\u201d: {call}" if check else call
        raise StudentTimeout(f"not run: {runs} timed out in an earlier check ({where})", hint=_NOT_AGAIN_HINT)

    @staticmethod
    def _named(remote: Remote) -> str:
        """What `remote` is, named alike in every child: a module's or a module attribute's
        dotted name ("padding", "mlp.MLP", "mlp.MLP.forward"), else its type ("mlp.MLP")."""
        return remote._origin if remote._origin is not None else remote._type

    @staticmethod
    def _runs(target: Remote) -> str:
        """What calling `target` runs (see the module docstring)."""
        return target._origin if target._origin is not None else f"{target._type}.__call__"

    def _outcome(self, reply: dict[str, Any], call: str) -> Any:
        output = reply.get("output")
        cap = self.policy.output_chars
        if type(output) is str and output and sum(map(len, self._output)) <= cap:
            self._output.append(output[:cap])
        forbidden = reply.get("forbidden") or []
        if forbidden:
            raise CheckFailed(f"{call} uses {', '.join(map(str, forbidden))}, which this exercise does not allow")
        if "ok" in reply:
            return reply["ok"]
        if "raised" in reply:
            raised = reply["raised"] if type(reply["raised"]) is dict else {}
            raise failure_for(call, RaisedInfo.from_dict(raised))
        if "missing" in reply:
            name = str(reply["missing"])
            raise MissingModule(f"{name}.py is missing from the submission",
                                hint=f"add {name}.py next to your other exercise files")
        if "unsendable" in reply:
            raise StudentFailure(f"{call} returned a value that cannot be sent back: {reply['unsendable']}",
                                 hint="return tensors, numbers, strings, or lists, tuples and dicts of those")
        if "invalid" in reply:
            raise CourseFault(f"the student's process refused the check's request: {reply['invalid']}")
        self._stop_child()
        raise StudentCrashed(f"the submission's process sent an invalid answer during {call}")

    def _handle_reference(self, value: Any) -> str | None:
        """Calls pass handles by reference and everything else by copy."""
        if isinstance(value, Remote):
            remote = self._resolved(value)
            if remote._runner is not self or remote._generation != self._copies.generation:
                raise StudentFailure(f"{remote._label} belonged to a student process that has ended",
                                     hint="an earlier call crashed or timed out")
            return remote._key
        return None

    def _probe_reference(self, value: Any) -> str | None:
        """Probes ask about the very objects the student's code saw, tensors included."""
        if isinstance(value, torch.Tensor):
            return self._copies.key_of(value)
        return self._handle_reference(value)

    def _remote(self, handle: codec.Handle, generation: int, label: str, runs: str | None) -> Remote:
        # An object of a class of the submission is named by its class ("mlp.MLP": its methods are
        # the same functions on every instance); any other object a call made (a closure, an
        # nn.Sequential) by the call that made it ("mlp.make_layers(…)"), so that one hung
        # closure does not stand for every function.
        students = handle.type_name.partition(".")[0] in self._submission_modules
        return Remote(self, handle.id, type_name=handle.type_name, text=handle.repr,
                      is_callable=handle.callable, label=label, generation=generation,
                      origin=f"{runs}(…)" if runs is not None and not students else None)

    # -- environment controls
    @property
    def environment(self) -> Environment:
        return self._environment

    @contextmanager
    def environment_changed(self, **changes: Any) -> Iterator[None]:
        """Apply environment controls to student calls made inside the block."""
        previous = self._environment
        self._environment = previous.merged(**changes)
        try:
            yield
        finally:
            self._environment = previous

    # -- operations on student objects (called by `Remote` and `autograder.checks`)
    def import_module(self, name: str, *, library: bool = False) -> Any:
        """The submission's module `name` (or, with `library`, a preloaded library)."""
        if not library and name in self._broken_imports:
            raise self._broken_imports[name]
        self._ensure_child()
        cached = self._modules.get(name)
        if cached is not None:
            return cached
        try:
            module = self._request({"op": "import", "module": name, "library": library}, f"importing {name}.py")
        except (StudentTimeout, StudentCrashed) as failure:
            # Never run a module again that killed or hung its process while importing.
            self._broken_imports[name] = failure
            raise
        if isinstance(module, Remote):
            object.__setattr__(module, "_label", name)
            object.__setattr__(module, "_origin", name)
            self._modules[name] = module
            if not library:
                self._submission_modules.add(name)
        return module

    def getattr(self, target: Remote, name: str) -> Any:
        label = f"{target._label}.{name}"
        target = self._resolved(target)
        # A property or a module's __getattr__ runs student code: a lookup that hung is not repeated.
        origin = f"{self._named(target)}.{name}"
        if (target._key, name) in self._callables:
            # Most likely called next: one "callattr" round trip instead of a lookup and a call.
            return Remote(self, "", type_name="", text="", is_callable=True, label=label,
                          generation=target._generation, attribute_of=(target, name), origin=origin)
        value = self._request({"op": "getattr", "target": target, "name": name}, label, origin)
        if isinstance(value, Remote):
            object.__setattr__(value, "_label", label)
            object.__setattr__(value, "_origin", origin)
            if value._callable and self._modules.get(target._label) is target:
                self._callables.add((target._key, name))
        return value

    def _resolved(self, remote: Remote) -> Remote:
        """Look up an attribute handle that was handed out before its lookup (see `getattr`)."""
        if remote._attribute_of is not None:
            base, name = remote._attribute_of
            value = self._request({"op": "getattr", "target": base, "name": name}, remote._label, remote._origin)
            if not isinstance(value, Remote):
                raise StudentFailure(f"{remote._label} is no longer a function of the student's module")
            for slot in ("_key", "_type", "_repr", "_callable", "_generation"):
                object.__setattr__(remote, slot, getattr(value, slot))
            object.__setattr__(remote, "_attribute_of", None)
        return remote

    def setattr(self, target: Remote, name: str, value: Any) -> None:
        self._request({"op": "setattr", "target": target, "name": name, "value": value},
                      f"setting {target._label}.{name}")

    def call(self, target: Remote, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        label = describe_call(target._label, args, kwargs)
        if target._attribute_of is not None:
            base, name = target._attribute_of
            message = {"op": "callattr", "target": base, "name": name, "args": list(args), "kwargs": dict(kwargs)}
        else:
            message = {"op": "call", "target": target, "args": list(args), "kwargs": dict(kwargs)}
        value = self._request(message, label, self._runs(target))
        if isinstance(value, Remote):
            object.__setattr__(value, "_label", f"{target._label}(…)")
        return value

    def probe(self, name: str, *args: Any) -> Any:
        """Run an identity probe (see `probes`) where the objects live."""
        # forward_trace and gradients call their first argument: a student function that hung.
        runs = self._runs(args[0]) if name in _CALLING_PROBES and args and isinstance(args[0], Remote) else None
        return self._request({"op": "probe", "name": name, "args": list(args)}, f"checking {name}", runs)

    def hold(self, value: Any) -> Remote:
        """Put a copy of `value` in the student's process; return a handle to that copy."""
        held = self._request({"op": "hold", "value": value}, "placing a value")
        assert isinstance(held, Remote)
        object.__setattr__(held, "_label", f"<{type(value).__name__}>")
        return held

    def fetch(self, target: Remote) -> Any:
        """The current value of a student object, as plain data."""
        return self._request({"op": "fetch", "target": self._resolved(target)}, f"reading {target._label}")

    def take(self, target: Remote, n: int) -> list[Any]:
        """The first `n` items a student iterable yields (a DataLoader's batches, say), as data."""
        target = self._resolved(target)
        items = self._request({"op": "take", "target": target, "count": n}, f"iterating over {target._label}",
                              f"{self._named(target)}.__iter__")
        assert type(items) is list
        return items
