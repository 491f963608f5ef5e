"""The chapter's loops with the result tensor made in the right dtype and on the right device."""

import torch
import torch.nn.functional as F
from torch import nn


def corr2d(x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    h, w = kernel.shape
    if h > x.shape[0] or w > x.shape[1]:
        raise ValueError(f"kernel {tuple(kernel.shape)} does not fit in x {tuple(x.shape)}")
    y = torch.zeros((x.shape[0] - h + 1, x.shape[1] - w + 1), dtype=x.dtype, device=x.device)
    for i in range(y.shape[0]):
        for j in range(y.shape[1]):
            y[i, j] = (x[i:i + h, j:j + w] * kernel).sum()
    return y


def pool2d(x, pool_size, stride=None, mode="max"):
    if mode != "max" and mode != "avg":
        raise ValueError(f"unknown mode {mode}")
    if isinstance(pool_size, int):
        pool_size = (pool_size, pool_size)
    if stride is None:
        stride = pool_size
    if isinstance(stride, int):
        stride = (stride, stride)
    p_h, p_w = pool_size
    s_h, s_w = stride
    if p_h > x.shape[0] or p_w > x.shape[1]:
        raise ValueError(f"pool_size {pool_size} is bigger than the input")
    dtype = x.dtype if mode == "max" or x.is_floating_point() else torch.get_default_dtype()
    y = torch.zeros(((x.shape[0] - p_h) // s_h + 1, (x.shape[1] - p_w) // s_w + 1), dtype=dtype, device=x.device)
    for i in range(y.shape[0]):
        for j in range(y.shape[1]):
            window = x[i * s_h:i * s_h + p_h, j * s_w:j * s_w + p_w]
            if mode == "max":
                y[i, j] = window.max()
            else:
                y[i, j] = window.to(dtype).mean()
    return y


def comp_conv2d(conv, x):
    if x.dim() != 2:
        raise ValueError(f"x must be a 2-D image, got {x.dim()} dimensions")
    if conv.in_channels != 1:
        raise ValueError(f"expected in_channels 1, got {conv.in_channels}")
    y = conv(x.view((1, 1) + x.shape))
    y = y[0]
    if conv.out_channels == 1:
        y = y[0]
    return y
