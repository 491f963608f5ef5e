"""Limits for a student process: plain data that travels from the grader to the zygote."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, fields
from typing import Any

from autograder.runner.wire import MAX_FRAME

__all__ = ["Policy", "default_policy", "within"]


@dataclass(frozen=True, slots=True)
class Policy:
    """Limits for one student process."""

    #: run as this user and group id (None: keep the current user)
    uid: int | None = None
    gid: int | None = None
    #: directories the submission must not see (the course, the grader's staging area): never
    #: exposed from sys.path, and covered where they lie inside an exposed directory (or, without
    #: an allowlisted root, on the host's tree)
    hide: tuple[str, ...] = ()
    #: new namespaces and an allowlisted root file system (directly as root, else inside a user
    #: namespace where the kernel allows one)
    namespaces: bool = True
    #: as root: switch to this uid and gid before confining, so the child confines itself the way
    #: a non-root grader's child does (a user namespace); for testing that path as root
    drop_first: int | None = None
    #: CPU seconds for the whole process (one submission); SIGXCPU ends it after that
    cpu_seconds: int = 300
    #: private writable memory (RLIMIT_DATA); an allocation past it fails cleanly
    memory_bytes: int = 4 * 2**30
    #: largest file the process may write
    file_bytes: int = 64 * 2**20
    open_files: int = 256
    #: processes and threads of the sandbox user (counted per uid by the kernel)
    processes: int = 64
    #: size of each private tmpfs (/tmp, /var/tmp, /dev/shm)
    scratch_bytes: int = 256 * 2**20
    #: modules imported before the first fork, shared by every child (`Course.preload`)
    preload: tuple[str, ...] = ("torch",)
    #: largest message either side sends (tensor data included); a course with bigger models raises it
    message_bytes: int = MAX_FRAME
    #: characters of printed output kept per call and per check
    output_chars: int = 4000

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        for key in ("hide", "preload"):
            if key in values:
                values[key] = tuple(values[key])
        return cls(**values)


def default_policy(*, hide: tuple[str, ...] = (), preload: tuple[str, ...] = ("torch",)) -> Policy:
    """Limits for a child: a throwaway uid when the grader is root, namespaces on Linux."""
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    # One uid per grader process, so concurrent graders do not share a process-count limit.
    uid = 61000 + os.getpid() % 1000 if root else None
    return Policy(uid=uid, gid=uid, hide=hide, namespaces=sys.platform.startswith("linux"), preload=preload)


def within(path: str, directory: str) -> bool:
    """Whether `path` is `directory` or lies below it (both absolute and normalised): the one test
    of the sandbox's file-system rules and of which files are the submission's."""
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)
