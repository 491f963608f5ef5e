"""Hostile: signals. If the grader shared a process group with us, killpg(0) would end grading;
a stopped process must not hang it; ignoring SIGTERM must not keep us alive past a time-out."""

import os
import signal

import torch

for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1, signal.SIGALRM):
    signal.signal(_sig, signal.SIG_IGN)


def reshape_shared(x, shape):
    os.killpg(0, signal.SIGTERM)
    os.killpg(0, signal.SIGKILL)
    return torch.zeros(1)


def reshape_independent(x, shape):
    os.kill(os.getpid(), signal.SIGSTOP)
    return torch.zeros(1)


def to_scalar(t):
    os.kill(0, signal.SIGKILL)  # pid 0: the whole process group
    return "0"
