"""Hidden checks for batching.py: shapes, values, views and errors."""

import pytest
import torch

from autograder.checks import expect_close, expect_raises, expect_view, fail, gradients

VIEW_HINT = "unsqueeze and view return views; clone, cat and stack copy"
GRAD_HINT = "detach() and .data cut the autograd graph: a view made with unsqueeze or view keeps it"


def expect_gradient_flows(fn, shape):
    """Back-propagating through fn(x) gives x the (reshaped) gradient of the output."""
    x = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
    out = fn(x.detach())
    weight = torch.randn(*tuple(out.shape), dtype=torch.float64)
    grad = gradients(fn, x, grad_output=weight).inputs[0]
    if grad is None:
        fail(f"no gradient reached x (of shape {shape}) through the result", hint=GRAD_HINT)
    expect_close(grad, weight.reshape(shape), what=f"the gradient that reached x of shape {shape}")


@pytest.mark.points(2)
def test_add_batch_dim_leading(student, device):
    """the new dimension of size 1 comes first, for inputs of any rank"""
    for shape in ((5,), (3, 4), (2, 3, 4), (1, 2, 3, 4)):
        x = torch.randn(*shape, device=device)
        expect_close(student.batching.add_batch_dim(x), x.unsqueeze(0),
                     what=f"add_batch_dim(x) for x of shape {shape}",
                     hint="the batch dimension is the first one: unsqueeze(0), not unsqueeze(1)")


@pytest.mark.points(1)
@pytest.mark.requires("test_add_batch_dim_leading")
def test_add_batch_dim_is_view(student):
    """the result is a view of the input (no copy) that gradients flow back through"""
    x = torch.randn(3, 8, 8)
    out = student.batching.add_batch_dim(x)
    expect_view(out, x, what="add_batch_dim(x)", of="x", hint=VIEW_HINT)
    expect_gradient_flows(student.batching.add_batch_dim, (3, 8, 8))


@pytest.mark.points(1)
@pytest.mark.requires("test_add_batch_dim_leading")
def test_add_batch_dim_rejects_scalar(student):
    """a 0-d tensor raises ValueError"""
    expect_raises(ValueError, student.batching.add_batch_dim, torch.tensor(3.0),
                  hint="check x.dim() == 0 first")


@pytest.mark.points(2)
def test_as_conv_input_values(student, reference, device):
    """2-D, 3-D and 4-D inputs (also non-contiguous ones) give the right (N, C, H, W) tensor"""
    inputs = {
        "(6, 7)": torch.randn(6, 7, device=device),
        "(7, 6) transposed": torch.randn(6, 7, device=device).t(),
        "(3, 6, 7)": torch.randn(3, 6, 7, device=device),
        "(2, 3, 6, 7)": torch.randn(2, 3, 6, 7, device=device),
    }
    for name, x in inputs.items():
        expect_close(student.batching.as_conv_input(x), reference.batching.as_conv_input(x),
                     what=f"as_conv_input(x) for x of shape {name}",
                     hint="(H, W) → (1, 1, H, W), (C, H, W) → (1, C, H, W), (N, C, H, W) unchanged")


@pytest.mark.points(1)
@pytest.mark.requires("test_as_conv_input_values")
def test_as_conv_input_is_view(student):
    """the result is always a view of the input that gradients flow back through"""
    for shape in ((6, 7), (3, 6, 7), (2, 3, 6, 7)):
        x = torch.randn(*shape)
        out = student.batching.as_conv_input(x)
        expect_view(out, x, what=f"as_conv_input(x) for x of shape {shape}", of="x", hint=VIEW_HINT)
        expect_gradient_flows(student.batching.as_conv_input, shape)


@pytest.mark.points(1)
@pytest.mark.requires("test_as_conv_input_values")
def test_as_conv_input_rejects_other_ranks(student):
    """0-, 1- and 5-dimensional inputs raise ValueError"""
    for shape in ((), (5,), (1, 2, 3, 4, 5)):
        expect_raises(ValueError, student.batching.as_conv_input, torch.randn(shape),
                      hint="only 2-, 3- and 4-D tensors can become (N, C, H, W)")
