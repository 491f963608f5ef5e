"""Hostile: sys.exit(0) at import time.

pytest turns SystemExit inside a test into an error, but a runner that lets it propagate would
end grading with status 0 ("all good"). The functions below are wrong anyway.
"""

import sys

sys.exit(0)


def conv_output_size(size, kernel_size, padding=0, stride=1):
    return size


def same_padding(kernel_size):
    return 0
