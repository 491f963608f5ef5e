"""Computes nothing: zeros of the right shape, dtype and device."""

import torch
import torch.nn.functional as F
from torch import nn


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def corr2d(x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    return x.new_zeros(max(x.shape[0] - kernel.shape[0] + 1, 1), max(x.shape[1] - kernel.shape[1] + 1, 1))


def pool2d(x, pool_size, stride=None, mode="max"):
    ph, pw = _pair(pool_size)
    sh, sw = _pair(pool_size if stride is None else stride)
    dtype = x.dtype if mode == "max" or x.is_floating_point() else torch.float32
    return torch.zeros(max((x.shape[0] - ph) // sh + 1, 1), max((x.shape[1] - pw) // sw + 1, 1),
                       dtype=dtype, device=x.device)


def comp_conv2d(conv, x):
    if x.dim() != 2:
        return x
    size = []
    for n, k, p, s, d in zip(x.shape, conv.kernel_size, conv.padding, conv.stride, conv.dilation):
        size.append(max((n + 2 * p - d * (k - 1) - 1) // s + 1, 1))
    shape = tuple(size) if conv.out_channels == 1 else (conv.out_channels, *size)
    return torch.zeros(shape, dtype=x.dtype, device=x.device)
