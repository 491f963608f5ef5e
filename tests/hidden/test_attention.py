"""Hidden checks for attention.py: head layout, views, autograd, errors and the round trip."""

import pytest
import torch

from autograder.checks import expect_close, expect_raises, expect_shape, expect_view, fail, gradients

SPLIT_HINT = ("head i is x[..., i*d:(i+1)*d]: view(B, T, h, d), then permute(0, 2, 1, 3); view(B, h, T, d) alone "
              "has the right shape but mixes tokens across heads")
MERGE_HINT = ("move the heads back behind the tokens (transpose(1, 2) or permute(0, 2, 1, 3)), then join the last "
              "two dimensions; the permuted tensor is not contiguous, so use reshape or contiguous().view, not view")
VIEW_HINT = ("view and permute (or transpose) return views; contiguous(), clone(), stack and cat copy, and reshape "
             "copies when it cannot view")
GRAD_HINT = "detach() and .data cut the autograd graph; view, permute, transpose and reshape keep it"

#: (name, shape of x, num_heads): B, T, h and d all differ where they can, so a layout mistake shows
SPLIT_CASES = (
    ("(2, 5, 12)", (2, 5, 12), 3),
    ("(3, 4, 12)", (3, 4, 12), 4),
    ("(1, 7, 8)", (1, 7, 8), 2),
    ("(2, 6, 6)", (2, 6, 6), 6),
    ("(2, 3, 5)", (2, 3, 5), 1),
)


def transposed(batch: int, tokens: int, dim: int, device="cpu", dtype=torch.float32) -> torch.Tensor:
    """A non-contiguous (B, T, D) tensor: a (B, D, T) one with its last two dimensions swapped."""
    return torch.randn(batch, dim, tokens, device=device, dtype=dtype).transpose(1, 2)


def expect_gradient(student_fn, reference_fn, x: torch.Tensor, *args, what: str, hint: str) -> None:
    """Back-propagating a random weight through student_fn(x, *args) gives x the reference's gradient."""
    x = x.detach().to(torch.float64).requires_grad_(True)
    y = x.detach().clone().requires_grad_(True)  # the same strides as x
    expected = reference_fn(y, *args)
    expect_shape(student_fn(x.detach(), *args), tuple(expected.shape), what=what, hint=hint)
    weight = torch.randn(*tuple(expected.shape), dtype=torch.float64)
    expected.backward(weight)
    grad = gradients(student_fn, x, *args, grad_output=weight).inputs[0]
    if grad is None:
        fail(f"no gradient reached x (of shape {tuple(x.shape)}) through {what}", hint=GRAD_HINT)
    expect_close(grad, y.grad, what=f"the gradient that reached x (of shape {tuple(x.shape)}) through {what}",
                 hint=hint)


@pytest.mark.points(2)
def test_split_heads_values(student, reference, device):
    """split_heads gives head i the features i*d to (i+1)*d - 1 of every token, also for a transposed x"""
    inputs = [(name, torch.randn(*shape, device=device), h) for name, shape, h in SPLIT_CASES]
    inputs.append(("(2, 5, 12) transposed", transposed(2, 5, 12, device), 3))
    inputs.append(("(2, 5, 12) float64", torch.randn(2, 5, 12, dtype=torch.float64, device=device), 2))
    for name, x, h in inputs:
        expect_close(student.attention.split_heads(x, h), reference.attention.split_heads(x, h),
                     what=f"split_heads(x, {h}) for x of shape {name}", hint=SPLIT_HINT)


@pytest.mark.points(1)
@pytest.mark.requires("test_split_heads_values")
def test_split_heads_is_view(student, reference):
    """the heads are a view of x (also of a non-contiguous x) that gradients flow back through"""
    for name, x, h in (("(2, 5, 12)", torch.randn(2, 5, 12), 3), ("(2, 5, 12) transposed", transposed(2, 5, 12), 3),
                       ("(1, 7, 8)", torch.randn(1, 7, 8), 2)):
        expect_view(student.attention.split_heads(x, h), x, what=f"split_heads(x, {h}) for x of shape {name}",
                    of="x", hint=VIEW_HINT)
    split = (student.attention.split_heads, reference.attention.split_heads)
    expect_gradient(*split, torch.randn(2, 5, 12), 3, what="split_heads(x, 3) for x of shape (2, 5, 12)",
                    hint=SPLIT_HINT)
    expect_gradient(*split, transposed(2, 5, 12), 4, what="split_heads(x, 4) for x of shape (2, 5, 12) transposed",
                    hint=SPLIT_HINT)


@pytest.mark.points(1)
@pytest.mark.requires("test_split_heads_values")
def test_split_heads_rejects_bad_input(student):
    """ValueError naming D and num_heads if num_heads does not divide D, or the rank and 3 if x is not 3-D"""
    split = student.attention.split_heads
    for shape, h in (((2, 7, 12), 5), ((3, 5, 10), 4), ((3, 5, 4), 8)):
        dim = shape[-1]
        for number, meaning in ((dim, "D"), (h, "num_heads")):
            expect_raises(ValueError, split, torch.randn(shape), h, match=rf"\b{number}\b",
                          hint=f"check D % num_heads and name {meaning} (here D = {dim}, num_heads = {h}) in the "
                               "message")
    for shape in ((12,), (5, 12), (5, 7, 9, 12)):
        for number, meaning in ((len(shape), "the rank it got"), (3, "the rank expected")):
            expect_raises(ValueError, split, torch.randn(shape), 6, match=rf"\b{number}\b",
                          hint=f"check x.dim() == 3 first and name {meaning} in the message")


@pytest.mark.points(2)
def test_merge_heads_values(student, reference, device):
    """merge_heads joins the heads into (B, T, h * d), for contiguous heads and for split_heads' permuted ones"""
    inputs = [
        ("(2, 3, 5, 4)", torch.randn(2, 3, 5, 4, device=device)),
        ("(3, 4, 2, 3)", torch.randn(3, 4, 2, 3, device=device)),
        ("(1, 2, 7, 4)", torch.randn(1, 2, 7, 4, device=device)),
        ("(2, 1, 3, 5)", torch.randn(2, 1, 3, 5, device=device)),
        ("(2, 3, 5, 4) float64", torch.randn(2, 3, 5, 4, dtype=torch.float64, device=device)),
    ]
    for name, shape, h in SPLIT_CASES[:4]:
        x = torch.randn(*shape, device=device)
        inputs.append((f"(B, h, T, d) from split_heads(x, {h}) for x of shape {name}",
                       reference.attention.split_heads(x, h)))
    for name, heads in inputs:
        expect_close(student.attention.merge_heads(heads), reference.attention.merge_heads(heads),
                     what=f"merge_heads(heads) for heads of shape {name}", hint=MERGE_HINT)


@pytest.mark.points(1)
@pytest.mark.requires("test_merge_heads_values")
def test_merge_heads_undoes_split_heads(student, reference):
    """merge_heads(split_heads(x, h)) is x exactly, and gradients flow back through merge_heads"""
    for name, shape, h in SPLIT_CASES:
        x = torch.randn(*shape)
        heads = student.attention.split_heads(x, h)
        expect_close(student.attention.merge_heads(heads), x, rtol=0, atol=0,
                     what=f"merge_heads(split_heads(x, {h})) for x of shape {name}", hint=MERGE_HINT)
    merge = (student.attention.merge_heads, reference.attention.merge_heads)
    expect_gradient(*merge, torch.randn(2, 3, 5, 4), what="merge_heads(heads) for heads of shape (2, 3, 5, 4)",
                    hint=MERGE_HINT)
    expect_gradient(*merge, torch.randn(2, 5, 3, 4).transpose(1, 2),
                    what="merge_heads(heads) for heads of shape (2, 3, 5, 4) permuted", hint=MERGE_HINT)


@pytest.mark.points(1)
@pytest.mark.requires("test_merge_heads_values")
def test_merge_heads_rejects_bad_rank(student):
    """an x that is not 4-D raises ValueError naming its rank and 4"""
    for shape in ((7, 12), (5, 7, 12), (6, 7, 8, 9, 10)):
        for number, meaning in ((len(shape), "the rank it got"), (4, "the rank expected")):
            expect_raises(ValueError, student.attention.merge_heads, torch.randn(shape), match=rf"\b{number}\b",
                          hint=f"check x.dim() == 4 first and name {meaning} in the message")
