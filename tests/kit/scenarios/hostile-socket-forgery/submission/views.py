"""Hostile: talk to the grader directly instead of through the runner.

Each function writes something to the grader's socket itself and then ends the process, so only
the forged bytes arrive: a frame length of 2**62 (a grader that allocated it would die), a reply
whose value is a *reference* to an object on the grader's side (the expected tensor the check
just uploaded, if the grader resolved it), a reply claiming the module is missing, and raw text
written to fd 1 after pointing fd 1 at the socket.
"""

import json
import os
import stat
import struct


def _grader_socket():
    for fd in range(3, 1024):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                return fd
        except OSError:
            continue
    raise RuntimeError("no socket")


def _frame(tree):
    header = json.dumps({"v": tree, "n": []}, separators=(",", ":")).encode()
    payload = struct.pack("<I", len(header)) + header
    return struct.pack("<Q", len(payload)) + payload


def _reply(**fields):
    return {"$": "dict", "v": [[k, v] for k, v in fields.items()]}


def reshape_shared(x, shape):
    if x.is_contiguous():
        os.write(_grader_socket(), struct.pack("<Q", 2**62) + b"\0" * 64)
    else:
        # fd 1 is /dev/null in the sandbox; point it at the socket and print a fake reply
        os.dup2(_grader_socket(), 1)
        os.write(1, b'{"ok": true}\n' * 100)
    os._exit(0)


def reshape_independent(x, shape):
    # "p1", "p2", …: the ids under which the grader keeps tensors it uploaded
    os.write(_grader_socket(), _frame(_reply(ok={"$": "ref", "id": "p2"}, mutated=[],
                                            output="", forbidden=[])))
    os._exit(0)


def to_scalar(t):
    os.write(_grader_socket(), _frame(_reply(missing="views")))
    os._exit(0)
