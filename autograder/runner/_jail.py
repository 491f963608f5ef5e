"""Confinement of the student's process (Linux first, any POSIX where it can).

`confine` runs in a process just forked from the zygote, before any student code. Each layer is
tried on its own; what fails is recorded with the reason and the rest still applies, so a
result can say exactly how its submission was isolated. As root on Linux the layers are:

* namespaces: a new network namespace (no interfaces up, so no network), PID namespace (the
  submission sees only its own processes; killing its first process kills them all), mount,
  IPC and UTS namespaces;
* a private file system view: fresh tmpfs on /tmp, /var/tmp and /dev/shm (the empty working
  directory, which the submission's files reach later over the socket, lies in /tmp); the course
  directory (solutions, hidden checks) and the grader's staging area covered by empty read-only tmpfs;
  the Python installation re-exposed read-only where it lies under a hidden or non-traversable
  directory; the root file system remounted read-only;
* an unprivileged user id with no supplementary groups, and no_new_privs;
* resource limits: CPU time, memory (RLIMIT_DATA, which unlike RLIMIT_AS leaves CUDA's address
  space reservations alone), file size, open files, processes, no core dumps.
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
import signal
import stat
import sys
from dataclasses import dataclass, field
from typing import Any

from autograder.runner.policy import Policy

__all__ = ["Report", "apply_limits", "confine", "pid_namespace_for_children"]

_CLONE_NEWNS = 0x00020000
_CLONE_NEWUTS = 0x04000000
_CLONE_NEWIPC = 0x08000000
_CLONE_NEWPID = 0x20000000
_CLONE_NEWNET = 0x40000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 32, 4096, 16384, 1 << 18
_PR_SET_NO_NEW_PRIVS = 38
_O_PATH = getattr(os, "O_PATH", 0o10000000)

#: Scratch directories every sandbox gets fresh and private.
SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")
#: Where the submission's files are copied inside the sandbox.
WORKDIR = "/tmp/work"


@dataclass
class Report:
    applied: list[str] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)

    def attempt(self, what: str, action: Any, *args: Any) -> bool:
        try:
            action(*args)
        except OSError as exc:
            self.unavailable.append(f"{what} ({errno.errorcode.get(exc.errno or 0, 'error')}: "
                                    f"{exc.strerror or exc})")
            return False
        self.applied.append(what)
        return True


_libc: Any = None


def _c(name: str, *args: Any) -> None:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    if getattr(_libc, name)(*args) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _c("mount", source and source.encode(), target.encode(), fstype and fstype.encode(),
       ctypes.c_ulong(flags), data and data.encode())


def pid_namespace_for_children(own: int, *, fresh: bool) -> None:
    """Put this process's next children in a fresh PID namespace, the first of them its init
    (`fresh`), or back in our own (`own`: an fd of this process's PID namespace).

    The zygote makes each child the init of a fresh namespace this way, so the child needs no
    second fork of its own to get one: a fork of a process holding torch costs tens of
    milliseconds of page tables. Needs CAP_SYS_ADMIN; raises OSError without it.
    """
    _c("setns", own, _CLONE_NEWPID)  # unshare makes a new namespace once per namespace we are in
    if fresh:
        _c("unshare", _CLONE_NEWPID)


def confine(policy: Policy, keep_fds: tuple[int, ...], report_pid: int) -> tuple[str, Report]:
    """Confine this (freshly forked) process and return (an empty working directory, report).

    Nothing here depends on a submission, so a confined child can be made before the grader
    knows which submission it will run; its files arrive over the socket (`_child`).

    Writes ``<pid> [<host working directory>]`` to `report_pid` (a pipe's write end): the pid to
    reap, 0 meaning this very process. Unless the parent already made this process the init of
    a fresh PID namespace (`pid_namespace_for_children`), getting one takes another fork:
    the process that returns is then that init, and the pid written is its.
    """
    report = Report()
    root = os.geteuid() == 0
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # over the file-size limit: an error, not death
    isolated = init = False
    if policy.namespaces and sys.platform.startswith("linux"):
        init = os.getpid() == 1
        flags = _CLONE_NEWNS | _CLONE_NEWNET | _CLONE_NEWIPC | _CLONE_NEWUTS | (0 if init else _CLONE_NEWPID)
        isolated = report.attempt("namespaces (network, pid, mount, ipc, uts)", _c, "unshare", flags)
    elif policy.namespaces:
        report.unavailable.append("namespaces (not Linux)")
    if isolated and not init:
        # The first child in a new PID namespace is its init; that child runs the submission.
        pid = os.fork()
        if pid:
            os.write(report_pid, f"{pid}\n".encode())
            os._exit(0)
    elif isolated:
        os.write(report_pid, b"0\n")
    os.setsid()  # its own session and process group: no terminal signals, one group to kill
    signal.signal(signal.SIGINT, signal.SIG_DFL)

    workdir = _filesystem(policy, report) if isolated else _host_workdir(policy)
    if not isolated:
        os.write(report_pid, f"0 {workdir}\n".encode())
    os.close(report_pid)

    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    _close_all_but(keep_fds)
    apply_limits(policy, report)
    if policy.uid is not None:
        if root:
            _drop(policy, report)
        else:
            report.unavailable.append(f"uid {policy.uid} (the grader is not root)")
    if sys.platform.startswith("linux"):
        report.attempt("no_new_privs", _c, "prctl", _PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    # Which GPUs the grader was given is read when the child first uses CUDA: keep it.
    kept = {k: v for k, v in os.environ.items() if k in ("CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER")}
    os.environ.clear()
    os.environ.update(kept)
    os.environ.update({"HOME": workdir, "USER": "student", "LOGNAME": "student", "PATH": "/usr/bin:/bin",
                       "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                       "PYTHONDONTWRITEBYTECODE": "1"})
    os.chdir(workdir)
    return workdir, report


def _close_all_but(keep: tuple[int, ...]) -> None:
    start = 3
    for fd in sorted(k for k in keep if k >= 3):
        os.closerange(start, fd)
        start = fd + 1
    os.closerange(start, max(resource.getrlimit(resource.RLIMIT_NOFILE)[0], 1024))


def _python_paths(hide: set[str]) -> list[str]:
    """Directories the interpreter still reads after the fork: its own installation always,
    other sys.path entries unless they lie in a hidden directory (an editable install's .pth
    pointing into the course must not re-expose it)."""
    import site
    import sysconfig

    core = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                          *sysconfig.get_paths().values(), *site.getsitepackages())
            if os.path.isdir(p)}
    extra = {os.path.realpath(p) for p in sys.path if p and os.path.isdir(p)}
    extra = {p for p in extra if not any(_within(p, h) for h in hide)}
    return sorted(core | extra)


def _within(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def _filesystem(policy: Policy, report: Report) -> str:
    """Give this mount namespace a private view; return the working directory."""
    if not report.attempt("private mounts", _mount, None, "/", None, _MS_REC | _MS_PRIVATE):
        return _host_workdir(policy)
    report.attempt("private /proc", _mount, "proc", "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)

    hide = {os.path.realpath(p) for p in policy.hide if os.path.isdir(p)}
    reveal = _python_paths(hide)
    if policy.uid is not None:
        # A directory others cannot traverse (e.g. /root holding a pyenv Python) would lock the
        # interpreter out after the uid change: cover it and re-expose only the interpreter.
        for path in reveal:
            parts = path.split("/")
            for depth in range(2, len(parts)):
                ancestor = "/".join(parts[:depth])
                if not os.stat(ancestor).st_mode & stat.S_IXOTH:
                    hide.add(ancestor)
                    break
    hide = {h for h in hide if not any(h != other and _within(h, other) for other in hide)}
    hide = {h for h in hide if not any(_within(h, s) for s in SCRATCH)}  # covered by a scratch tmpfs
    exposed = {path: os.open(path, _O_PATH) for path in reveal
               if any(_within(path, h) for h in (*hide, *SCRATCH)) and
               not any(_within(path, other) and path != other for other in reveal)}

    for scratch in SCRATCH:
        if os.path.isdir(scratch):
            report.attempt(f"private {scratch}", _mount, "tmpfs", scratch, "tmpfs", _MS_NOSUID | _MS_NODEV,
                           f"mode=1777,size={policy.scratch_bytes}")
    hidden_ok = True
    for path in sorted(hide):
        try:
            _mount("tmpfs", path, "tmpfs", _MS_NOSUID | _MS_NODEV, "mode=0755,size=1m")
        except OSError as exc:
            hidden_ok = False
            report.unavailable.append(f"hiding {path} ({exc.strerror})")
    for path, fd in exposed.items():
        try:
            os.makedirs(path, exist_ok=True)
            _mount(f"/proc/self/fd/{fd}", path, None, _MS_BIND | _MS_REC)
            _mount(None, path, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID)
        except OSError as exc:
            report.unavailable.append(f"exposing {path} ({exc.strerror})")
        finally:
            os.close(fd)
    for path in hide:
        try:
            _mount(None, path, None, _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV)
        except OSError:
            hidden_ok = False
    if hide and hidden_ok:
        report.applied.append("course and staging directories hidden")

    os.makedirs(WORKDIR, mode=0o755)
    _give_to_student(WORKDIR, policy)
    report.attempt("read-only root file system", _mount, None, "/", None,
                   _MS_REMOUNT | _MS_BIND | _MS_RDONLY)
    return WORKDIR


def _host_workdir(policy: Policy) -> str:
    """Without a mount namespace: a fresh directory in the host's temporary directory."""
    import tempfile

    workdir = tempfile.mkdtemp(prefix="autograder-work-")
    _give_to_student(workdir, policy)
    return workdir


def _give_to_student(directory: str, policy: Policy) -> None:
    """The student's process writes its files here after dropping to its uid."""
    if policy.uid is not None and os.geteuid() == 0:
        os.chown(directory, policy.uid, policy.gid if policy.gid is not None else policy.uid)


def apply_limits(policy: Policy, report: Report) -> None:
    """Set the resource limits of `policy` on this process, recording each in `report`."""
    limits = (
        ("cpu time", resource.RLIMIT_CPU, policy.cpu_seconds, policy.cpu_seconds + 2),
        ("memory", resource.RLIMIT_DATA, policy.memory_bytes, policy.memory_bytes),
        ("file size", resource.RLIMIT_FSIZE, policy.file_bytes, policy.file_bytes),
        ("open files", resource.RLIMIT_NOFILE, policy.open_files, policy.open_files),
        ("processes", resource.RLIMIT_NPROC, policy.processes, policy.processes),
        ("core dumps", resource.RLIMIT_CORE, 0, 0),
    )
    for what, which, soft, hard in limits:
        try:
            _current_soft, current_hard = resource.getrlimit(which)
            if current_hard != resource.RLIM_INFINITY and hard > current_hard:
                hard = current_hard
            resource.setrlimit(which, (min(soft, hard), hard))
        except (OSError, ValueError) as exc:
            report.unavailable.append(f"rlimit {what} ({exc})")
        else:
            report.applied.append(f"rlimit {what}")


def _drop(policy: Policy, report: Report) -> None:
    uid = policy.uid
    gid = policy.gid if policy.gid is not None else uid
    assert uid is not None and gid is not None
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid or os.getgroups():
        raise RuntimeError("dropping privileges did not take effect")
    report.applied.append(f"uid {uid}, gid {gid}, no supplementary groups")
