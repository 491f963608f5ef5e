"""Starting student processes: forked from a warm zygote, or spawned fresh.

This module imports no torch, so the command line can start the zygote (whose warm-up is a
torch import) before the grader pays for its own; the two imports then run side by side.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from autograder.errors import SandboxError
from autograder.runner import wire
from autograder.runner.policy import Policy

__all__ = ["Child", "ChildFactory", "ChildProcess", "SpawnFactory", "ZygoteFactory", "default_factory", "kill_tree"]

#: Longest wait for the zygote's warm-up (a cold `import torch` on a loaded machine).
WARM_UP_TIMEOUT = 180.0
#: Longest wait for a fresh child to report that it is confined and ready.
START_TIMEOUT = 30.0

_KIT_ROOT = str(Path(__file__).resolve().parents[2])
_BOOTSTRAP = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from autograder.runner import {module} as m; m.main(*sys.argv[1:])"
)


def _clean_env() -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER", "CUDA_HOME",
            "NVIDIA_VISIBLE_DEVICES", "TMPDIR", "SYSTEMROOT")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTORCH_NVML_BASED_CUDA_CHECK="1",
               PYTHONDONTWRITEBYTECODE="1")
    return env


#: How often a call's CPU time is measured while the grader waits for its answer (and so about
#: how much CPU time a call may use past its limit, per thread).
CPU_POLL_S = 0.1


class CpuTimeExceeded(TimeoutError):
    """A call used more CPU time than its check allows."""


def cpu_time(pid: int) -> float | None:
    """CPU seconds a process has used, all its threads together (None where /proc cannot tell)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: fields 14, 15
    except (OSError, ValueError, IndexError):
        return None


def _describe_exit(exit_code: int | None, signum: int | None) -> str:
    if signum is not None:
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"signal {signum}"
        reason = {
            "SIGSEGV": "a segmentation fault", "SIGXCPU": "the CPU time limit", "SIGKILL": "a kill",
            "SIGABRT": "an abort", "SIGBUS": "a bus error", "SIGXFSZ": "the file size limit",
        }.get(name, name)
        return f"was killed by {reason} ({name})"
    return f"exited with status {exit_code}"


class Child(Protocol):
    """Where one submission's student code runs, as the runner sees it."""

    #: what the child reported when it started: {"applied": [...], "unavailable": [...]}
    hello: dict[str, Any]
    alive: bool

    @property
    def pid(self) -> int | None:
        """Its process id as the grader sees it (None: it runs inside the grader)."""

    def exchange(self, payload: bytes, deadline: float, cpu_seconds: float | None = None) -> bytes | bytearray:
        """Send a request and return the answer; `TimeoutError` past `deadline` (`CpuTimeExceeded`
        once the call has used `cpu_seconds` of CPU time), `EOFError` or `OSError` when the child
        has gone."""

    def kill(self) -> None:
        """Stop the child now (it is reaped later)."""

    def ended(self) -> str:
        """Why a child that went away ended, in words."""

    def idle_output(self) -> bool:
        """Whether the child sent something, or hung up, while nobody asked it anything."""


class ChildProcess:
    """The grader's end of one student process."""

    def __init__(self, sock: socket.socket, pid: int, reap: Any, hello: dict[str, Any], terminate: Any = None,
                 *, limit: int = wire.MAX_FRAME) -> None:
        self.sock = sock
        #: the largest answer accepted (`Policy.message_bytes`)
        self.limit = limit
        self.pid = pid
        self._reap = reap
        self._terminate = terminate or kill_tree
        self.hello = hello
        self.alive = True

    def exchange(self, payload: bytes, deadline: float, cpu_seconds: float | None = None) -> bytes | bytearray:
        """Send one request; its whole answer must arrive by `deadline` (`time.monotonic()`), and
        the child may spend at most `cpu_seconds` of CPU time (its threads together) before it
        starts answering."""
        self.sock.settimeout(max(deadline - time.monotonic(), 0.001))
        wire.write_frame(self.sock, payload, limit=self.limit)
        if cpu_seconds is not None:
            self._await_answer(deadline, cpu_seconds)
        return wire.read_frame(self.sock, limit=self.limit, deadline=deadline)

    def _await_answer(self, deadline: float, cpu_seconds: float) -> None:
        """Wait for the answer to start, measuring the child's CPU time every CPU_POLL_S.

        Measured here, from outside: a limit the child set on itself (RLIMIT_CPU) would end it
        with a signal that its own code can catch, and that a PID namespace's init ignores. A
        call answered within the first poll costs no measurement.
        """
        started: float | None = None
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            readable, _, _ = select.select([self.sock], [], [], min(remaining, CPU_POLL_S))
            if readable:
                return
            used = cpu_time(self.pid)
            if used is None:
                return  # no /proc: the wall-time deadline still holds
            if started is None:
                started = used
            elif used - started > cpu_seconds:
                raise CpuTimeExceeded(f"the call used {used - started:.1f} s of CPU time")

    def idle_output(self) -> bool:
        readable, _, _ = select.select([self.sock], [], [], 0)
        return bool(readable)

    def kill(self) -> None:
        if not self.alive:
            return
        self.alive = False
        self._terminate(self.pid)
        self.sock.close()

    def ended(self) -> str:
        """Why the process ended ("exited with status 0", "was killed by …")."""
        self.alive = False
        self.sock.close()
        exit_code, signum = self._reap(self.pid)
        return _describe_exit(exit_code, signum)


def kill_tree(pid: int) -> None:
    """SIGKILL a child and its process group (POSIX; the child leads its own session). The grader
    and the zygote both end children this way."""
    for send in (os.killpg, os.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
            send(pid, signal.SIGKILL)


class ChildFactory(Protocol):
    """Starts children: `ZygoteFactory` forks confined processes, `SpawnFactory` starts fresh
    interpreters, `inprocess.InProcessFactory` runs the student's code in the grader itself."""

    #: how isolated its children are: "sandbox", "process" or "in-process"
    mode: str

    def start(self, staged: Path, policy: Policy) -> Child:
        """A child running the submission staged in `staged`."""

    def prepare(self, policy: Policy) -> None:
        """Children with this policy will be asked for: get one ready, if the factory can."""

    def close(self) -> None: ...


def _hello(sock: socket.socket, timeout: float) -> dict[str, Any]:
    from autograder.runner import codec

    sock.settimeout(timeout)
    message = codec.decode(wire.read_frame(sock, limit=1 << 20))
    if type(message) is not dict or type(message.get("hello")) is not dict:
        raise SandboxError("the student process did not start correctly")
    hello: dict[str, Any] = message["hello"]
    return hello


def _read_files(staged: Path) -> list[list[Any]]:
    """The staged submission's regular files as [relative path, contents] (`staged` already
    refused links and enforced the size limits)."""
    return [[path.relative_to(staged).as_posix(), path.read_bytes()]
            for path in sorted(staged.rglob("*")) if path.is_file() and not path.is_symlink()]


def _deliver(child: ChildProcess, files: list[list[Any]]) -> None:
    """Send a fresh child the submission's files: its first request, before any student code."""
    from autograder.runner import codec

    try:
        reply = codec.decode(child.exchange(codec.encode({"op": "files", "files": files, "n": 0}),
                                            time.monotonic() + START_TIMEOUT))
        problem = None if type(reply) is dict and reply.get("n") == 0 and "ok" in reply else \
            f"it answered {reply!r:.200}"
    except (EOFError, TimeoutError, OSError, ValueError) as exc:  # FrameError and CodecError included
        problem = f"{child.ended()}: {exc}"
    if problem is not None:
        child.kill()
        raise SandboxError(f"could not hand the submission to its process ({problem})")


class ZygoteFactory:
    """Forks confined children from a warm zygote (Linux and other POSIX systems with fork)."""

    mode = "sandbox"

    def __init__(self, preload: tuple[str, ...]) -> None:
        self._preload = preload
        self._launch()

    def _launch(self) -> None:
        self._control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the zygote
        self._process = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOTSTRAP.format(module="_zygote"), _KIT_ROOT,
             str(theirs.fileno()), ",".join(self._preload)],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=self._stderr, env=_clean_env(), cwd="/", start_new_session=True,
        )
        theirs.close()
        self._ready: dict[str, Any] | None = None

    def _relaunch_if_gone(self) -> None:
        """A zygote that died (killed by the OOM killer, say) is replaced: a long batch goes on."""
        if self._process.poll() is not None:
            self._control.close()
            self._stderr.close()
            self._launch()

    def _receive(self, timeout: float) -> dict[str, Any]:
        return self._receive_with_fds(timeout)[0]

    def _receive_with_fds(self, timeout: float) -> tuple[dict[str, Any], list[int]]:
        self._control.settimeout(timeout)
        try:
            data, fds, _flags, _addr = socket.recv_fds(self._control, 1 << 16, 1)
        except TimeoutError:
            raise SandboxError(f"the zygote did not answer within {timeout:g} s") from None
        if not data:
            self._stderr.seek(0)
            tail = self._stderr.read()[-600:].decode(errors="replace").strip()
            raise SandboxError(f"the zygote ended unexpectedly{': ' + tail if tail else ''}")
        return json.loads(data), fds

    def ready(self) -> dict[str, Any]:
        """Wait for the zygote's warm-up; returns what it reports (torch version, threads)."""
        if self._ready is None:
            message = self._receive(WARM_UP_TIMEOUT)
            if "error" in message:
                raise SandboxError(f"the zygote could not start: {message['error']}")
            self._ready = message["ready"]
        return self._ready

    def start(self, staged: Path, policy: Policy) -> ChildProcess:
        """Take the zygote's waiting child (or a new one) and hand it the submission's files."""
        files = _read_files(staged)
        self._relaunch_if_gone()
        try:
            child = self._start(policy)
        except SandboxError:
            if self._process.poll() is None:
                raise
            self._relaunch_if_gone()  # it died while answering: one more try with a new one
            child = self._start(policy)
        _deliver(child, files)
        return child

    def _start(self, policy: Policy) -> ChildProcess:
        self.ready()
        request = {"op": "spawn", "policy": policy.to_dict()}
        self._control.send(json.dumps(request).encode())
        reply, fds = self._receive_with_fds(START_TIMEOUT)
        if "error" in reply or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            raise SandboxError(f"could not start a student process: {reply.get('error', 'no socket')}")
        mine = socket.socket(fileno=fds[0])
        child = ChildProcess(mine, int(reply["pid"]), self._reap, {}, limit=policy.message_bytes)
        try:
            child.hello = _hello(mine, START_TIMEOUT)
        except (EOFError, TimeoutError, OSError, ValueError) as exc:
            child.kill()
            raise SandboxError(f"the student process did not get ready ({child.ended()}: {exc})") from None
        return child

    def _reap(self, pid: int) -> tuple[int | None, int | None]:
        self._control.send(json.dumps({"op": "reap", "pid": pid, "timeout": 1.0}).encode())
        reply = self._receive(START_TIMEOUT)
        return reply.get("exit"), reply.get("signal")

    def prepare(self, policy: Policy) -> None:
        """Have the zygote confine a child now (right after its warm-up, if it is still warming
        up); `start` will hand it over."""
        if self._process.poll() is None:
            self._control.send(json.dumps({"op": "prepare", "policy": policy.to_dict()}).encode())

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._control.send(json.dumps({"op": "exit"}).encode())
        self._control.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._stderr.close()


class SpawnFactory:
    """Starts each child as a fresh interpreter on loopback: works wherever Python does, with
    time limits and (on POSIX) resource limits, but each child imports torch itself."""

    mode = "process"

    def __init__(self) -> None:
        self._processes: dict[int, tuple[subprocess.Popen[bytes], str]] = {}

    def start(self, staged: Path, policy: Policy) -> ChildProcess:
        for pid, (process, _) in list(self._processes.items()):
            if process.poll() is not None:  # killed earlier; nobody asked how it ended
                self._reap(pid)
        workdir = tempfile.mkdtemp(prefix="autograder-work-")
        shutil.copytree(staged, workdir, dirs_exist_ok=True, symlinks=True,
                        ignore=lambda d, names: [n for n in names if os.path.islink(os.path.join(d, n))])
        token = secrets.token_hex(16)
        with socket.create_server(("127.0.0.1", 0)) as listener:
            port = listener.getsockname()[1]
            limits = json.dumps(replace(policy, uid=None, gid=None, namespaces=False).to_dict())
            process = subprocess.Popen(
                [sys.executable, "-I", "-c", _BOOTSTRAP.format(module="_spawned"), _KIT_ROOT,
                 str(port), limits],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                env=_clean_env(), cwd=workdir, start_new_session=os.name == "posix",
            )
            assert process.stdin is not None
            process.stdin.write(token.encode() + b"\n")  # never in argv: argv is world-readable
            process.stdin.close()
            listener.settimeout(WARM_UP_TIMEOUT)
            try:
                sock, _ = listener.accept()
            except TimeoutError:
                process.kill()
                raise SandboxError("the student process did not connect") from None
        sock.settimeout(START_TIMEOUT)
        if sock.recv(len(token)).decode(errors="replace") != token:
            sock.close()
            process.kill()
            raise SandboxError("a process that is not the student process connected")
        self._processes[process.pid] = (process, workdir)
        child = ChildProcess(sock, process.pid, self._reap, {}, terminate=lambda _pid: process.kill(),
                             limit=policy.message_bytes)
        child.hello = _hello(sock, WARM_UP_TIMEOUT)
        return child

    def prepare(self, policy: Policy) -> None:
        pass

    def _reap(self, pid: int) -> tuple[int | None, int | None]:
        process, workdir = self._processes.pop(pid)
        try:
            code = process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
        shutil.rmtree(workdir, ignore_errors=True)
        return (None, -code) if code < 0 else (code, None)

    def close(self) -> None:
        for pid in list(self._processes):
            self._processes[pid][0].kill()
            self._reap(pid)


def default_factory(preload: tuple[str, ...] | None = None) -> ChildFactory:
    """A zygote where fork is safe (Linux and the BSDs), else fresh interpreters."""
    preload = Policy().preload if preload is None else preload
    if hasattr(os, "fork") and sys.platform != "darwin":
        return ZygoteFactory(preload)
    return SpawnFactory()  # each child imports what the policy preloads
