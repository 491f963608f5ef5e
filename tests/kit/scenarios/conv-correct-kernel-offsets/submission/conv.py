"""Loops over the kernel's offsets instead of the output's positions."""

import torch
import torch.nn.functional as F
from torch import nn


def corr2d(x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    kh, kw = kernel.shape
    oh, ow = x.shape[0] - kh + 1, x.shape[1] - kw + 1
    if oh < 1 or ow < 1:
        raise ValueError("the kernel is larger than the input")
    out = None
    for a in range(kh):
        for b in range(kw):
            term = kernel[a, b] * x[a:a + oh, b:b + ow]
            out = term if out is None else out + term
    return out


def _slices(x, ph, pw, sh, sw):
    oh, ow = (x.shape[0] - ph) // sh + 1, (x.shape[1] - pw) // sw + 1
    for a in range(ph):
        for b in range(pw):
            yield x[a:a + sh * (oh - 1) + 1:sh, b:b + sw * (ow - 1) + 1:sw]


def pool2d(x, pool_size, stride=None, mode="max"):
    if mode not in {"max", "avg"}:
        raise ValueError(f"mode={mode!r}: expected 'max' or 'avg'")
    ph, pw = (pool_size, pool_size) if type(pool_size) is int else pool_size
    stride = (ph, pw) if stride is None else stride
    sh, sw = (stride, stride) if type(stride) is int else stride
    if ph > x.shape[0] or pw > x.shape[1]:
        raise ValueError("pool_size does not fit in x")
    out = None
    for part in _slices(x, ph, pw, sh, sw):
        if out is None:
            out = part
        elif mode == "max":
            out = torch.maximum(out, part)
        else:
            out = out + part
    if mode == "avg":
        out = out / (ph * pw)
    return out


def comp_conv2d(conv, x):
    if conv.in_channels != 1:
        raise ValueError("conv.in_channels must be 1")
    if x.ndim != 2:
        raise ValueError("x should have exactly two dimensions")
    y = conv(x.unsqueeze(0).unsqueeze(0))[0]
    return y[0] if y.shape[0] == 1 else y
