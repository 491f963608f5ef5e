"""The zygote: a warm process that has imported torch and forks one child per student process.

`import torch` costs seconds; a fork of a process that already holds it costs milliseconds. The
zygote is started fresh (never forked from the grader), so it holds no reference solutions, no
checks and no grader arguments for a child to find. Before its first fork it pins torch to one
intra-op thread (an OpenMP pool does not survive fork) and never touches CUDA (a CUDA context
does not survive fork either); each child makes its own.

Control messages arrive on a SOCK_SEQPACKET socket, one JSON object per packet:

    {"op": "spawn", "policy": {...}}
        → {"pid": int} + the grader's end of the child's socket (SCM_RIGHTS), or {"error": str}
    {"op": "reap", "pid": int, "timeout": float}
        → {"exit": int | null, "signal": int | null}   (kills the child if it outlives timeout)
    {"op": "prepare", "policy": {...}}   (no reply: fork a spare child now)
    {"op": "exit"}

Children do not depend on a submission (its files reach them over their socket), so the zygote
keeps one spare child confined and waiting: a spawn hands it over and forks the next, which gets
ready while the grader works with this one.

The zygote ends when the grader closes the socket, killing whatever children remain.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import select
import shutil
import signal
import socket
import sys
import threading
import time
from typing import Any

from autograder.runner import _child, _jail
from autograder.runner.factory import kill_tree
from autograder.runner.policy import Policy

__all__ = ["main"]

_PR_SET_CHILD_SUBREAPER = 36


def _warm_up(preload: tuple[str, ...]) -> dict[str, Any]:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")
    # torch.cuda.is_available() must not create a CUDA context before fork.
    os.environ["PYTORCH_NVML_BASED_CUDA_CHECK"] = "1"
    import importlib

    import torch

    torch.set_num_threads(1)
    loaded = []
    for name in preload:
        try:
            importlib.import_module(name)
            loaded.append(name)
        except ImportError:
            pass
    # Modules student code commonly imports, loaded while the installation is readable.
    for name in ("math", "random", "itertools", "functools", "collections", "typing", "dataclasses",
                 "copy", "numbers", "operator", "statistics", "warnings", "json", "re", "string",
                 "numpy", "ctypes", "inspect", "gc", "types", "abc", "enum", "decimal", "fractions"):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    with contextlib.suppress(Exception):  # only an optimisation: never a reason not to start
        _child.rehearse()
    threads = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") \
        else threading.active_count()
    return {"torch": torch.__version__, "preloaded": loaded, "threads": threads,
            "cuda_initialized": torch.cuda.is_initialized()}


class Zygote:
    def __init__(self, control: socket.socket) -> None:
        self.control = control
        self.exited: dict[int, int] = {}
        #: live children: pid → host working directory to delete when it ends (or None)
        self.children: dict[int, str | None] = {}
        #: a confined child made ahead of time for the next spawn: (policy key, pid, socket)
        self.spare: tuple[str, int, socket.socket] | None = None
        #: our own PID namespace, while making children the init of a fresh one works
        self.own_pid_namespace: int | None = None
        if sys.platform.startswith("linux") and os.geteuid() == 0:
            self.own_pid_namespace = os.open("/proc/self/ns/pid", os.O_RDONLY)

    def _pid_namespace_for_children(self, *, fresh: bool) -> None:
        """Make the next child the init of a new PID namespace (saving it a second fork), or
        put children back in ours."""
        if self.own_pid_namespace is not None:
            try:
                _jail.pid_namespace_for_children(self.own_pid_namespace, fresh=fresh)
            except OSError:  # not allowed here: children make their own (see `_jail.confine`)
                os.close(self.own_pid_namespace)
                self.own_pid_namespace = None

    def send(self, message: dict[str, Any], fds: tuple[int, ...] = ()) -> None:
        socket.send_fds(self.control, [json.dumps(message).encode()], list(fds))

    def collect(self) -> None:
        """Reap every child that has ended, remembering its status."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.children:  # not the short-lived parents of PID-namespace inits
                self.exited[pid] = status
                self._clean(pid)
                while len(self.exited) > 1000:  # statuses nobody asked for (killed children)
                    del self.exited[next(iter(self.exited))]

    def _clean(self, pid: int) -> None:
        workdir = self.children.pop(pid, None)
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)

    def serve(self) -> None:
        while True:
            try:
                data, fds, _flags, _addr = socket.recv_fds(self.control, 1 << 16, 1)
            except OSError:
                break
            if not data:
                break
            self.collect()
            try:
                message = json.loads(data)
                op = message.get("op")
                if op == "spawn":
                    self.spawn(message)
                elif op == "prepare":
                    self.prepare(message)
                elif op == "reap":
                    self.reap(int(message["pid"]), float(message.get("timeout", 1.0)))
                elif op == "exit":
                    break
                else:
                    self.send({"error": f"unknown operation {op!r}"})
            except Exception as exc:  # a bad message must not take the zygote down
                self.send({"error": f"{type(exc).__name__}: {exc}"})
            finally:
                for fd in fds:
                    os.close(fd)
        self.shutdown()

    @staticmethod
    def _wanted(message: dict[str, Any]) -> tuple[Policy, str]:
        """(policy, key of a spare made for it) from a request."""
        policy = Policy.from_dict(message["policy"])
        return policy, json.dumps(policy.to_dict(), sort_keys=True)

    def _fork_spare(self, policy: Policy, key: str) -> None:
        started = self.fork(policy)
        if started is not None:
            self.spare = (key, *started)

    def prepare(self, message: dict[str, Any]) -> None:
        """Fork a spare for this policy now (no reply): the grader will ask for a child soon."""
        policy, key = self._wanted(message)
        if self.spare is None or self.spare[0] != key:
            self.drop_spare()
            self._fork_spare(policy, key)

    def spawn(self, message: dict[str, Any]) -> None:
        """Hand the grader a confined child: the spare if it fits and lives, else a new one;
        then fork the next spare while the grader is busy with this one."""
        policy, key = self._wanted(message)
        if self.spare is not None and self.spare[0] == key and self.spare[1] in self.children:
            _, pid, sock = self.spare
            self.spare = None
        else:
            self.drop_spare()
            started = self.fork(policy)
            if started is None:
                self.send({"error": "the student process did not start"})
                return
            pid, sock = started
        self.send({"pid": pid}, (sock.fileno(),))
        sock.close()
        self._fork_spare(policy, key)

    def drop_spare(self) -> None:
        if self.spare is not None:
            _, pid, sock = self.spare
            self.spare = None
            sock.close()
            kill_tree(pid)

    def fork(self, policy: Policy) -> tuple[int, socket.socket] | None:
        """Fork a child that confines itself and then serves requests on a new socket."""
        mine, theirs = socket.socketpair()
        read_end, write_end = os.pipe()
        # A child that makes its own user namespace must make its PID namespace inside it.
        fresh_pid_namespace = policy.namespaces and policy.drop_first is None
        if policy.namespaces and sys.platform.startswith("linux"):
            _jail.plan(policy)  # computed once here, inherited by every child
        if fresh_pid_namespace:
            self._pid_namespace_for_children(fresh=True)
        pid = os.fork()
        if pid == 0:  # the child: confine, then serve the grader on its end of the socket
            code = 70
            try:
                os.close(read_end)
                self.control.close()
                mine.close()
                if self.spare is not None:
                    self.spare[2].close()
                workdir, report = _jail.confine(policy, (theirs.fileno(),), write_end)
                sys.path[:] = [workdir, *(p for p in sys.path if p)]
                _child.serve(theirs, workdir, policy, applied=report.applied, unavailable=report.unavailable)
                code = 0
            finally:
                os._exit(code)
        if fresh_pid_namespace:  # the namespace is the child's alone: no later child may join it
            self._pid_namespace_for_children(fresh=False)
        theirs.close()
        os.close(write_end)
        line = _read_line(read_end, timeout=30.0)
        os.close(read_end)
        if not line:
            mine.close()
            return None
        fields = line.split(" ", 1)
        child = int(fields[0]) or pid
        self.children[child] = fields[1] if len(fields) > 1 else None
        return child, mine

    def reap(self, pid: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while pid not in self.exited:
            self.collect()
            if pid in self.exited:
                break
            if time.monotonic() >= deadline:
                kill_tree(pid)
                try:
                    _, status = os.waitpid(pid, 0)
                    self.exited[pid] = status
                    self._clean(pid)
                except ChildProcessError:
                    self.exited[pid] = 0
                break
            time.sleep(0.002)
        status = self.exited.pop(pid)
        self.send({"exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                   "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None})

    def shutdown(self) -> None:
        self.drop_spare()
        for pid in list(self.children):
            kill_tree(pid)
        deadline = time.monotonic() + 2.0
        while self.children and time.monotonic() < deadline:
            self.collect()
            time.sleep(0.01)


def _read_line(fd: int, timeout: float) -> str:
    data = b""
    deadline = time.monotonic() + timeout
    while not data.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    return data.decode().strip()


def main(kit_root: str, control_fd: str, preload: str) -> None:
    """Warm up, report readiness, then serve spawn requests until the grader goes away."""
    control = socket.socket(fileno=int(control_fd))
    sys.dont_write_bytecode = True  # `python -I` ignores PYTHONDONTWRITEBYTECODE
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the grader decides when the zygote ends
    try:
        info = _warm_up(tuple(filter(None, preload.split(","))))
        # Everything the children need is imported: the kit directory (the course) goes.
        sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != os.path.abspath(kit_root)]
    except BaseException as exc:
        control.send(json.dumps({"error": f"warm-up failed: {type(exc).__name__}: {exc}"}).encode())
        raise
    if sys.platform.startswith("linux"):
        import ctypes

        # Orphaned grandchildren (the init of each PID namespace) become ours to reap.
        ctypes.CDLL(None).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    # Children share the zygote's memory copy-on-write; a garbage collection in a child would
    # write to every object header and copy nearly all of it. Frozen objects are never visited.
    gc.collect()
    gc.freeze()
    control.send(json.dumps({"ready": info, "pid": os.getpid()}).encode())
    Zygote(control).serve()
