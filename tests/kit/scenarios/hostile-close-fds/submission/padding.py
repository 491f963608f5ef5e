"""Hostile: cut the line to the grader.

If a call that never answers (its socket closed) were read as "nothing to report", a check
would pass. Closing stdin/stdout/stderr at import must not matter either.
"""

import os
import socket
import stat

for _fd in (0, 1, 2):
    try:
        os.close(_fd)
    except OSError:
        pass


def conv_output_size(size, kernel_size, padding=0, stride=1):
    os.closerange(3, 1024)  # the socket to the grader goes with everything else
    return 0.5


def same_padding(kernel_size):
    for fd in range(3, 1024):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                socket.socket(fileno=os.dup(fd)).shutdown(socket.SHUT_RDWR)
        except OSError:
            continue
    return 0.5
