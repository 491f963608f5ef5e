"""Hidden checks for mlp.py: the student's MLP against the reference, on every device."""

import pytest
import torch

from autograder.checks import expect_close, expect_raises, fail, forward_trace, gradients

LAYER_ORDER_HINT = "the order is hidden → act (ReLU) → output"


@pytest.mark.points(2)
def test_forward_matches_reference(student, reference, device):
    """forward gives the reference's output for the same weights"""
    ref = reference.mlp.MLP()
    net = student.mlp.MLP()
    net.load_state_dict(ref.state_dict())  # float32 weights travel; both compute in float64
    ref, net = ref.double().to(device), net.double().to(device)
    for batch in (1, 5, 32):
        x = torch.randn(batch, 784, dtype=torch.float64, device=device)
        expect_close(net(x), ref(x), what=f"the output for a batch of {batch}",
                     hint=f"{LAYER_ORDER_HINT}, with nothing else in between")


@pytest.mark.points(1)
@pytest.mark.requires("test_forward_matches_reference")
def test_gradients_reach_every_layer(student, reference):
    """a backward pass gives both layers' weights and biases the reference's gradients"""
    ref = reference.mlp.MLP(6, 5, 3).double()
    net = student.mlp.MLP(6, 5, 3).double()
    net.load_state_dict(ref.state_dict())
    x = torch.randn(4, 6, dtype=torch.float64)
    weight = torch.randn(4, 3, dtype=torch.float64)
    got = gradients(net, x, grad_output=weight).parameters
    ref(x).backward(weight)
    for name, p in ref.named_parameters():
        if got.get(name) is None:
            fail(f"no gradient reached {name}", hint="detach() or .data inside forward cuts the layers before it "
                 "out of autograd")
        expect_close(got[name], p.grad, what=f"the gradient of {name}")


@pytest.mark.points(2)
def test_layers_called_in_order(student):
    """hidden and output are called as modules, once each, with act (if used) in between"""
    trace = forward_trace(student.mlp.MLP(), torch.randn(2, 784))
    called = ", ".join(trace) if trace else "none of them"
    if "hidden" not in trace or "output" not in trace:
        missing = " and ".join(name for name in ("hidden", "output") if name not in trace)
        fail(f"forward never called self.{missing} as a module (the layers called were: {called})",
             hint="call each layer as self.hidden(x), not self.hidden.forward(x): only a call "
                  "goes through Module.__call__ and its hooks")
    # F.relu instead of self.act is fine: the values checks see the ReLU either way.
    if trace not in (["hidden", "act", "output"], ["hidden", "output"]):
        fail(f"forward called the layers in the order {called}, which is not the model's order",
             hint=f"{LAYER_ORDER_HINT}, each called once")


@pytest.mark.points(1)
def test_custom_sizes(student, reference):
    """the sizes given to the constructor are used (5 → 7 → 3)"""
    ref = reference.mlp.MLP(5, 7, 3).double()
    net = student.mlp.MLP(5, 7, 3).double()
    net.load_state_dict(ref.state_dict())
    x = torch.randn(6, 5, dtype=torch.float64)
    expect_close(net(x), ref(x), what="the output of MLP(5, 7, 3)",
                 hint="if MLP() works, use the layers built in __init__ instead of hard-coded sizes")


@pytest.mark.points(1)
def test_keeps_leading_dimensions(student, reference, device):
    """an unbatched (784,) input and extra leading dimensions work as in nn.Linear"""
    ref = reference.mlp.MLP(784, 32, 10).double().to(device)
    net = student.mlp.MLP(784, 32, 10).double().to(device)
    net.load_state_dict(ref.state_dict())
    for shape in ((784,), (2, 3, 784)):
        x = torch.randn(*shape, dtype=torch.float64, device=device)
        expect_close(net(x), ref(x), what=f"the output for input of shape {shape}",
                     hint="if batches of shape (N, 784) work, check only the last dimension: nn.Linear "
                          "works on any leading dimensions")


@pytest.mark.points(1)
@pytest.mark.requires("test_custom_sizes")
def test_error_names_expected_size(student):
    """the ValueError for a wrong input size (or a 0-d input) names the expected size"""
    net = student.mlp.MLP(in_features=12, hidden_features=8, out_features=3)
    for x in (torch.randn(2, 7), torch.randn(12, 7), torch.tensor(1.0)):
        expect_raises(ValueError, net, x, match=r"\b12\b",
                      hint="compare x.shape[-1] (not x.shape[0]) with in_features, and say "
                           "which size was expected")
