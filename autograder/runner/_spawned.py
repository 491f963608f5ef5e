"""A student process started as a fresh interpreter (where the zygote cannot fork children).

Started by `SpawnFactory` with the working directory already holding a copy of the submission.
It reads a one-time token from stdin, connects back to the grader on loopback, applies the
resource limits this platform offers, and serves requests exactly as a forked child does.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys

__all__ = ["main"]


def main(kit_root: str, port: str, limits: str) -> None:
    token = sys.stdin.readline().strip()
    sys.dont_write_bytecode = True  # `python -I` ignores PYTHONDONTWRITEBYTECODE
    os.environ["PYTORCH_NVML_BASED_CUDA_CHECK"] = "1"
    import torch

    from autograder.runner import _child
    from autograder.runner.policy import Policy

    torch.set_num_threads(1)
    policy = Policy.from_dict(json.loads(limits))
    for name in policy.preload:
        with contextlib.suppress(ImportError):
            __import__(name)
    applied, unavailable = [], ["namespaces and uid change (not available for spawned processes)"]
    try:
        from autograder.runner import _jail

        report = _jail.Report()
        _jail.apply_limits(policy, report)
        applied, unavailable = report.applied, unavailable + report.unavailable
    except ImportError:  # no `resource` module (Windows)
        unavailable.append("resource limits (not available on this platform)")
    sock = socket.create_connection(("127.0.0.1", int(port)))
    sock.sendall(token.encode())
    workdir = os.getcwd()
    sys.path[:] = [workdir, *(p for p in sys.path if p and os.path.abspath(p) != os.path.abspath(kit_root))]
    _child.serve(sock, workdir, policy, applied=applied, unavailable=unavailable)
