"""Computes nothing: the smallest valid output size, and zero padding of the right type."""


def conv_output_size(size: int, kernel_size: int, padding: int = 0, stride: int = 1) -> int:
    return 1


def same_padding(kernel_size: int | tuple[int, int]) -> int | tuple[int, int]:
    if isinstance(kernel_size, (tuple, list)):
        return (0, 0)
    return 0
