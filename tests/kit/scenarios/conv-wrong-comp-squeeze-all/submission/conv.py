"""Cross-correlation and pooling by hand (二维互相关运算与池化层).

What `nn.Conv2d` computes is a cross-correlation: the kernel slides over the input one step at a
time and each output element is the sum of the window times the kernel, so an (H, W) input and a
(kh, kw) kernel give (H − kh + 1, W − kw + 1). Pooling slides a window the same way but takes its
maximum or its mean. In `nn.MaxPool2d` and `nn.AvgPool2d` the stride defaults to the window size,
so the windows do not overlap; the chapter's hand-written `pool2d` always moves by 1, which gives
a different, larger result than `nn.MaxPool2d(2)`. The mean of integers is not an integer: average
pooling of an integer tensor gives a floating one. `nn.Conv2d` wants (N, C, H, W): a 2-D image
needs a batch and a channel dimension before the call, and removing them afterwards must leave
the output channels alone.
"""

import torch
from torch import nn


def corr2d(x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """The 2-D cross-correlation of x (H, W) with kernel (kh, kw): a (H − kh + 1, W − kw + 1) tensor.

    Written by hand: no convolution, unfold or pooling function. x and kernel are floating tensors
    of one dtype on one device; the result has that dtype and device, and gradients reach both x
    and kernel. A kernel larger than x in either dimension raises ValueError naming the kernel.
    """
    kh, kw = kernel.shape
    if kh > x.shape[0] or kw > x.shape[1]:
        raise ValueError(f"the kernel of shape {tuple(kernel.shape)} is larger than x of shape {tuple(x.shape)}")
    rows = []
    for i in range(x.shape[0] - kh + 1):
        rows.append(torch.stack([(x[i:i + kh, j:j + kw] * kernel).sum() for j in range(x.shape[1] - kw + 1)]))
    return torch.stack(rows)


def pool2d(x: torch.Tensor, pool_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None,
           mode: str = "max") -> torch.Tensor:
    """Max or average pooling of a 2-D tensor x (H, W) with a (ph, pw) window, written by hand.

    pool_size and stride are an int (the same for height and width) or an (h, w) pair of
    positive ints; stride=None means stride = pool_size, as in nn.MaxPool2d. The windows start at
    every stride step that fits, without padding, so the result is
    (⌊(H − ph) / sh⌋ + 1, ⌊(W − pw) / sw⌋ + 1), as nn.MaxPool2d and nn.AvgPool2d give.

    x is a floating or an integer tensor. mode="max" keeps x's dtype; mode="avg" gives the window
    sum divided by the window size: a floating x keeps its dtype, an integer x gives torch's
    default float dtype (float32), as `int_tensor / n` does. The result is on x's device, and
    gradients reach a floating x. A mode other than "max" or "avg" raises ValueError naming mode;
    a window larger than x in either dimension raises ValueError naming pool_size. No pooling,
    convolution or unfold function may be used.
    """
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    ph, pw = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
    if stride is None:
        stride = (ph, pw)
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    if ph > x.shape[0] or pw > x.shape[1]:
        raise ValueError(f"pool_size {(ph, pw)} is larger than x of shape {tuple(x.shape)}")
    rows = []
    for i in range((x.shape[0] - ph) // sh + 1):
        row = []
        for j in range((x.shape[1] - pw) // sw + 1):
            window = x[i * sh:i * sh + ph, j * sw:j * sw + pw]
            row.append(window.max() if mode == "max" else window.sum() / window.numel())
        rows.append(torch.stack(row))
    return torch.stack(rows)


def comp_conv2d(conv: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
    """Apply conv, an nn.Conv2d with one input channel, to a 2-D x (H, W).

    The batch and channel dimensions are added for the call and removed again: the result is
    (H′, W′) when conv has one output channel and (C_out, H′, W′) otherwise, even where H′ or W′
    is 1. conv is called as a module (its hooks run), and gradients reach x. x not 2-D raises
    ValueError naming x; a conv whose in_channels is not 1 raises ValueError naming in_channels.
    """
    if x.dim() != 2:
        raise ValueError(f"x must be 2-D (H, W), got shape {tuple(x.shape)}")
    if conv.in_channels != 1:
        raise ValueError(f"conv must have in_channels=1, got in_channels={conv.in_channels}")
    return conv(x[None, None]).squeeze()
