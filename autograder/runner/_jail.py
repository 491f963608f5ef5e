"""Confinement of the student's process (Linux first, any POSIX where it can).

`confine` runs in a process just forked from the zygote, before any student code. Each layer is
tried on its own; what fails is recorded with the reason and the rest still applies, so a
result can say exactly how its submission was isolated. On Linux the layers are:

* namespaces: a new network namespace (no interfaces up, so no network), PID namespace (the
  submission sees only its own processes; killing its first process kills them all), mount,
  IPC and UTS namespaces. As root these are created directly; without root inside a new user
  namespace that maps the grader's uid and gid to themselves (and nothing else);
* an allowlisted root file system (as ioi/isolate, nsjail and bubblewrap build one): a fresh
  tmpfs holding, read-only, only the Python installation and the directories it imports from,
  the directories of the shared libraries the process has mapped plus the standard loader
  directories (for a late dlopen, e.g. libcuda), the loader's configuration, the top-level
  symlinks of / that lead into these; a minimal /dev (null, zero, full, random, urandom, and
  /dev/nvidia* where present: CUDA needs them), its own /proc, and private tmpfs /tmp, /var/tmp
  and /dev/shm (the empty working directory, which the submission's files reach later over the
  socket, lies in /tmp). The process pivots into it and detaches the host's tree, so nothing
  else on the machine (other checkouts, home directories, /opt, the kit itself) exists for it.
  Directories `Policy.hide` names, and the kit's own package, are covered with an empty tmpfs
  where they lie inside an allowed directory. Where the root cannot be built, the host's tree
  stays, read-only, with private scratch directories and the hidden directories covered;
* an unprivileged user id with no supplementary groups (as root), or no capabilities at all in
  the user namespace (without root); no_new_privs either way;
* resource limits: CPU time, memory (RLIMIT_DATA, which unlike RLIMIT_AS leaves CUDA's address
  space reservations alone), file size, open files, processes, no core dumps.

The list of what the root holds (`plan`) is computed once, in the zygote, and inherited by every
child: the zygote imported everything children use before it forks, so its mapped libraries and
import paths are theirs.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import glob
import os
import platform
import resource
import signal
import stat
import sys
import sysconfig
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from autograder.runner.policy import Policy, within

__all__ = ["Plan", "Report", "apply_limits", "confine", "pid_namespace_for_children", "plan"]

_CLONE_NEWNS = 0x00020000
_CLONE_NEWUTS = 0x04000000
_CLONE_NEWIPC = 0x08000000
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWPID = 0x20000000
_CLONE_NEWNET = 0x40000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REMOUNT, _MS_NOATIME, _MS_NODIRATIME, _MS_BIND, _MS_REC = 32, 1024, 2048, 4096, 16384
_MS_PRIVATE, _MS_RELATIME, _MS_STRICTATIME = 1 << 18, 1 << 21, 1 << 24
_MNT_DETACH = 2
_PR_SET_DUMPABLE, _PR_CAPBSET_DROP, _PR_SET_NO_NEW_PRIVS, _PR_CAP_AMBIENT = 4, 24, 38, 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_O_PATH = getattr(os, "O_PATH", 0o10000000)
_AT_FDCWD, _AT_EMPTY_PATH, _AT_RECURSIVE = -100, 0x1000, 0x8000
_OPEN_TREE_CLONE, _MOVE_MOUNT_F_EMPTY_PATH = 1, 4
_MOUNT_ATTR_RDONLY, _MOUNT_ATTR_NOSUID, _MOUNT_ATTR_NODEV = 1, 2, 4
# open_tree, move_mount and mount_setattr have one number on every architecture (424 and up).
_SYS_OPEN_TREE, _SYS_MOVE_MOUNT, _SYS_MOUNT_SETATTR = 428, 429, 442
_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}.get(platform.machine())

#: Scratch directories every sandbox gets fresh and private.
SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")
#: Where the submission's files are copied inside the sandbox.
WORKDIR = "/tmp/work"
#: Where the new root is assembled (in the child's own mount namespace) before pivot_root.
_ASSEMBLY = "/tmp"
_DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
_LOADER_CONFIG = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d")


@dataclass
class Report:
    applied: list[str] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)

    def attempt(self, what: str, action: Any, *args: Any) -> bool:
        try:
            action(*args)
        except OSError as exc:
            self.unavailable.append(f"{what} ({_why(exc)})")
            return False
        self.applied.append(what)
        return True


def _why(exc: OSError) -> str:
    return f"{errno.errorcode.get(exc.errno or 0, 'error')}: {exc.strerror or exc}"


_libc: Any = None


def _call(name: str, *args: Any) -> int:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.syscall.restype = ctypes.c_long
    result = int(getattr(_libc, name)(*args))
    if result < 0 if name == "syscall" else result != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
    return result


def _c(name: str, *args: Any) -> None:
    _call(name, *args)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _c("mount", source and source.encode(), target.encode(), fstype and fstype.encode(),
       ctypes.c_ulong(flags), data and data.encode())


def pid_namespace_for_children(own: int, *, fresh: bool) -> None:
    """Put this process's next children in a fresh PID namespace, the first of them its init
    (`fresh`), or back in our own (`own`: an fd of this process's PID namespace).

    The zygote makes each child the init of a fresh namespace this way, so the child needs no
    second fork of its own to get one: a fork of a process holding torch costs tens of
    milliseconds of page tables. Needs CAP_SYS_ADMIN; raises OSError without it. Not for a child
    that makes a user namespace (`Policy.drop_first`): a procfs can be mounted only by a holder
    of CAP_SYS_ADMIN in the user namespace that owns the PID namespace.
    """
    _c("setns", own, _CLONE_NEWPID)  # unshare makes a new namespace once per namespace we are in
    if fresh:
        _c("unshare", _CLONE_NEWPID)


class _Bind(NamedTuple):
    #: where it appears in the new root
    target: str
    #: the host path mounted there (a directory, a file or a device node)
    source: str
    directory: bool
    device: bool = False


@dataclass(frozen=True)
class Plan:
    """What an allowlisted root holds: read-only mounts, empty covers and symlinks."""

    binds: tuple[_Bind, ...]
    #: directories inside the binds covered with an empty tmpfs (the kit's package, hidden ones)
    covers: tuple[str, ...]
    #: (path, target) symlinks recreated in the new root (/lib -> usr/lib on merged-usr systems)
    links: tuple[tuple[str, str], ...]


_plans: dict[tuple[str, ...], Plan] = {}


def plan(policy: Policy) -> Plan:
    """The allowlisted root for `policy`, computed once per process (the zygote calls this
    before it forks, so children inherit the answer)."""
    key = tuple(sorted(policy.hide))
    if key not in _plans:
        _plans[key] = _make_plan(policy.hide)
    return _plans[key]


def _make_plan(hide: tuple[str, ...]) -> Plan:
    import site

    import autograder

    package = os.path.dirname(os.path.realpath(autograder.__file__))
    # The interpreter's own installation is exposed whatever it holds (a virtual environment
    # inside the course included); other import paths only when they neither lie in nor contain
    # a hidden directory (an editable install's .pth pointing into a checkout must not expose it).
    core = {os.path.abspath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                                         *sysconfig.get_paths().values(), *site.getsitepackages())
            if os.path.isdir(p)}
    hidden = {os.path.realpath(p) for p in hide if os.path.isdir(p)} | {package}
    if os.path.dirname(package) not in {os.path.realpath(p) for p in core}:
        hidden.add(os.path.dirname(package))  # a source checkout of the kit, a course beside it
    extra = {os.path.abspath(p) for p in sys.path if p and os.path.exists(p)} - core
    extra = {p for p in extra
             if not any(within(os.path.realpath(p), h) or within(h, os.path.realpath(p)) for h in hidden)}
    libraries = {os.path.dirname(path) for path in _mapped_files()}
    libraries = {d for d in libraries if os.path.isdir(d) and not any(within(d, h) for h in (*hidden, *SCRATCH))}
    multiarch = sysconfig.get_config_var("MULTIARCH") or f"{platform.machine()}-linux-gnu"
    loader = {d for d in ("/lib", "/lib64", "/usr/lib", "/usr/lib64", f"/lib/{multiarch}", f"/usr/lib/{multiarch}")
              if os.path.isdir(d)}

    # Directories are mounted where they really are; symlinks on the way are recreated.
    wanted = [_Bind(os.path.realpath(p), os.path.realpath(p), os.path.isdir(p))
              for p in sorted(core | extra | libraries | loader)]
    wanted += [_Bind(p, p, os.path.isdir(p)) for p in _LOADER_CONFIG if os.path.exists(p)]
    wanted += [_Bind(p, p, os.path.isdir(p), device=True)
               for p in (*_DEVICES, *sorted(glob.glob("/dev/nvidia*"))) if os.path.exists(p)]
    binds: list[_Bind] = []
    for bind in sorted(wanted, key=lambda b: (b.target.count("/"), b.target)):
        if bind.target != "/" and not any(within(bind.target, b.target) for b in binds if b.directory):
            binds.append(bind)
    directories = [b.target for b in binds if b.directory and not b.device]
    covers = sorted(h for h in hidden if os.path.isdir(h) and any(within(h, d) and h != d for d in directories))
    covers = [c for c in covers if not any(within(c, other) and c != other for other in covers)]

    links: dict[str, str] = {}
    for path in sorted(core | extra | loader | set(_LOADER_CONFIG)):
        _links_on(path, links, depth=0)
    for name in os.listdir("/"):
        top = "/" + name
        if os.path.islink(top):
            real = os.path.realpath(top)
            if any(within(real, b.target) or within(b.target, real) for b in binds):
                links[top] = os.readlink(top)
    kept = tuple(sorted((path, target) for path, target in links.items()
                        if not any(within(path, b.target) for b in binds)))
    return Plan(tuple(binds), tuple(covers), kept)


def _links_on(path: str, links: dict[str, str], depth: int) -> None:
    """Record the symlinks met on the way to `path` (and on the way to their targets)."""
    if depth > 8:
        return
    current = "/"
    for part in path.strip("/").split("/"):
        step = os.path.join(current, part)
        if os.path.islink(step):
            target = os.readlink(step)
            if step not in links:
                links[step] = target
                _links_on(os.path.normpath(os.path.join(current, target)), links, depth + 1)
            current = os.path.realpath(step)
        else:
            current = step


def _mapped_files() -> set[str]:
    """Files this process has mapped (its interpreter and every shared library it loaded)."""
    found = set()
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                fields = line.split(None, 5)
                if len(fields) == 6 and fields[5].startswith("/"):
                    path = fields[5].rstrip("\n")
                    if not path.endswith(" (deleted)") and not path.startswith(("/dev/", "/proc/", "/sys/")):
                        found.add(path)
    except OSError:
        pass
    return found


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
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # over the file-size limit: an error, not death
    linux = sys.platform.startswith("linux")
    root_plan = plan(policy) if policy.namespaces and linux else None
    clones: dict[str, int] = {}
    if policy.drop_first is not None:
        if os.geteuid() == 0 and root_plan is not None:
            # An fd opened before the user namespace (and its mount namespace) exists cannot be
            # bind-mounted inside it (EINVAL); a detached clone of the tree can be attached there.
            clones = _clone_sources(root_plan)
        _switch_first(policy.drop_first, report)
    root = os.geteuid() == 0
    isolated = init = False
    if policy.namespaces and linux:
        init = os.getpid() == 1
        flags = _CLONE_NEWNS | _CLONE_NEWNET | _CLONE_NEWIPC | _CLONE_NEWUTS | (0 if init else _CLONE_NEWPID)
        if root:
            isolated = report.attempt("namespaces (network, pid, mount, ipc, uts)", _c, "unshare", flags)
        else:
            uid, gid = os.getuid(), os.getgid()
            isolated = report.attempt("namespaces (user, network, pid, mount, ipc, uts)",
                                      _c, "unshare", flags | _CLONE_NEWUSER)
            if isolated:
                report.attempt(f"uid {uid} and gid {gid} mapped to themselves, nothing else", _map_ids, uid, gid)
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

    if isolated and root_plan is not None:
        workdir = _filesystem(policy, root_plan, clones, report)
    else:
        for fd in clones.values():
            os.close(fd)
        workdir = _host_workdir(policy)
        os.write(report_pid, f"0 {workdir}\n".encode())
    os.close(report_pid)

    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    _close_all_but(keep_fds)  # the O_PATH fds of the host's tree included
    apply_limits(policy, report)
    if policy.uid is not None:
        if root:
            _drop(policy, report)
        else:
            report.unavailable.append(f"uid {policy.uid} (the grader is not root)")
    if isolated and not root:
        report.attempt("all capabilities dropped (effective, permitted, inheritable, ambient, bounding)",
                       _drop_capabilities)
    if linux:
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


def _switch_first(uid: int, report: Report) -> None:
    """Become `uid` (and gid `uid`) before confinement: the child then confines itself exactly
    as a non-root grader's child does (`Policy.drop_first`)."""
    if os.geteuid() != 0:
        report.unavailable.append(f"drop_first to uid {uid} (the grader is not root)")
        return
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid or os.getgroups():
        raise RuntimeError("dropping privileges did not take effect")
    # A uid change leaves the process undumpable, and /proc/self then belongs to root: it could
    # not write its own uid_map. A process started as this uid would be dumpable.
    _c("prctl", _PR_SET_DUMPABLE, 1, 0, 0, 0)
    report.applied.append(f"uid {uid} before confinement (as a non-root grader)")


def _map_ids(uid: int, gid: int) -> None:
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as file:
            file.write(text)


def _clone_sources(root_plan: Plan) -> dict[str, int]:
    """Detached clones (open_tree) of the plan's sources that another uid could not reach (a
    pyenv Python under a 0700 /root), taken while this process still can. The others are opened
    later, in the user namespace, as a non-root grader's child opens them."""
    clones = {}
    for bind in root_plan.binds:
        if _open_to_others(bind.source):
            continue
        with contextlib.suppress(OSError):  # an older kernel: the source is opened later, as the new uid
            clones[bind.source] = _call("syscall", ctypes.c_long(_SYS_OPEN_TREE), ctypes.c_int(_AT_FDCWD),
                                        bind.source.encode(),
                                        ctypes.c_uint(_OPEN_TREE_CLONE | os.O_CLOEXEC | _AT_RECURSIVE))
    return clones


def _open_to_others(path: str) -> bool:
    """Whether a uid with no relation to the owners can traverse every directory above `path`."""
    parts = path.split("/")
    try:
        return all(os.stat("/".join(parts[:depth])).st_mode & stat.S_IXOTH for depth in range(2, len(parts)))
    except OSError:
        return False


def _drop_capabilities() -> None:
    """No capability left in any set, so nothing can be mounted, remounted or unmounted."""
    for cap in range(64):  # the bounding set first: dropping it needs CAP_SETPCAP
        try:
            _c("prctl", _PR_CAPBSET_DROP, cap, 0, 0, 0)
        except OSError as exc:
            if exc.errno == errno.EINVAL:  # past the last capability this kernel knows
                break
            raise
    _c("prctl", _PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    _c("capset", ctypes.byref(Header(0x20080522, 0)), ctypes.byref((Data * 2)()))  # version 3: two words


def _close_all_but(keep: tuple[int, ...]) -> None:
    start = 3
    for fd in sorted(k for k in keep if k >= 3):
        os.closerange(start, fd)
        start = fd + 1
    os.closerange(start, max(resource.getrlimit(resource.RLIMIT_NOFILE)[0], 1024))


class _Refused(Exception):
    """The allowlisted root cannot be built here (what failed, and why)."""


def _step(what: str, action: Any, *args: Any) -> None:
    try:
        action(*args)
    except OSError as exc:
        raise _Refused(f"{what}: {_why(exc)}") from None


def _filesystem(policy: Policy, root_plan: Plan, clones: dict[str, int], report: Report) -> str:
    """Give this mount namespace its own root; return the working directory."""
    if not report.attempt("private mounts", _mount, None, "/", None, _MS_REC | _MS_PRIVATE):
        for fd in clones.values():
            os.close(fd)
        return _host_workdir(policy)
    steps = Report()  # kept only if the root is built: the fallback applies its own layers
    try:
        how, mounts = _allowlisted_root(policy, root_plan, clones, steps)
    except _Refused as exc:
        report.unavailable.append(f"allowlisted root ({exc}); the host's file system stays visible")
        return _host_view(policy, report)
    report.applied.append(f"allowlisted root ({how}: {mounts} read-only mounts of the Python installation, "
                          "shared libraries, loader configuration and devices)")
    report.applied += steps.applied
    report.unavailable += steps.unavailable
    report.attempt("read-only root file system", _mount, None, "/", None,
                   _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID | _MS_NODEV)
    return WORKDIR


def _allowlisted_root(policy: Policy, root_plan: Plan, clones: dict[str, int], report: Report) -> tuple[str, int]:
    """Assemble the plan's root on a tmpfs and pivot into it; return how ("pivot_root" or
    "chroot") and how many mounts it holds. Raises `_Refused` while the host's tree is still ours
    to fall back on."""
    sources: dict[str, tuple[int, bool]] = {}  # target → (fd, detached clone)
    for bind in root_plan.binds:
        if bind.source in clones:
            sources[bind.target] = (clones.pop(bind.source), True)
            continue
        try:  # opened before the root is assembled over /tmp, and before any uid change
            sources[bind.target] = (os.open(bind.source, _O_PATH | os.O_CLOEXEC), False)
        except OSError as exc:
            report.unavailable.append(f"exposing {bind.target} ({_why(exc)})")
    new = os.path.realpath(_ASSEMBLY)
    assembled = False
    old_umask = os.umask(0o022)  # the tmpfs's directories: traversable by an unprivileged uid
    try:
        _step("tmpfs for the new root", _mount, "tmpfs", new, "tmpfs", _MS_NOSUID | _MS_NODEV, "mode=0755,size=4m")
        assembled = True
        for scratch in SCRATCH:
            os.makedirs(new + scratch, mode=0o755, exist_ok=True)
            _step(f"private {scratch}", _mount, "tmpfs", new + scratch, "tmpfs", _MS_NOSUID | _MS_NODEV,
                  f"mode=1777,size={policy.scratch_bytes}")
        report.applied.append(f"private {', '.join(SCRATCH)}")
        exposed = [bind for bind in root_plan.binds
                   if bind.target in sources and _expose(new, bind, *sources[bind.target], report)]
        for cover in root_plan.covers:
            report.attempt(f"{cover} covered (nothing of the kit or the course)", _mount, "tmpfs", new + cover,
                           "tmpfs", _MS_RDONLY | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, "mode=0755,size=4k")
        for bind in exposed:
            try:
                _read_only(new + bind.target, device=bind.device)
            except OSError as exc:
                report.unavailable.append(f"read-only {bind.target} ({_why(exc)})")
        for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                             ("stderr", "/proc/self/fd/2")):
            _step("/dev links", os.symlink, target, f"{new}/dev/{name}")
        for path, target in root_plan.links:
            os.makedirs(new + os.path.dirname(path), mode=0o755, exist_ok=True)
            _step(f"symlink {path}", os.symlink, target, new + path)
        os.makedirs(new + "/proc", mode=0o755, exist_ok=True)
        report.attempt("private /proc", _mount, "proc", new + "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)
        _step("working directory", os.mkdir, new + WORKDIR, 0o755)
        _give_to_student(new + WORKDIR, policy)
        os.chdir(new)
        os.mkdir("put_old", 0o700)
        how = "pivot_root"
        try:
            if _SYS_PIVOT_ROOT is None:
                raise OSError(errno.ENOSYS, f"no pivot_root number known for {platform.machine()}")
            _call("syscall", ctypes.c_long(_SYS_PIVOT_ROOT), b".", b"put_old")
        except OSError as exc:
            # pivot_root refuses an initramfs root (EINVAL). chroot keeps the allowlist; it cannot
            # be undone without CAP_SYS_CHROOT, and a chrooted process may make no user namespace.
            report.unavailable.append(f"pivot_root ({_why(exc)}): chroot instead")
            os.rmdir("put_old")
            _step("chroot", os.chroot, ".")
            how = "chroot"
    except BaseException:
        os.umask(old_umask)
        os.chdir("/")
        for fd, _ in sources.values():
            os.close(fd)
        if assembled:
            try:
                _c("umount2", new.encode(), _MNT_DETACH)
            except OSError as exc:  # the half-built root would cover /tmp: nothing sane is left
                raise RuntimeError(f"could not take back a half-built root ({_why(exc)})") from None
        raise
    os.umask(old_umask)
    for fd, _ in sources.values():
        os.close(fd)
    os.chdir("/")
    if how == "pivot_root":
        try:  # past this point there is no going back: fail closed rather than keep the host's tree
            _c("umount2", b"/put_old", _MNT_DETACH)
            os.rmdir("/put_old")
        except OSError as exc:
            raise RuntimeError(f"could not detach the host's file system ({_why(exc)})") from None
    return how, len(exposed)


def _expose(new: str, bind: _Bind, fd: int, detached: bool, report: Report) -> bool:
    target = new + bind.target
    try:
        if bind.directory:
            os.makedirs(target, mode=0o755, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        if detached:
            _call("syscall", ctypes.c_long(_SYS_MOVE_MOUNT), ctypes.c_int(fd), b"", ctypes.c_int(_AT_FDCWD),
                  target.encode(), ctypes.c_uint(_MOVE_MOUNT_F_EMPTY_PATH))
        else:
            _mount(f"/proc/self/fd/{fd}", target, None, _MS_BIND | _MS_REC)
    except OSError as exc:
        report.unavailable.append(f"exposing {bind.target} ({_why(exc)})")
        return False
    return True


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64), ("propagation", ctypes.c_uint64),
                ("userns_fd", ctypes.c_uint64)]


def _read_only(target: str, *, device: bool) -> None:
    """Make a bind and everything mounted below it read-only (and nosuid; nodev unless it is a
    device node). mount_setattr (Linux 5.12) reaches submounts and only adds flags, so it never
    trips over the flags a user namespace locks; before it, a remount keeps them explicitly."""
    flags = _MOUNT_ATTR_RDONLY | _MOUNT_ATTR_NOSUID | (0 if device else _MOUNT_ATTR_NODEV)
    try:
        _call("syscall", ctypes.c_long(_SYS_MOUNT_SETATTR), ctypes.c_int(_AT_FDCWD), target.encode(),
              ctypes.c_uint(_AT_RECURSIVE), ctypes.byref(_MountAttr(flags, 0, 0, 0)),
              ctypes.c_size_t(ctypes.sizeof(_MountAttr)))
        return
    except OSError as exc:
        if exc.errno != errno.ENOSYS:
            raise
    current = os.statvfs(target).f_flag
    kept = 0
    for st_flag, ms_flag in ((os.ST_NODEV, _MS_NODEV), (os.ST_NOEXEC, _MS_NOEXEC), (os.ST_NOATIME, _MS_NOATIME),
                             (os.ST_NODIRATIME, _MS_NODIRATIME), (os.ST_RELATIME, _MS_RELATIME)):
        if current & st_flag:
            kept |= ms_flag
    if not kept & (_MS_NOATIME | _MS_RELATIME):
        kept |= _MS_STRICTATIME
    _mount(None, target, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID | kept | (0 if device else _MS_NODEV))


def _host_view(policy: Policy, report: Report) -> str:
    """Without an allowlisted root: the host's tree, read-only, with private scratch directories
    and the hidden directories covered."""
    for scratch in SCRATCH:
        if os.path.isdir(scratch):
            report.attempt(f"private {scratch}", _mount, "tmpfs", scratch, "tmpfs", _MS_NOSUID | _MS_NODEV,
                           f"mode=1777,size={policy.scratch_bytes}")
    report.attempt("private /proc", _mount, "proc", "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)
    for path in sorted({os.path.realpath(p) for p in policy.hide if os.path.isdir(p)}):
        if not any(within(path, s) for s in SCRATCH):
            report.attempt(f"{path} covered", _mount, "tmpfs", path, "tmpfs",
                           _MS_RDONLY | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, "mode=0755,size=4k")
    os.makedirs(WORKDIR, mode=0o755)
    _give_to_student(WORKDIR, policy)
    report.attempt("read-only root file system", _mount, None, "/", None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY)
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
