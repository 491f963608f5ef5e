"""Hostile: beat a per-read socket timeout by trickling the answer.

If the grader's time limit is a timeout on each socket read rather than a deadline for the whole
answer, a reply sent one byte at a time (each byte well inside the limit) is never cut off, so the
call can run as long as it likes. To keep the test short it only does this for the first public
example and stops after ~8 s with a wrong answer (0); a grader that enforces the deadline reports
a time-out after 3 s instead. Every other call is the stub.
"""

import json
import os
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
    """A complete reply as the runner's codec would encode {"ok": value, ...}."""
    tree = {"$": "dict", "v": [["ok", value], ["mutated", []], ["output", ""],
                               ["forbidden", []]]}
    header = json.dumps({"v": tree, "n": []}, separators=(",", ":")).encode()
    payload = struct.pack("<I", len(header)) + header
    return struct.pack("<Q", len(payload)) + payload


def conv_output_size(size, kernel_size, padding=0, stride=1):
    fd = _grader_socket()
    if fd is not None and (size, kernel_size, padding, stride) == (8, 3, 1, 1):
        frame = _reply_frame(0)
        for i in range(10):
            os.write(fd, frame[i:i + 1])
            time.sleep(0.8)
        os.write(fd, frame[10:])
        os._exit(0)  # the reply is sent: the runner's own reply must not follow it
    raise NotImplementedError("complete conv_output_size")


def same_padding(kernel_size):
    raise NotImplementedError("complete same_padding")
