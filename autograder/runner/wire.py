"""Framing on the socket between the grader and a student process (no torch needed here).

A frame is ``<u64 little-endian length><payload>``; either side refuses frames over
`MAX_FRAME`. A read can be given a deadline for the *whole* frame: a peer that trickles one
byte at a time cannot stretch a call past its time limit.
"""

from __future__ import annotations

import socket
import struct
import time

__all__ = ["MAX_FRAME", "FrameError", "read_frame", "write_frame"]

#: Largest frame either side accepts (bytes): far above what a check sends, small enough that a
#: hostile child cannot make the grader hold much.
MAX_FRAME = 64 * 1024 * 1024


class FrameError(ValueError):
    """A frame is larger than allowed."""


def write_frame(sock: socket.socket, payload: bytes) -> None:
    """Send one length-prefixed frame."""
    if len(payload) > MAX_FRAME:
        raise FrameError(f"frame is larger than {MAX_FRAME // 2**20} MiB")
    sock.sendall(struct.pack("<Q", len(payload)) + payload)


def read_frame(sock: socket.socket, *, limit: int = MAX_FRAME, deadline: float | None = None) -> bytes:
    """Receive one frame; `EOFError` when the peer has gone, `FrameError` when it is too big,
    `TimeoutError` when the whole frame has not arrived by `deadline` (a `time.monotonic()`)."""
    (length,) = struct.unpack("<Q", _read_exact(sock, 8, deadline))
    if length > limit:
        raise FrameError(f"frame of {length} bytes is over the {limit}-byte limit")
    return _read_exact(sock, length, deadline)


def _read_exact(sock: socket.socket, n: int, deadline: float | None) -> bytes:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the frame did not arrive in time")
            sock.settimeout(remaining)
        chunk = sock.recv_into(view[got:], min(n - got, 1 << 20))
        if chunk == 0:
            raise EOFError("peer closed the connection")
        got += chunk
    return bytes(buf)
