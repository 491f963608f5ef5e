"""Running the student's code inside the grader, for debugging only (`make_runner("inprocess")`).

The runner speaks the same child protocol as with the sandbox, to a loopback child (a
`_child.Responder` called directly, like an HTTP client's mock transport), so values still cross
by copy and checks behave exactly as under the sandbox. It protects nothing: student code shares the grader's
process, can patch its torch, read its memory or end it. Time limits use SIGALRM, so they stop
Python code but not a hang inside native code.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from autograder.runner import _child
from autograder.runner.policy import Policy, within

__all__ = ["InProcessFactory", "LocalChild"]


class _Expired(BaseException):
    """Raised by the alarm inside student code; not an Exception, so fewer handlers swallow it."""


class LocalChild:
    """A child that is a `_child.Responder` in this very process."""

    def __init__(self, workdir: Path, policy: Policy) -> None:
        self.workdir = str(workdir)
        self.responder = _child.Responder(self.workdir, policy)
        self.alive = True
        self.pid: int | None = None
        self.hello: dict[str, Any] = {
            "applied": [], "unavailable": ["isolation (student code runs inside the grader)"]}
        sys.path.insert(0, self.workdir)
        self._expired = False

    def _expire(self, signum: int, frame: Any) -> None:
        self._expired = True
        raise _Expired

    def exchange(self, payload: bytes, deadline: float, cpu_seconds: float | None = None) -> bytes:
        # CPU time is not measured here: the student's code runs in the grader's own process.
        seconds = deadline - time.monotonic()
        if seconds <= 0:
            raise TimeoutError
        alarm = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGALRM, self._expire) if alarm else None
        self._expired = False
        try:
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, seconds)
            with contextlib.redirect_stdout(self.responder.output), contextlib.redirect_stderr(self.responder.output):
                reply = self.responder.handle(payload)
        except _Expired:
            raise TimeoutError from None
        finally:
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
        if self._expired:  # the alarm went off inside student code, which reported it as raised
            raise TimeoutError
        return reply

    def idle_output(self) -> bool:
        return False

    def kill(self) -> None:
        """Forget the student's modules, so the next child imports them afresh."""
        if not self.alive:
            return
        self.alive = False
        with contextlib.suppress(ValueError):
            sys.path.remove(self.workdir)
        for name, module in list(sys.modules.items()):
            if within(os.path.abspath(getattr(module, "__file__", None) or "/"), self.workdir):
                del sys.modules[name]

    def ended(self) -> str:
        self.kill()
        return "ended"


class InProcessFactory:
    """Makes loopback children; the staged copy of the submission is their working directory."""

    mode = "in-process"

    def start(self, staged: Path, policy: Policy) -> LocalChild:
        return LocalChild(staged, policy)

    def prepare(self, policy: Policy) -> None:
        pass

    def close(self) -> None:
        pass
