"""Hidden checks for linear.py: y = x Wᵀ + b by hand, and predicting in eval mode without a graph."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from autograder.checks import expect, expect_close, expect_raises, fail, forbid, gradients

NO_LINEAR = "torch.nn.functional.linear"
TRANSPOSE_HINT = ("weight is (out, in) as in nn.Linear: y = x @ weight.T + bias (x @ weight has the right shape "
                  "only for a square weight, and then other values)")
MODE_HINT = ("call net.eval() before net(x): in train mode Dropout drops values and BatchNorm normalises with the "
             "batch's own statistics")
RESTORE_HINT = ("remember net.training before net.eval() and call net.train(that) afterwards (in a finally:), so "
                "a model that was training goes on training and one in eval mode stays there")


def linear_case(x_shape, out_features, *, bias, device, generator):
    in_features = x_shape[-1]
    x = torch.randn(*x_shape, dtype=torch.float64, device=device, generator=generator)
    weight = torch.randn(out_features, in_features, dtype=torch.float64, device=device, generator=generator)
    b = torch.randn(out_features, dtype=torch.float64, device=device, generator=generator) if bias else None
    return x, weight, b


def call_linear(student, *args):
    with forbid(NO_LINEAR):
        return student.linear.linear_forward(*args)


# --------------------------------------------------------------------------- linear_forward


@pytest.mark.points(1)
def test_linear_forward_matches_torch(student, device):
    """linear_forward is F.linear for batches, with and without bias, square and non-square weights"""
    g = torch.Generator(device=device).manual_seed(0)
    for x_shape, out_features, bias in (((6, 5), 3, True), ((4, 4), 4, True), ((1, 4), 4, False),
                                        ((3, 7), 1, True), ((5, 2), 6, False)):
        x, weight, b = linear_case(x_shape, out_features, bias=bias, device=device, generator=g)
        args = (x, weight, b) if bias else (x, weight)
        expect_close(call_linear(student, *args), F.linear(x, weight, b),
                     what=f"linear_forward for x {x_shape} and weight ({out_features}, {x_shape[-1]})"
                          f"{' with bias' if bias else ' (no bias)'}",
                     hint=f"{TRANSPOSE_HINT}; add the bias when one is given")
    x = torch.randn(5, 6, dtype=torch.float64, device=device, generator=g).t()  # non-contiguous (6, 5)
    weight = torch.randn(5, 3, dtype=torch.float64, device=device, generator=g).t()  # (3, 5), non-contiguous
    b = torch.randn(3, dtype=torch.float64, device=device, generator=g)
    expect_close(call_linear(student, x, weight, b), F.linear(x, weight, b),
                 what="linear_forward for a transposed (non-contiguous) x and weight", hint=TRANSPOSE_HINT)


@pytest.mark.points(1)
def test_linear_forward_keeps_leading_dimensions(student, device):
    """an unbatched (in,) input and extra leading dimensions work as in nn.Linear"""
    g = torch.Generator(device=device).manual_seed(1)
    for x_shape in ((5,), (2, 3, 5), (2, 1, 4, 5)):
        x, weight, b = linear_case(x_shape, 3, bias=True, device=device, generator=g)
        expect_close(call_linear(student, x, weight, b), F.linear(x, weight, b),
                     what=f"linear_forward for x of shape {x_shape} and weight (3, 5)",
                     hint="use matmul (@), which works on any leading dimensions: torch.mm and x.shape[1] only "
                          "fit 2-D input; check x.shape[-1] against the weight")


@pytest.mark.points(1)
@pytest.mark.requires("test_linear_forward_matches_torch")
def test_linear_forward_gradients(student):
    """a backward pass gives x, weight and bias the gradients F.linear gives them"""
    g = torch.Generator().manual_seed(2)
    for x_shape, bias in (((4, 5), True), ((1, 5), True), ((4, 5), False)):
        x, weight, b = linear_case(x_shape, 3, bias=bias, device="cpu", generator=g)
        leaves = [t.requires_grad_(True) for t in (x, weight, b) if t is not None]
        seed = torch.randn(*x_shape[:-1], 3, dtype=torch.float64, generator=g)
        with forbid(NO_LINEAR):
            got = gradients(student.linear.linear_forward, *leaves, grad_output=seed).inputs
        F.linear(x, weight, b).backward(seed)
        for name, leaf, grad in zip(("x", "weight", "bias"), leaves, got, strict=False):
            if grad is None:
                fail(f"no gradient reached {name} (x of shape {x_shape})",
                     hint="detach(), .data or a round trip through numpy or .tolist() cuts the autograd graph")
            expect_close(grad, leaf.grad, what=f"the gradient of {name} for x of shape {x_shape}")


@pytest.mark.points(1)
@pytest.mark.requires("test_linear_forward_matches_torch")
def test_linear_forward_rejects_mismatched_sizes(student):
    """mismatched sizes raise ValueError naming the argument: x's last dimension, weight not 2-D, a wrong bias"""
    weight = torch.randn(3, 7)
    cases = (
        ("x (2, 5) for weight (3, 7)", (torch.randn(2, 5), weight), r"\bx\b|weight"),
        ("x (2, 3) for weight (3, 7): its size is out_features, not in_features", (torch.randn(2, 3), weight),
         r"\bx\b|weight"),
        ("a 0-d x", (torch.tensor(1.0), weight), r"\bx\b|weight"),
        ("a 1-D weight", (torch.randn(2, 7), torch.randn(7)), r"weight"),
        ("a 3-D weight", (torch.randn(2, 7), torch.randn(1, 3, 7)), r"weight"),
        ("bias (4,) for weight (3, 7)", (torch.randn(2, 7), weight, torch.randn(4)), r"bias"),
        ("bias (1,) for weight (3, 7)", (torch.randn(2, 7), weight, torch.randn(1)), r"bias"),
    )
    for name, args, match in cases:
        with forbid(NO_LINEAR):
            expect_raises(ValueError, student.linear.linear_forward, *args, match=match,
                          hint=f"{name}: check weight.dim() == 2, x.shape[-1] == weight.shape[1] and "
                               "bias.shape == (weight.shape[0],) before computing, and say which argument is wrong")


# --------------------------------------------------------------------------- predict


def batch_norm_net(student, device, *, training):
    """Linear(6, 8) → BatchNorm1d(8) with running statistics → Dropout(0.5), built in the student's
    process, and the same model here (in eval mode) to compute what predict should give."""
    here = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.Dropout(0.5)).double()
    with torch.no_grad():
        here[1].running_mean.copy_(torch.randn(8, dtype=torch.float64))
        here[1].running_var.copy_(torch.rand(8, dtype=torch.float64) + 0.5)
        here[1].weight.copy_(torch.randn(8, dtype=torch.float64))
    here = here.to(device).eval()
    tnn = student.torch.nn
    net = tnn.Sequential(tnn.Linear(6, 8), tnn.BatchNorm1d(8), tnn.Dropout(0.5)).double().to(str(device))
    net.load_state_dict(here.state_dict())
    net.train(training)
    return net, here


def spectral_norm_linear(student, device):
    """A spectrally normalised Linear(5, 3): its forward pre-hook recomputes `weight` from `weight_orig`
    before every call, so after load_state_dict only `net(x)` uses the loaded weights; `net.forward(x)`
    still uses the weight computed when it was built. Built in the student's process, and here."""
    def build(torch_nn):
        return torch_nn.utils.spectral_norm(torch_nn.Linear(5, 3, dtype=torch.float64, device=str(device)))

    here = build(nn)
    with torch.no_grad():
        here.weight_orig.copy_(torch.randn(3, 5, dtype=torch.float64))
        here.bias.copy_(torch.randn(3, dtype=torch.float64))
        x = torch.randn(8, 5, dtype=torch.float64, device=device)
        for _ in range(20):  # power iteration: weight_u and weight_v settle on the new weight
            here(x)
    here.eval()
    net = build(student.torch.nn)
    net.load_state_dict(here.state_dict())
    return net, here


@pytest.mark.points(1)
def test_predict_eval_mode(student, device):
    """predict gives the eval-mode output (running statistics, no Dropout) of a model in train or eval mode"""
    for training in (True, False):
        net, here = batch_norm_net(student, device, training=training)
        x = torch.randn(16, 6, dtype=torch.float64, device=device)
        with torch.no_grad():
            expected = here(x)
        mode = "train" if training else "eval"
        expect_close(student.linear.predict(net, x), expected,
                     what=f"predict(net, x) for Linear → BatchNorm1d → Dropout in {mode} mode", hint=MODE_HINT)


@pytest.mark.points(1)
def test_predict_calls_the_module(student, device):
    """predict calls net(x), so the module's forward hooks run (net.forward(x) skips them)"""
    net, here = spectral_norm_linear(student, device)
    net.eval()
    x = torch.randn(4, 5, dtype=torch.float64, device=device)
    with torch.no_grad():
        expected = here(x)
    expect_close(student.linear.predict(net, x), expected,
                 what="predict(net, x) for a spectrally normalised Linear (a forward pre-hook computes its weight)",
                 hint="call net(x), not net.forward(x): only the call goes through Module.__call__, which runs "
                      "the module's hooks")


@pytest.mark.points(1)
@pytest.mark.requires("test_predict_eval_mode")
def test_predict_builds_no_graph(student):
    """the result does not require grad, also for an input that does, and no graph is built during the call"""
    net, _ = batch_norm_net(student, "cpu", training=True)
    for requires_grad in (False, True):
        x = torch.randn(4, 6, dtype=torch.float64, requires_grad=requires_grad)
        out = student.linear.predict(net, x)
        expect(isinstance(out, torch.Tensor) and not out.requires_grad,
               "predict(net, x) returned a result that requires grad"
               f"{' (x required grad)' if requires_grad else ''}: autograd recorded the forward pass",
               hint="run net(x) inside `with torch.no_grad():`")
    # The pre-hook of a spectrally normalised layer computes its weight when net(x) runs: that weight
    # requires grad exactly when autograd was recording during the call.
    net, _ = spectral_norm_linear(student, "cpu")
    net.weight = torch.zeros(3, 5, dtype=torch.float64)  # replaced by the hook, if it runs
    student.linear.predict(net, torch.randn(4, 5, dtype=torch.float64))
    expect(not net.weight.requires_grad,
           "predict ran net(x) with autograd recording (a tensor computed during the call requires grad), so "
           "the call built a graph",
           hint="detach() afterwards still builds the graph and keeps its activations during the call: run "
                "net(x) inside `with torch.no_grad():`")


@pytest.mark.points(1)
@pytest.mark.requires("test_predict_eval_mode")
def test_predict_restores_mode(student):
    """a model in train mode is back in train mode afterwards, and one in eval mode stays in eval mode"""
    for training in (True, False):
        net, _ = batch_norm_net(student, "cpu", training=training)
        student.linear.predict(net, torch.randn(4, 6, dtype=torch.float64))
        modes = [net.training] + [net[i].training for i in range(3)]
        want = "train" if training else "eval"
        if modes != [training] * 4:
            wrong = ", ".join(name for name, mode in zip(("net", "net[0]", "net[1]", "net[2]"), modes, strict=True)
                              if mode != training)
            fail(f"after predict on a model in {want} mode, {wrong} {'is' if ',' not in wrong else 'are'} no "
                 f"longer in {want} mode", hint=RESTORE_HINT)
