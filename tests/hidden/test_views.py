"""Hidden checks for views.py: memory sharing, autograd and Python scalars."""

import pytest
import torch

from autograder.checks import expect_close, expect_copy, expect_equal, expect_raises, expect_view, fail, gradients


@pytest.mark.points(2)
def test_reshape_shared_shares_memory(student, device):
    """the result has the new shape, shares memory with the input and keeps its autograd link"""
    for shape, new in (((24,), (4, 6)), ((2, 3, 4), (6, -1)), ((4, 6), (24,))):
        x = torch.randn(*shape, device=device)
        out = student.views.reshape_shared(x, new)
        expect_close(out, x.reshape(new), what=f"reshape_shared(x, {new}) for x of shape {shape}")
        expect_view(out, x, what=f"reshape_shared(x, {new})", of="x",
                    hint="view never copies; reshape copies when it cannot view")
    x = torch.randn(2, 3, 4, dtype=torch.float64, requires_grad=True)
    weight = torch.randn(6, 4, dtype=torch.float64)
    grad = gradients(student.views.reshape_shared, x, (6, 4), grad_output=weight).inputs[0]
    if grad is None:
        fail("no gradient reached x through reshape_shared", hint="detach() and .data cut the autograd graph; "
             "a view keeps it")
    expect_close(grad, weight.reshape(2, 3, 4), what="the gradient that reached x")


@pytest.mark.points(1)
@pytest.mark.requires("test_reshape_shared_shares_memory")
def test_reshape_shared_refuses_copy(student):
    """a reshape that needs a copy (a transposed input) raises ValueError instead of copying"""
    x = torch.randn(4, 6).t()
    expect_raises(ValueError, student.views.reshape_shared, x, (24,),
                  hint="reshape silently copies when it cannot view; use view and turn its "
                       "RuntimeError into a ValueError")


@pytest.mark.points(2)
def test_reshape_independent_copies(student, device):
    """the result has the new shape and values but never shares memory with the input, also for a
    non-contiguous (transposed) input"""
    cases = (("(24,)", torch.randn(24, device=device), (4, 6)),
             ("(2, 3, 4)", torch.randn(2, 3, 4, device=device), (6, -1)),
             ("(6, 4) transposed", torch.randn(4, 6, device=device).t(), (24,)))
    for name, x, new in cases:
        out = student.views.reshape_independent(x, new)
        expect_close(out, x.reshape(new), what=f"reshape_independent(x, {new}) for x of shape {name}",
                     hint="a clone keeps the input's strides, so view can still fail on it; reshape works on any "
                          "input")
        expect_copy(out, x, what=f"reshape_independent(x, {new})", of="x")


@pytest.mark.points(1)
def test_reshape_independent_keeps_autograd(student):
    """gradients flow back through the copy to the input"""
    x = torch.randn(2, 3, 4, dtype=torch.float64, requires_grad=True)
    weight = torch.randn(6, 4, dtype=torch.float64)
    result = gradients(student.views.reshape_independent, x, (6, 4), grad_output=weight)
    grad = result.inputs[0]
    if grad is None:
        fail("no gradient reached x through reshape_independent",
             hint="detach() cuts the autograd graph; clone() alone keeps it")
    expect_close(grad, weight.reshape(2, 3, 4), what="the gradient that reached x")


@pytest.mark.points(1)
def test_to_scalar_python_types(student, device):
    """one-element tensors of any shape give a Python int, float or bool"""
    cases = [
        (torch.tensor(7, device=device), 7),
        (torch.tensor([[-3]], device=device), -3),
        (torch.tensor([[[1.25]]], device=device), 1.25),
        (torch.tensor(0.5, dtype=torch.float64, device=device), 0.5),
        (torch.tensor([True], device=device), True),
    ]
    for t, expected in cases:
        expect_equal(student.views.to_scalar(t), expected,
                     what=f"to_scalar of a {str(t.dtype).removeprefix('torch.')} tensor of shape {tuple(t.shape)}",
                     hint="return t.item(): a Python number, not a tensor")


@pytest.mark.points(1)
@pytest.mark.requires("test_to_scalar_python_types")
def test_to_scalar_rejects_many(student):
    """a tensor with 0 or several elements raises ValueError naming the element count"""
    for t in (torch.tensor([1.0, 2.0]), torch.zeros(2, 3), torch.zeros(0)):
        expect_raises(ValueError, student.views.to_scalar, t, match=rf"\b{t.numel()}\b",
                      hint="check t.numel() == 1 and say how many elements there were")
