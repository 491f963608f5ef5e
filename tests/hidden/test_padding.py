"""Hidden checks for padding.py: sizes against what torch's convolutions really produce."""

import random

import pytest
import torch
import torch.nn.functional as F

from autograder.checks import expect, expect_equal, expect_raises

FORMULA_HINT = "⌊(size + 2·padding − kernel_size) / stride⌋ + 1: use // and do not forget the + 1"


def conv_size(size, kernel, padding, stride):
    """The length torch's own convolution produces (the ground truth)."""
    x = torch.zeros(1, 1, size)
    return F.conv1d(x, torch.zeros(1, 1, kernel), padding=padding, stride=stride).shape[-1]


@pytest.mark.points(2)
def test_conv_output_size_matches_conv(student):
    """matches the output length of a real convolution, on 40 random settings"""
    size_of = student.padding.conv_output_size
    rng = random.Random(2024)
    tried = 0
    while tried < 40:
        size, kernel, padding, stride = rng.randint(1, 40), rng.randint(1, 9), rng.randint(0, 4), rng.randint(1, 4)
        if size + 2 * padding < kernel:
            continue
        tried += 1
        expect_equal(size_of(size, kernel, padding=padding, stride=stride), conv_size(size, kernel, padding, stride),
                     what=f"conv_output_size({size}, {kernel}, padding={padding}, stride={stride})",
                     hint=FORMULA_HINT)
    # The edges: an input of one element, and outputs of exactly one element.
    for size, kernel, padding, stride in ((1, 1, 0, 1), (3, 3, 0, 1), (5, 3, 0, 3), (1, 3, 1, 1)):
        expect_equal(size_of(size, kernel, padding=padding, stride=stride), conv_size(size, kernel, padding, stride),
                     what=f"conv_output_size({size}, {kernel}, padding={padding}, stride={stride})",
                     hint="an output of one element is valid; only an empty one is an error")


@pytest.mark.points(1)
@pytest.mark.requires("test_conv_output_size_matches_conv")
def test_conv_output_size_is_int(student, reference):
    """returns an int, also when the stride does not divide evenly"""
    expect_equal(student.padding.conv_output_size(7, 2, padding=0, stride=2),
                 reference.padding.conv_output_size(7, 2, padding=0, stride=2),
                 what="conv_output_size(7, 2, stride=2)", hint="/ gives a float; floor division // gives an int")


@pytest.mark.points(2)
def test_same_padding_keeps_size(student):
    """for odd kernels, ints and pairs, convolving with that padding keeps height and width"""
    same = student.padding.same_padding
    image = torch.zeros(1, 1, 12, 12)
    for kernel in (1, 3, 5, 7, 9, 11):
        padding = same(kernel)
        expect(type(padding) is int, f"same_padding({kernel}) returned {padding!r}; expected an int",
               hint="an int kernel size gives an int padding")
        out = F.conv2d(image, torch.zeros(1, 1, kernel, kernel), padding=padding)
        expect(tuple(out.shape[-2:]) == (12, 12),
               f"padding {padding} with a {kernel}×{kernel} kernel turns 12×12 into {tuple(out.shape[-2:])}",
               hint="(kernel_size − 1) // 2 on each side")
    for kernel in ((3, 5), (7, 1), (1, 9)):
        padding = same(kernel)
        expect(type(padding) is tuple and len(padding) == 2,
               f"same_padding({kernel}) returned {padding!r}; expected a pair (tuple)",
               hint="a pair of kernel sizes gives a tuple of two paddings")
        out = F.conv2d(image, torch.zeros(1, 1, *kernel), padding=padding)
        expect(tuple(out.shape[-2:]) == (12, 12),
               f"padding {padding} with a {kernel} kernel turns 12×12 into {tuple(out.shape[-2:])}",
               hint="compute the padding of height and width separately")


@pytest.mark.points(1)
@pytest.mark.requires("test_same_padding_keeps_size")
def test_same_padding_rejects_even(student):
    """an even kernel size, alone or in a pair, raises ValueError"""
    for kernel in (2, 4, 6, (3, 4), (2, 5)):
        expect_raises(ValueError, student.padding.same_padding, kernel, match="kernel",
                      hint="no symmetric padding keeps the size for an even kernel: "
                           "k // 2 makes the output one larger")


@pytest.mark.points(1)
@pytest.mark.requires("test_conv_output_size_matches_conv", "test_same_padding_keeps_size")
def test_rejects_invalid_values(student):
    """a non-positive size, kernel size or stride, negative padding, an empty output or a kernel tuple
    that is not a pair raise ValueError"""
    size_of = student.padding.conv_output_size
    expect_raises(ValueError, size_of, 8, 0, match="kernel_size", hint="kernel_size must be at least 1")
    expect_raises(ValueError, size_of, 8, -3, match="kernel_size", hint="kernel_size must be at least 1")
    expect_raises(ValueError, size_of, 8, 3, stride=0, match="stride", hint="stride must be at least 1")
    expect_raises(ValueError, size_of, 8, 3, padding=-1, match="padding", hint="padding cannot be negative")
    expect_raises(ValueError, size_of, 3, 6, match="kernel_size|size",
                  hint="a kernel larger than the padded input leaves no output")
    expect_raises(ValueError, size_of, 2, 3, match="kernel_size|size",
                  hint="a kernel one larger than the input leaves an output of length 0")
    expect_raises(ValueError, size_of, 0, 1, padding=1, match="size",
                  hint="size must be at least 1, even when padding would make room for the kernel")
    for kernel in (0, -1, -3, (3, 3, 3), (3,)):
        expect_raises(ValueError, student.padding.same_padding, kernel, match="kernel_size",
                      hint="kernel_size must be at least 1, and a tuple must hold two kernel sizes")


@pytest.mark.points(1)
@pytest.mark.requires("test_conv_output_size_matches_conv", "test_same_padding_keeps_size")
def test_rejects_non_integers(student):
    """floats, strings and bools raise TypeError naming the argument"""
    size_of, same = student.padding.conv_output_size, student.padding.same_padding
    hint = "check type(x) is int: bool is a subclass of int, and 3.0 is not a size"
    expect_raises(TypeError, size_of, 8.0, 3, match="size", hint=hint)
    expect_raises(TypeError, size_of, 8, 3.0, match="kernel_size", hint=hint)
    expect_raises(TypeError, size_of, 8, True, match="kernel_size", hint=hint)
    expect_raises(TypeError, size_of, 8, 3, padding=1.5, match="padding", hint=hint)
    expect_raises(TypeError, size_of, 8, 3, stride="2", match="stride", hint=hint)
    expect_raises(TypeError, same, 3.0, match="kernel_size", hint=hint)
    expect_raises(TypeError, same, True, match="kernel_size", hint=hint)
