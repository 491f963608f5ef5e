"""Hidden checks for param_dict.py: registration, devices, values, gradients and the unknown choice."""

import pytest
import torch

from autograder.checks import expect, expect_close, expect_raises, fail, gradients, named_parameters

DICT_HINT = "keep the parameters in an nn.ParameterDict: a Python dict of nn.Parameter is not registered"
SHAPES = {"params.linear1": (4, 4), "params.linear2": (4, 1), "params.linear3": (4, 2)}
CHOICES = ("linear1", "linear2", "linear3")


def registered(net):
    params = named_parameters(net)
    if not params:
        fail("MyDictDense has no registered parameters", hint=DICT_HINT)
    return params


def chosen(params, choice, x):
    """The registered parameter for `choice`, or a failure when it cannot multiply x."""
    p = params.get(f"params.{choice}")
    if p is None or p.dim() != 2 or p.shape[0] != x.shape[-1] or p.dtype != x.dtype or p.device != x.device:
        fail(f"MyDictDense has no registered parameter params.{choice} that can multiply x of shape "
             f"{tuple(x.shape)} ({x.dtype})", hint=f"{DICT_HINT}; module.double() and module.to(device) convert "
             "every registered parameter")
    return p


@pytest.mark.points(2)
def test_parameters_registered(student):
    """linear1 (4, 4), linear2 (4, 1) and linear3 (4, 2) are registered under params, normally distributed"""
    values = []
    for _ in range(10):
        params = registered(student.param_dict.MyDictDense())
        shapes = {name: tuple(p.shape) for name, p in params.items()}
        expect(shapes == SHAPES, f"MyDictDense() registers {shapes}, which are not the right names or shapes",
               hint=f"{DICT_HINT}, with the keys linear1 (4, 4), linear2 (4, 1) and linear3 (4, 2)")
        values += [p.detach().reshape(-1) for p in params.values()]
    values = torch.cat(values)
    expect(0.8 < float(values.std()) < 1.2 and abs(float(values.mean())) < 0.2,
           f"the parameters have mean {float(values.mean()):.2f} and std {float(values.std()):.2f}; "
           "expected a standard normal initialisation", hint="use torch.randn")


@pytest.mark.points(1)
def test_state_dict_has_parameters(student):
    """state_dict() saves every parameter"""
    keys = sorted(student.param_dict.MyDictDense().state_dict())
    expect(keys == sorted(SHAPES), f"state_dict() of MyDictDense() has the keys {keys}, which are not its "
           "parameters", hint=DICT_HINT)


@pytest.mark.points(1)
def test_moves_with_module(student, target_device):
    """module.to(device) moves every parameter"""
    net = student.param_dict.MyDictDense().to(str(target_device))
    params = registered(net)
    stuck = [name for name, p in params.items() if p.device.type != target_device.type]
    expect(not stuck, f"after .to('{target_device}') these parameters stayed behind: {', '.join(stuck)}",
           hint=DICT_HINT)


@pytest.mark.points(2)
def test_forward_matches_choice(student, device):
    """forward(x, choice) is x @ params[choice] with the module's own parameters; choice defaults to linear1"""
    net = student.param_dict.MyDictDense().double().to(str(device))
    params = {name: p.detach() for name, p in registered(net).items()}
    for batch in (1, 6):
        x = torch.randn(batch, 4, dtype=torch.float64, device=device)
        for choice in CHOICES:
            expect_close(net(x, choice), x @ chosen(params, choice, x),
                         what=f"forward(x, {choice!r}) for a batch of {batch}",
                         hint="return x @ self.params[choice]")
            expect_close(net(x, choice=choice), x @ chosen(params, choice, x),
                         what=f"forward(x, choice={choice!r}) for a batch of {batch}",
                         hint="the parameter is named choice")
        expect_close(net(x), x @ chosen(params, "linear1", x), what=f"forward(x) for a batch of {batch}",
                     hint="choice defaults to 'linear1'")


@pytest.mark.points(1)
def test_gradients_reach_only_the_chosen(student):
    """a backward pass gives the chosen parameter (and x) its gradient, and the other two none at all"""
    net = student.param_dict.MyDictDense().double()
    params = registered(net)
    for choice in CHOICES:
        x = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
        p = chosen(params, choice, x).detach().clone().requires_grad_(True)
        seed = torch.randn(5, p.shape[1], dtype=torch.float64)
        result = gradients(net, x, choice, grad_output=seed)
        (x @ p).backward(seed)
        name = f"params.{choice}"
        if result.parameters.get(name) is None:
            fail(f"no gradient reached {name} for choice={choice!r}",
                 hint="using .data (or detach) in forward cuts the parameter out of autograd")
        expect_close(result.parameters[name], p.grad, what=f"the gradient of {name} for choice={choice!r}")
        if result.inputs[0] is None:
            fail(f"no gradient reached x for choice={choice!r}", hint="compute x @ self.params[choice] with torch")
        expect_close(result.inputs[0], x.grad, what=f"the gradient of x for choice={choice!r}")
        touched = [other for other, grad in result.parameters.items() if other != name and grad is not None]
        if touched:
            zeros = all(not result.parameters[other].any() for other in touched)
            fail(f"for choice={choice!r} the backward pass also gave a gradient{' of zeros' if zeros else ''} to "
                 f"{', '.join(touched)}, which were not chosen: they took part in the computation",
                 hint="multiply by the chosen parameter only: products with all of them, then selected, give the "
                      "others zero gradients, and optimizers with momentum or weight decay still update them")


@pytest.mark.points(1)
@pytest.mark.requires("test_forward_matches_choice")
def test_unknown_choice_raises_key_error(student):
    """an unknown choice raises KeyError whose message lists the valid names"""
    net = student.param_dict.MyDictDense()
    x = torch.randn(2, 4)
    for choice in ("linear4", "Linear1", "training"):
        raised = expect_raises(KeyError, net, x, choice,
                               hint="check `choice in self.params` first: a missing key of a ParameterDict "
                                    "raises AttributeError, and a name like 'training' finds the module's attribute")
        missing = [key for key in CHOICES if key not in raised.info.message]
        if missing:
            fail(f"the KeyError for choice={choice!r} comes with the message {raised.info.message!r}, which does "
                 f"not list {', '.join(missing)}", hint="list the valid names: ', '.join(self.params.keys())")
