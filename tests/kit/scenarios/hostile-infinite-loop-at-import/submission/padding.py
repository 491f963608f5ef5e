"""Hostile: never finish importing. A grader without time limits hangs here forever; one that
retried the import for every check would pay the time limit eight times."""

while True:
    pass


def conv_output_size(size, kernel_size, padding=0, stride=1):
    return 0.5


def same_padding(kernel_size):
    return 0.5
