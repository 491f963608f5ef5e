"""Hidden checks for conv.py: corr2d and pool2d by hand against torch's own operators, comp_conv2d
against torch's conv with the same weights, and the errors each documents."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from autograder.checks import expect_close, expect_raises, fail, forbid, gradients

#: what corr2d and pool2d must do by hand: the sliding window is theirs, not a library's. The
#: operators, not the Python names: F.conv2d, nn.Conv2d and conv1d all reach aten::convolution, F.unfold
#: aten::im2col, Tensor.unfold aten::unfold, and F.max_pool2d, nn.MaxPool2d and max_pool1d
#: aten::max_pool2d_with_indices (forbid refuses aten::max_pool2d and aten::adaptive_avg_pool2d
#: themselves: torch rewrites them into these before any forbid could see them).
BY_HAND = ("aten::convolution", "aten::_convolution", "aten::im2col", "aten::unfold",
           "aten::max_pool2d_with_indices", "aten::avg_pool2d",
           "aten::max_pool3d_with_indices", "aten::avg_pool3d",
           "aten::adaptive_max_pool2d", "aten::_adaptive_avg_pool2d")

CORR_HINT = ("each output element is (x[i:i + kh, j:j + kw] * kernel).sum() for every i, j where the kernel fits, "
             "computed on x's device in x's dtype (torch.zeros without dtype= and device= makes a float32 CPU tensor)")
GRAD_HINT = ("build the result from the windows (torch.stack, or writing into a tensor created with x's dtype "
             "and device); .item(), .detach() and .data cut the autograd graph")
STRIDE_HINT = ("the windows start every stride steps, and stride=None means stride = pool_size as in "
               "nn.MaxPool2d (the chapter's pool2d always moves by 1); pool_size and stride may be ints or pairs")
AVG_HINT = ("the average is the window's sum divided by its size: true division (/) gives a float for integer "
            "input, // and a result tensor made with x's dtype keep integers")
COMP_GRAD_HINT = ("return the conv's output itself, with only indexing, squeeze or view on it: .detach(), .data, "
                  ".item() and torch.no_grad() cut the autograd graph")
COMP_HINT = ("add both leading dimensions (x[None, None], or unsqueeze twice), call conv(...) itself, then remove "
             "the batch dimension and the channel dimension only when there is one channel: reshape(shape[2:]) "
             "fails for several channels and squeeze() also drops output sizes of 1")


# ----------------------------------------------------------------------------------------- corr2d


@pytest.mark.points(2)
def test_corr2d_matches_conv2d(student, device):
    """corr2d, written by hand, gives F.conv2d's values and gradients (non-square kernels, float32, float64)"""
    cases = [
        ("(6, 7)", torch.randn(6, 7, dtype=torch.float64, device=device), (3, 2)),
        ("(5, 5)", torch.randn(5, 5, dtype=torch.float64, device=device), (1, 4)),
        ("(4, 6)", torch.randn(4, 6, dtype=torch.float64, device=device), (4, 6)),
        ("(6, 1)", torch.randn(6, 1, dtype=torch.float64, device=device), (2, 1)),
        ("(7, 5) transposed, float32", torch.randn(5, 7, device=device).t(), (2, 3)),
        ("(3, 4), float32", torch.randn(3, 4, device=device), (3, 1)),
    ]
    for name, x, kernel_shape in cases:
        kernel = torch.randn(*kernel_shape, dtype=x.dtype, device=device)
        with forbid(*BY_HAND):
            out = student.conv.corr2d(x, kernel)
        expect_close(out, F.conv2d(x[None, None], kernel[None, None])[0, 0],
                     what=f"corr2d(x, kernel) for x of shape {name} and a kernel of shape {kernel_shape}",
                     hint=CORR_HINT)
    x = torch.randn(5, 6, dtype=torch.float64, device=device, requires_grad=True)
    kernel = torch.randn(2, 3, dtype=torch.float64, device=device, requires_grad=True)
    weight = torch.randn(4, 4, dtype=torch.float64, device=device)
    with forbid(*BY_HAND):
        got = gradients(student.conv.corr2d, x, kernel, grad_output=weight).inputs
    F.conv2d(x[None, None], kernel[None, None])[0, 0].backward(weight)
    for grad, leaf, name in ((got[0], x, "x"), (got[1], kernel, "kernel")):
        if grad is None:
            fail(f"no gradient reached {name} through corr2d", hint=GRAD_HINT)
        expect_close(grad, leaf.grad, what=f"the gradient that reached {name}", hint=GRAD_HINT)


@pytest.mark.points(1)
@pytest.mark.requires("test_corr2d_matches_conv2d")
def test_corr2d_rejects_larger_kernel(student):
    """a kernel taller or wider than the input raises ValueError naming the kernel"""
    x = torch.randn(3, 4)
    for shape in ((4, 2), (2, 5), (5, 5)):
        expect_raises(ValueError, student.conv.corr2d, x, torch.randn(*shape), match="kernel",
                      hint="compare kernel.shape with x.shape before sliding: a kernel that does not fit leaves "
                           "no output")


# ----------------------------------------------------------------------------------------- pool2d


def _expected_pool(x, pool_size, stride, mode):
    """torch's own pooling of a 2-D x, computed in float64 on the CPU, in the documented dtype."""
    wide = x.detach().cpu().to(torch.float64)[None, None]
    if mode == "max":
        out, dtype = F.max_pool2d(wide, pool_size, stride), x.dtype
    else:
        out = F.avg_pool2d(wide, pool_size, stride)
        dtype = x.dtype if x.is_floating_point() else torch.get_default_dtype()
    return out[0, 0].to(x.device, dtype)


#: (name, x shape, dtype, pool_size, stride); strides that do not divide the input included
POOL_CASES = [
    ("(6, 7)", (6, 7), torch.float64, 3, None),
    ("(7, 8)", (7, 8), torch.float64, (2, 3), None),
    ("(7, 8)", (7, 8), torch.float64, (3, 2), 2),
    ("(9, 7)", (9, 7), torch.float64, 2, (3, 1)),
    ("(5, 5)", (5, 5), torch.float64, 5, None),
    ("(5, 6)", (5, 6), torch.float64, (2, 2), 1),
    ("(6, 5), float32", (6, 5), torch.float32, (3, 1), (1, 2)),
    ("(3, 8)", (3, 8), torch.float64, (2, 5), None),
]


def _pool_input(name, shape, dtype, device):
    if "transposed" in name:  # the same shape, not contiguous
        return _pool_input("", shape[::-1], dtype, device).t()
    if dtype.is_floating_point:
        return torch.randn(*shape, dtype=dtype, device=device)
    return torch.randint(-20, 20, shape, dtype=dtype, device=device)


def _check_pool(student, device, mode, cases, hint):
    for name, shape, dtype, pool_size, stride in cases:
        x = _pool_input(name, shape, dtype, device)
        args = (x, pool_size) if stride is None else (x, pool_size, stride)
        call = f"pool2d(x, {pool_size}{'' if stride is None else f', {stride}'}, mode={mode!r})"
        with forbid(*BY_HAND):
            out = student.conv.pool2d(*args, mode=mode)
        expect_close(out, _expected_pool(x, pool_size, stride, mode), what=f"{call} for x of shape {name}", hint=hint)
    x = torch.randn(6, 7, dtype=torch.float64, device=device, requires_grad=True)
    weight = torch.randn(2, 3, dtype=torch.float64, device=device)
    with forbid(*BY_HAND):
        grad = gradients(student.conv.pool2d, x, (3, 2), (2, 2), mode=mode, grad_output=weight).inputs[0]
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    pool(x[None, None], (3, 2), (2, 2))[0, 0].backward(weight)
    if grad is None:
        fail(f"no gradient reached x through pool2d(x, (3, 2), (2, 2), mode={mode!r})", hint=GRAD_HINT)
    expect_close(grad, x.grad, what=f"the gradient that reached x through pool2d(x, (3, 2), (2, 2), mode={mode!r})",
                 hint=GRAD_HINT)


@pytest.mark.points(1)
def test_pool2d_max_matches_max_pool2d(student, device):
    """mode="max" gives F.max_pool2d's values and gradients, for int and pair windows and strides"""
    cases = [
        *POOL_CASES,
        ("(7, 6) transposed", (7, 6), torch.float64, (2, 3), (2, 1)),
        ("(6, 7), int64", (6, 7), torch.int64, (2, 3), (1, 2)),
    ]
    _check_pool(student, device, "max", cases, STRIDE_HINT)


@pytest.mark.points(1)
def test_pool2d_avg_matches_avg_pool2d(student, device):
    """mode="avg" gives F.avg_pool2d's values and gradients, and averages integer input to float32"""
    cases = [
        *POOL_CASES,
        ("(7, 6), int64", (7, 6), torch.int64, (2, 3), None),
        ("(5, 8), int32", (5, 8), torch.int32, 3, (1, 2)),
    ]
    _check_pool(student, device, "avg", cases, f"{AVG_HINT}; {STRIDE_HINT}")


@pytest.mark.points(1)
@pytest.mark.requires("test_pool2d_max_matches_max_pool2d")
def test_pool2d_rejects_bad_arguments(student):
    """an unknown mode raises ValueError naming mode, a window larger than x one naming pool_size"""
    x = torch.randn(4, 5)
    for mode in ("min", "mean", "MAX", ""):
        expect_raises(ValueError, student.conv.pool2d, x, 2, mode=mode, match="mode",
                      hint="check mode against 'max' and 'avg' before pooling, and raise for anything else")
    for shape, pool_size in (((4, 5), 5), ((4, 5), (2, 6)), ((4, 5), (5, 1)), ((6, 3), (2, 4)), ((3, 6), (4, 2))):
        expect_raises(ValueError, student.conv.pool2d, torch.randn(*shape), pool_size, match="pool_size",
                      hint="a window taller or wider than x fits nowhere: compare pool_size with x.shape")


# ------------------------------------------------------------------------------------- comp_conv2d


#: (name, x shape, transposed, Conv2d keyword arguments, output shape)
COMP_CASES = [
    ("(8, 8)", (8, 8), False, dict(out_channels=1, kernel_size=3, padding=1), (8, 8)),
    ("(8, 8)", (8, 8), False, dict(out_channels=1, kernel_size=(5, 3), padding=(2, 1)), (8, 8)),
    ("(8, 8)", (8, 8), False, dict(out_channels=1, kernel_size=(3, 5), padding=(0, 1), stride=(3, 4)), (2, 2)),
    ("(7, 9) transposed", (7, 9), True, dict(out_channels=4, kernel_size=(2, 3), stride=(2, 1)), (4, 3, 7)),
    ("(5, 6)", (5, 6), False, dict(out_channels=3, kernel_size=(5, 2)), (3, 1, 5)),
    ("(3, 9)", (3, 9), False, dict(out_channels=1, kernel_size=(3, 2), dilation=(1, 2), bias=False), (1, 7)),
    ("(6, 4)", (6, 4), False, dict(out_channels=2, kernel_size=(2, 4), padding_mode="reflect", padding=(1, 0)),
     (2, 7, 1)),
]


def _student_conv(student, device, spectral=False, **kwargs):
    conv = student.torch.nn.Conv2d(1, **kwargs).double().to(str(device))
    if spectral:
        conv = student.torch.nn.utils.spectral_norm(conv).eval()
    return conv


def _grader_conv(state, device, spectral=False, **kwargs):
    conv = nn.Conv2d(1, **kwargs).double().to(device)
    if spectral:
        conv = nn.utils.spectral_norm(conv).eval()
    conv.load_state_dict(state)
    return conv


def _comp_input(shape, transposed, device):
    x = torch.randn(*shape, dtype=torch.float64, device=device)
    return x.t().contiguous().t() if transposed else x


@pytest.mark.points(1)
def test_comp_conv2d_matches_conv(student, device):
    """comp_conv2d gives the conv's output as (H′, W′) for one output channel, else (C_out, H′, W′)"""
    for name, shape, transposed, kwargs, out_shape in COMP_CASES:
        x = _comp_input(shape, transposed, device)
        conv = _student_conv(student, device, **kwargs)
        ref = _grader_conv(conv.state_dict(), device, **kwargs)
        expected = ref(x[None, None])[0]
        expected = expected[0] if kwargs["out_channels"] == 1 else expected
        assert tuple(expected.shape) == out_shape
        expect_close(student.conv.comp_conv2d(conv, x), expected,
                     what=f"comp_conv2d(nn.Conv2d(1, {', '.join(f'{k}={v!r}' for k, v in kwargs.items())}), x) "
                          f"for x of shape {name}", hint=COMP_HINT)
    # spectral_norm computes the weight in a forward pre-hook: conv.forward(...) skips it.
    kwargs = dict(out_channels=2, kernel_size=3)
    x = torch.randn(6, 5, dtype=torch.float64, device=device)
    conv = _student_conv(student, device, spectral=True, **kwargs)
    ref = _grader_conv(conv.state_dict(), device, spectral=True, **kwargs)
    expect_close(student.conv.comp_conv2d(conv, x), ref(x[None, None])[0],
                 what="comp_conv2d(conv, x) for a conv with spectral_norm's forward pre-hook",
                 hint="call the conv as conv(x), not conv.forward(x) or F.conv2d with its weight: only a call runs "
                      "the module's hooks")
    x = torch.randn(5, 6, dtype=torch.float64, device=device, requires_grad=True)
    kwargs = dict(out_channels=3, kernel_size=(2, 3), padding=1)
    conv = _student_conv(student, device, **kwargs)
    ref = _grader_conv(conv.state_dict(), device, **kwargs)
    weight = torch.randn(3, 6, 6, dtype=torch.float64, device=device)
    grad = gradients(student.conv.comp_conv2d, conv, x, grad_output=weight).inputs[1]
    if grad is None:
        fail("no gradient reached x through comp_conv2d", hint=COMP_GRAD_HINT)
    ref(x[None, None])[0].backward(weight)
    expect_close(grad, x.grad, what="the gradient that reached x through comp_conv2d", hint=COMP_GRAD_HINT)


@pytest.mark.points(1)
@pytest.mark.requires("test_comp_conv2d_matches_conv")
def test_comp_conv2d_rejects_bad_input(student):
    """x not 2-D raises ValueError naming x, a conv with in_channels ≠ 1 one naming in_channels"""
    conv = student.torch.nn.Conv2d(1, 2, 3)
    for shape in ((8,), (1, 8, 8), (1, 1, 8, 8)):
        expect_raises(ValueError, student.conv.comp_conv2d, conv, torch.randn(*shape), match=r"\bx\b",
                      hint="check x.dim() == 2 first: nn.Conv2d itself accepts 3-D (unbatched) input")
    for in_channels in (3, 2):
        expect_raises(ValueError, student.conv.comp_conv2d, student.torch.nn.Conv2d(in_channels, 1, 3),
                      torch.randn(8, 8), match="in_channels",
                      hint="a 2-D image has one channel: check conv.in_channels == 1")
