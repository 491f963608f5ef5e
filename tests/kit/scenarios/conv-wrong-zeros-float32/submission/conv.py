"""The chapter's torch.zeros result tensor: float32 on the CPU whatever the input."""

import torch
import torch.nn.functional as F
from torch import nn


def corr2d(x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    h, w = kernel.shape
    if h > x.shape[0] or w > x.shape[1]:
        raise ValueError("kernel is larger than x")
    Y = torch.zeros((x.shape[0] - h + 1, x.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (x[i:i + h, j:j + w] * kernel).sum()
    return Y


def pool2d(x, pool_size, stride=None, mode="max"):
    if mode not in ("max", "avg"):
        raise ValueError("mode must be 'max' or 'avg'")
    p_h, p_w = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
    s_h, s_w = (p_h, p_w) if stride is None else ((stride, stride) if isinstance(stride, int) else stride)
    if p_h > x.shape[0] or p_w > x.shape[1]:
        raise ValueError("pool_size is larger than x")
    Y = torch.zeros(((x.shape[0] - p_h) // s_h + 1, (x.shape[1] - p_w) // s_w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = x[i * s_h:i * s_h + p_h, j * s_w:j * s_w + p_w]
            Y[i, j] = window.max() if mode == "max" else window.sum() / window.numel()
    return Y


def comp_conv2d(conv, x):
    if x.dim() != 2:
        raise ValueError("x must be 2-D")
    if conv.in_channels != 1:
        raise ValueError("in_channels must be 1")
    y = conv(x[None, None])[0]
    return y[0] if conv.out_channels == 1 else y
