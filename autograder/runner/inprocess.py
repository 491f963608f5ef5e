"""The in-process runner: the submission is imported into the grader's own process.

It protects nothing (student code can patch the grader's torch, read the reference, end the
process) and exists for speed comparisons, for debugging a check with a debugger, and as the
reference behaviour the sandbox must match. Time limits use SIGALRM, so they stop Python code
but not a hang inside C code.
"""

from __future__ import annotations

import contextlib
import importlib.util
import signal
import sys
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from autograder.outcomes import (
    MissingModule,
    RaisedInfo,
    StudentFailure,
    StudentTimeout,
    failure_for,
)
from autograder.result import SandboxReport
from autograder.runner import _child, codec, environment, probes
from autograder.runner.base import Runner
from autograder.runner.proxy import Remote, describe_call

__all__ = ["InProcessRunner"]


class InProcessRunner(Runner):
    """Runs student code in this process (no isolation)."""

    def __init__(self) -> None:
        super().__init__()
        self._workdir: Path | None = None
        self._objects: dict[str, Any] = {}
        self._counter = 0
        self._output = _child.CappedWriter()
        self._deadline = 0.0
        self._time_limit = 0.0

    @property
    def report(self) -> SandboxReport:
        return SandboxReport(mode="in-process", applied=(), unavailable=("isolation (in-process runner)",))

    def load(self, submission: Path) -> None:
        self.unload()
        self._workdir = submission.resolve()
        sys.path.insert(0, str(self._workdir))

    def unload(self) -> None:
        if self._workdir is None:
            return
        workdir = str(self._workdir)
        with contextlib.suppress(ValueError):
            sys.path.remove(workdir)
        for name, module in list(sys.modules.items()):
            if (getattr(module, "__file__", None) or "").startswith(workdir):
                del sys.modules[name]
        self._objects.clear()
        self._workdir = None

    def begin_check(self, *, exercise: str, seed: int, time_limit: float) -> None:
        self._time_limit = time_limit
        self._deadline = time.monotonic() + time_limit
        self._output.take()

    def end_check(self) -> str:
        return self._output.take()

    # -- handles
    def _wrap(self, value: Any, label: str) -> Any:
        if codec.is_data(value):
            return value
        kind = type(value)
        if kind is list or kind is tuple:
            return kind(self._wrap(v, label) for v in value)
        if kind is dict or kind is OrderedDict:
            return kind((k, self._wrap(v, label)) for k, v in value.items())
        self._counter += 1
        key = f"o{self._counter}"
        self._objects[key] = value
        cls = type(value)
        return Remote(self, key, type_name=f"{cls.__module__}.{cls.__qualname__}",
                      text=_safe_repr(value), is_callable=callable(value), label=label)

    def _unwrap(self, value: Any) -> Any:
        if isinstance(value, Remote):
            if value._runner is not self or value._key not in self._objects:
                raise StudentFailure("a handle from another submission or a finished check was used")
            return self._objects[value._key]
        kind = type(value)
        if (kind is list or kind is tuple) and any(isinstance(v, (Remote, list, tuple, dict)) for v in value):
            return kind(self._unwrap(v) for v in value)
        if kind is dict and any(isinstance(v, (Remote, list, tuple, dict)) for v in value.values()):
            return {k: self._unwrap(v) for k, v in value.items()}
        return value

    def _run(self, call: str, action: Any) -> Any:
        """Run student code with the environment, output capture and time limit in force."""
        timer = _Alarm(max(self._deadline - time.monotonic(), 0.001), self._time_limit, call)
        try:
            with environment.applied(self.environment) as forbidden, timer, \
                    contextlib.redirect_stdout(self._output), contextlib.redirect_stderr(self._output):
                value = action()
        except (StudentTimeout, probes.ProbeError):
            raise
        except BaseException as exc:  # student code may raise anything
            if isinstance(exc, environment.ForbiddenCall) or forbidden:
                from autograder.outcomes import CheckFailed

                raise CheckFailed(f"{call} uses {', '.join(forbidden) or exc}, which this exercise "
                                  "does not allow") from None
            info = RaisedInfo.from_dict(_child.describe_exception(exc, str(self._workdir)))
            raise failure_for(call, info) from None
        if forbidden:
            from autograder.outcomes import CheckFailed

            raise CheckFailed(f"{call} uses {', '.join(forbidden)}, which this exercise does not allow")
        return value

    # -- Runner operations
    def import_module(self, name: str, *, library: bool = False) -> Any:
        if library:
            if name not in _child.LIBRARIES:
                raise ValueError(f"{name} is not a library the checks may use")
            return self._wrap(sys.modules[name], name)
        if self._workdir is None:
            raise RuntimeError("no submission is loaded")
        module = sys.modules.get(name)
        if module is None or not (getattr(module, "__file__", "") or "").startswith(str(self._workdir)):
            path = self._workdir / f"{name}.py"
            if not path.is_file():
                raise MissingModule(f"{name}.py is missing from the submission",
                                    hint=f"add {name}.py next to your other exercise files")

            def load() -> Any:
                spec = importlib.util.spec_from_file_location(name, path)
                assert spec is not None and spec.loader is not None
                loaded = importlib.util.module_from_spec(spec)
                sys.modules[name] = loaded
                try:
                    spec.loader.exec_module(loaded)
                except BaseException:
                    sys.modules.pop(name, None)
                    raise
                return loaded

            module = self._run(f"importing {name}.py", load)
        return self._wrap(module, name)

    def getattr(self, target: Remote, name: str) -> Any:
        obj = self._unwrap(target)
        label = f"{target._label}.{name}"
        return self._wrap(self._run(label, lambda: getattr(obj, name)), label)

    def setattr(self, target: Remote, name: str, value: Any) -> None:
        obj, raw = self._unwrap(target), self._unwrap(value)
        self._run(f"setting {target._label}.{name}", lambda: setattr(obj, name, raw))

    def call(self, target: Remote, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        fn = self._unwrap(target)
        raw_args = [self._unwrap(a) for a in args]
        raw_kwargs = {k: self._unwrap(v) for k, v in kwargs.items()}
        label = describe_call(target._label, args, kwargs)
        result = self._run(label, lambda: fn(*raw_args, **raw_kwargs))
        return self._wrap(result, f"{target._label}(…)")

    def probe(self, name: str, *args: Any) -> Any:
        raw = [self._unwrap(a) for a in args]
        return self._wrap(self._run(f"checking {name}", lambda: probes.PROBES[name](*raw)), name)


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)[:200]
    except Exception:
        return f"<{type(value).__name__}>"


class _Alarm:
    """SIGALRM-based time limit for the main thread (a no-op elsewhere)."""

    def __init__(self, seconds: float, limit: float, call: str) -> None:
        self.seconds = seconds
        self.limit = limit
        self.call = call
        self.active = (seconds > 0 and hasattr(signal, "setitimer")
                       and threading.current_thread() is threading.main_thread())

    def _expire(self, signum: int, frame: Any) -> None:
        raise StudentTimeout(f"{self.call} did not finish within the check's {self.limit:g} s",
                             hint="look for a loop that never ends or work repeated far too often")

    def __enter__(self) -> _Alarm:
        if self.active:
            self.previous = signal.signal(signal.SIGALRM, self._expire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
