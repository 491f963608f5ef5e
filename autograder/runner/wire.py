"""Framing on the socket between the grader and a student process (no torch needed here).

A frame is ``<u64 little-endian length><payload>``; a reader refuses a frame over its limit
(`Policy.message_bytes`, `MAX_FRAME` by default) before reading it, so a hostile child cannot
make the grader hold more than that. A read can be given a deadline for the *whole* frame: a
peer that trickles one byte at a time cannot stretch a call past its time limit.
"""

from __future__ import annotations

import socket
import struct
import time

__all__ = ["MAX_FRAME", "FrameError", "read_frame", "write_frame"]

#: Largest frame either side accepts by default (bytes): a whole AlexNet's parameters (244 MB)
#: cross in one message; a course that needs more raises `Policy.message_bytes`.
MAX_FRAME = 1 << 30
#: Below this size header and payload are joined and sent in one call (one copy of a small
#: payload is cheaper than a second system call); above it they are sent one after the other.
_JOIN_BELOW = 1 << 16
#: Largest piece read with one call.
_CHUNK = 1 << 22

_LENGTH = struct.Struct("<Q")


class FrameError(ValueError):
    """A frame is larger than allowed."""


def write_frame(sock: socket.socket, payload: bytes, *, limit: int = MAX_FRAME) -> None:
    """Send one length-prefixed frame."""
    if len(payload) > limit:
        raise FrameError(f"frame is larger than {limit // 2**20} MiB")
    header = _LENGTH.pack(len(payload))
    if len(payload) < _JOIN_BELOW:
        sock.sendall(header + payload)
    else:
        sock.sendall(header)
        sock.sendall(payload)


def read_frame(sock: socket.socket, *, limit: int = MAX_FRAME, deadline: float | None = None) -> bytearray:
    """Receive one frame; `EOFError` when the peer has gone, `FrameError` when it is too big,
    `TimeoutError` when the whole frame has not arrived by `deadline` (a `time.monotonic()`)."""
    (length,) = _LENGTH.unpack(_read_exact(sock, 8, deadline))
    if length > limit:
        raise FrameError(f"frame of {length} bytes is over the {limit}-byte limit")
    return _read_exact(sock, length, deadline)


def _read_exact(sock: socket.socket, n: int, deadline: float | None) -> bytearray:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the frame did not arrive in time")
            sock.settimeout(remaining)
        chunk = sock.recv_into(view[got:], min(n - got, _CHUNK))
        if chunk == 0:
            raise EOFError("peer closed the connection")
        got += chunk
    return buf
