"""Public checks for conv.py (run them with `autograder check conv`)."""

import pytest
import torch

from autograder.checks import expect_close, forbid

#: what corr2d and pool2d must do by hand: the sliding window is theirs, not a library's. The
#: operators, not the Python names: F.conv2d, nn.Conv2d and conv1d all reach aten::convolution, F.unfold
#: aten::im2col, Tensor.unfold aten::unfold, and F.max_pool2d, nn.MaxPool2d and max_pool1d
#: aten::max_pool2d_with_indices (forbid refuses aten::max_pool2d and aten::adaptive_avg_pool2d
#: themselves: torch rewrites them into these before any forbid could see them).
BY_HAND = ("aten::convolution", "aten::_convolution", "aten::im2col", "aten::unfold",
           "aten::max_pool2d_with_indices", "aten::avg_pool2d",
           "aten::max_pool3d_with_indices", "aten::avg_pool3d",
           "aten::adaptive_max_pool2d", "aten::_adaptive_avg_pool2d")


@pytest.mark.points(1)
def test_corr2d_example(student):
    """corr2d of the chapter's 3×3 input with the 2×2 kernel [[0, 1], [2, 3]] is [[19, 25], [37, 43]]"""
    x = torch.arange(9.0).reshape(3, 3)
    kernel = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    with forbid(*BY_HAND):
        out = student.conv.corr2d(x, kernel)
    expect_close(out, torch.tensor([[19.0, 25.0], [37.0, 43.0]]), what="corr2d(x, kernel)",
                 hint="each output element is (x[i:i + kh, j:j + kw] * kernel).sum(); the output is "
                      "(H − kh + 1, W − kw + 1)")


@pytest.mark.points(1)
def test_pool2d_default_stride(student):
    """pool2d(x, 2) moves the window by its size, as nn.MaxPool2d(2) does; stride=1 moves it by 1"""
    x = torch.arange(16.0).reshape(4, 4)
    with forbid(*BY_HAND):
        out = student.conv.pool2d(x, 2)
    expect_close(out, torch.tensor([[5.0, 7.0], [13.0, 15.0]]), what="pool2d(arange(16).reshape(4, 4), 2)",
                 hint="stride=None means stride = pool_size, as in nn.MaxPool2d: the windows do not overlap "
                      "(the chapter's pool2d always moves by 1)")
    x = torch.arange(9.0).reshape(3, 3)
    with forbid(*BY_HAND):
        out = student.conv.pool2d(x, (2, 2), stride=1)
    expect_close(out, torch.tensor([[4.0, 5.0], [7.0, 8.0]]), what="pool2d(arange(9).reshape(3, 3), (2, 2), stride=1)",
                 hint="pool_size may be an (h, w) pair; with stride=1 the windows start at every position")
