"""Hidden checks for param_list.py: registration, devices, values and gradients."""

import pytest
import torch

from autograder.checks import expect, expect_close, expect_raises, fail, gradients, named_parameters

LIST_HINT = "keep the parameters in an nn.ParameterList: a Python list of nn.Parameter is not registered"


def registered(net):
    params = named_parameters(net)
    if not params:
        fail("MyListDense has no registered parameters", hint=LIST_HINT)
    return params


def product(x, params):
    """x @ P0 @ … @ P_last with these parameters, or a failure when their shapes do not chain."""
    out = x
    for name, p in params.items():
        if p.dim() != 2 or p.shape[0] != out.shape[-1] or p.dtype != x.dtype or p.device != x.device:
            fail(f"the registered parameter {name} ({p.dtype} of shape {tuple(p.shape)}) cannot multiply the "
                 "product x @ P0 @ … before it", hint="depth (dim, dim) parameters, then a final (dim, 1) one; "
                 "module.double() and module.to(device) convert every registered parameter")
        out = out @ p
    return out


@pytest.mark.points(2)
def test_parameters_registered(student):
    """depth (dim, dim) parameters and a final (dim, 1), registered in order, normally distributed"""
    for dim, depth in ((4, 3), (3, 1), (5, 5)):
        params = registered(student.param_list.MyListDense(dim, depth))
        expected = {f"params.{i}": (dim, dim) for i in range(depth)} | {f"params.{depth}": (dim, 1)}
        shapes = {name: tuple(p.shape) for name, p in params.items()}
        expect(shapes == expected, f"MyListDense({dim}, {depth}) registers {shapes}, which are not the right "
               "names or shapes", hint=f"{LIST_HINT}: depth (dim, dim) parameters, then a final (dim, 1) one")
    values = torch.cat([p.detach().reshape(-1) for p in params.values()])
    expect(0.5 < float(values.std()) < 1.5 and abs(float(values.mean())) < 0.5,
           f"the parameters have mean {float(values.mean()):.2f} and std {float(values.std()):.2f}; "
           "expected a standard normal initialisation", hint="use torch.randn")


@pytest.mark.points(1)
def test_state_dict_has_parameters(student):
    """state_dict() saves every parameter"""
    keys = list(student.param_list.MyListDense(4, 2).state_dict())
    expect(keys == ["params.0", "params.1", "params.2"],
           f"state_dict() of MyListDense(4, 2) has the keys {keys}, which are not its parameters", hint=LIST_HINT)


@pytest.mark.points(1)
def test_moves_with_module(student, target_device):
    """module.to(device) moves every parameter"""
    net = student.param_list.MyListDense(4, 3).to(str(target_device))
    params = registered(net)
    stuck = [name for name, p in params.items() if p.device.type != target_device.type]
    expect(not stuck, f"after .to('{target_device}') these parameters stayed behind: {', '.join(stuck)}",
           hint=LIST_HINT)


@pytest.mark.points(2)
def test_forward_matches_product(student, device):
    """forward is x @ P0 @ … @ P_last with the module's own parameters"""
    net = student.param_list.MyListDense(3, 2).double().to(str(device))
    params = {name: p.detach() for name, p in registered(net).items()}
    for batch in (1, 6):
        x = torch.randn(batch, 3, dtype=torch.float64, device=device)
        expect_close(net(x), product(x, params), what=f"the output for a batch of {batch}",
                     hint="multiply by every parameter, in order: x @ P0 @ P1 @ … @ P_last")


@pytest.mark.points(1)
def test_gradients_reach_parameters(student):
    """a backward pass gives every parameter its gradient"""
    net = student.param_list.MyListDense(3, 2).double()
    params = registered(net)
    x = torch.randn(5, 3, dtype=torch.float64)
    result = gradients(net, x)
    missing = [name for name, g in result.parameters.items() if g is None]
    if missing or set(result.parameters) != set(params):
        fail(f"no gradient reached {', '.join(missing) or 'the parameters'}",
             hint="using p.data (or detach) in forward cuts the parameters out of autograd")
    leaves = {name: p.detach().clone().requires_grad_(True) for name, p in params.items()}
    product(x, leaves).sum().backward()
    for name, leaf in leaves.items():
        expect_close(result.parameters[name], leaf.grad, what=f"the gradient of {name}")


@pytest.mark.points(1)
@pytest.mark.requires("test_forward_matches_product")
def test_rejects_bad_input(student):
    """a 1-D or 3-D input, or one with the wrong feature size, raises ValueError"""
    net = student.param_list.MyListDense(4, 2)
    for shape in ((4,), (2, 5), (2, 2, 4)):
        expect_raises(ValueError, net, torch.randn(*shape),
                      hint="check that x is 2-D with x.shape[1] == dim before multiplying")
