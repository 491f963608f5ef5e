"""Hostile: threads that keep running after the call has answered.

A grader that read results lazily (or shared objects with us) would see the fixed-up values the
first thread writes after the call returns; the second thread answers the *next* requests
itself with forged replies claiming success; the third keeps the GIL busy. The answers
themselves are wrong.
"""

import json
import os
import stat
import struct
import threading
import time

RESULTS = []


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


def _fix_up_later(box):
    time.sleep(0.05)
    box[:] = [8, 8]


def _forge_replies():
    fd = _grader_socket()
    time.sleep(0.05)
    # (always-wrong values, so that whichever request happens to read them, the score stays 0)
    for value in ("forged", "replies", "from", "a", "thread"):
        try:
            os.write(fd, _reply_frame(value))
        except OSError:
            return
        time.sleep(0.01)


def _spin():
    end = time.monotonic() + 2
    while time.monotonic() < end:
        pass


def conv_output_size(size, kernel_size, padding=0, stride=1):
    box = [0.5, 0.5]
    RESULTS.append(box)
    threading.Thread(target=_fix_up_later, args=(box,), daemon=True).start()
    threading.Thread(target=_forge_replies, daemon=True).start()
    return box


def same_padding(kernel_size):
    threading.Thread(target=_spin, daemon=True).start()
    return 0.5
