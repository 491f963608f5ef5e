"""Hostile: BaseExceptions that are not Exceptions, raised inside calls.

SystemExit and KeyboardInterrupt slip past `except Exception`: a careless runner would end the
whole grading run (SystemExit(0) → exit status 0) or report the check as interrupted/skipped.
"""

import sys


def conv_output_size(size, kernel_size, padding=0, stride=1):
    sys.exit(0)


def same_padding(kernel_size):
    raise KeyboardInterrupt
