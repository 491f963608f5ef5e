"""Every window at once with as_strided, then one reduction."""

import torch
import torch.nn.functional as F
from torch import nn


def _windows(x, kh, kw, sh, sw):
    oh, ow = (x.shape[0] - kh) // sh + 1, (x.shape[1] - kw) // sw + 1
    s0, s1 = x.stride()
    return x.as_strided((oh, ow, kh, kw), (sh * s0, sw * s1, s0, s1), x.storage_offset())


def corr2d(x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    if any(k > n for k, n in zip(kernel.shape, x.shape)):
        raise ValueError(f"kernel shape {tuple(kernel.shape)} exceeds the input's {tuple(x.shape)}")
    return (_windows(x, *kernel.shape, 1, 1) * kernel).sum(dim=(-2, -1))


def pool2d(x, pool_size, stride=None, mode="max"):
    if mode not in ("max", "avg"):
        raise ValueError("mode must be max or avg")
    size = tuple(pool_size) if not isinstance(pool_size, int) else (pool_size,) * 2
    step = size if stride is None else (tuple(stride) if not isinstance(stride, int) else (stride,) * 2)
    if size[0] > x.shape[0] or size[1] > x.shape[1]:
        raise ValueError(f"pool_size {size} is larger than {tuple(x.shape)}")
    windows = _windows(x, *size, *step)
    if mode == "max":
        return windows.amax(dim=(-2, -1))
    return windows.sum(dim=(-2, -1)) / (size[0] * size[1])


def comp_conv2d(conv, x):
    if len(x.shape) != 2:
        raise ValueError(f"x must be (H, W), got {tuple(x.shape)}")
    if conv.in_channels != 1:
        raise ValueError(f"in_channels is {conv.in_channels}, not 1")
    y = conv(x.reshape(1, 1, *x.shape))
    return y.reshape(y.shape[2:]) if conv.out_channels == 1 else y.reshape(y.shape[1:])
