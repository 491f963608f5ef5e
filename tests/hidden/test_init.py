"""Hidden checks for init.py: weight statistics judged with tolerances sound for the sample size,
exact zeros, other modules left alone, and parameter counts."""

import math

import pytest
import torch

from autograder.checks import expect, expect_close, expect_equal, expect_normal, fail, named_parameters

KAIMING_HINT = ("Kaiming-normal with fan_in and the ReLU gain: std = √2 / √fan_in; "
                "nn.init.kaiming_normal_(w, mode='fan_in', nonlinearity='relu'). torch's default is uniform")


def initialised(student, layer):
    student.init.init_weights(layer)
    return named_parameters(layer)


def expect_zero_bias(params, what):
    bias = params.get("bias")
    if bias is not None and not bool(torch.all(bias == 0)):
        fail(f"the bias of {what} is not all zeros after init_weights", hint="nn.init.zeros_(module.bias)")


@pytest.mark.points(2)
def test_linear_kaiming_normal(student):
    """nn.Linear weights are Kaiming-normal (fan_in, ReLU gain) and biases exactly zero"""
    for fan_in, fan_out in ((784, 512), (300, 1000)):
        what = f"nn.Linear({fan_in}, {fan_out})"
        params = initialised(student, student.torch.nn.Linear(fan_in, fan_out))
        expect_normal(params["weight"], std=math.sqrt(2 / fan_in), what=f"the weights of {what}", hint=KAIMING_HINT)
        expect_zero_bias(params, what)


@pytest.mark.points(2)
def test_conv_kaiming_normal(student):
    """nn.Conv2d weights are Kaiming-normal with fan_in = in_channels·kh·kw, biases exactly zero"""
    for cin, cout, kernel in ((64, 128, (3, 3)), (3, 96, (11, 5))):
        what = f"nn.Conv2d({cin}, {cout}, {kernel})"
        params = initialised(student, student.torch.nn.Conv2d(cin, cout, kernel))
        fan_in = cin * kernel[0] * kernel[1]
        expect_normal(params["weight"], std=math.sqrt(2 / fan_in), what=f"the weights of {what}",
                      hint=f"{KAIMING_HINT}; for a conv, fan_in = in_channels·kh·kw = {fan_in}")
        expect_zero_bias(params, what)


@pytest.mark.points(1)
@pytest.mark.requires("test_linear_kaiming_normal", "test_conv_kaiming_normal")
def test_applies_through_a_model(student):
    """model.apply(init_weights) initialises every Linear and Conv2d, with or without a bias"""
    nn = student.torch.nn
    model = nn.Sequential(nn.Conv2d(32, 64, 3, bias=False), nn.ReLU(), nn.Flatten(), nn.Linear(2048, 600),
                          nn.Sequential(nn.ReLU(), nn.Linear(600, 500, bias=False)))
    model.apply(student.init.init_weights)
    params = named_parameters(model)
    for name, fan_in in (("0.weight", 32 * 9), ("3.weight", 2048), ("4.1.weight", 600)):
        expect_normal(params[name], std=math.sqrt(2 / fan_in), what=f"the weights of layer {name[:-7]}",
                      hint=KAIMING_HINT + "; a layer built with bias=False has module.bias None")
    expect(bool(torch.all(params["3.bias"] == 0)), "the bias of layer 3 is not all zeros after model.apply")


@pytest.mark.points(1)
@pytest.mark.requires("test_linear_kaiming_normal", "test_conv_kaiming_normal")
def test_other_modules_untouched(student):
    """BatchNorm, LayerNorm and Embedding parameters are left exactly as they were"""
    nn = student.torch.nn
    for make, what in ((lambda: nn.BatchNorm2d(512), "nn.BatchNorm2d(512)"),
                       (lambda: nn.LayerNorm(1024), "nn.LayerNorm(1024)"),
                       (lambda: nn.Embedding(100, 32), "nn.Embedding(100, 32)")):
        module = make()
        before = named_parameters(module)
        student.init.init_weights(module)
        after = named_parameters(module)
        for name, value in before.items():
            expect_close(after[name], value, rtol=0, atol=0, what=f"{what}.{name} after init_weights",
                         hint="initialise only nn.Linear and nn.Conv2d: check isinstance(module, (nn.Linear, "
                              "nn.Conv2d)), not hasattr(module, 'weight')")


def models(nn):
    """(description, model, trainable count, total count), the counts worked out by hand."""
    frozen = nn.Sequential(nn.Linear(10, 20), nn.ReLU(), nn.Linear(20, 5))
    frozen[0].requires_grad_(False)
    embedding = nn.Sequential(nn.Embedding(50, 8), nn.LayerNorm(8))
    embedding[0].requires_grad_(False)  # a module handle: weight itself would come back as a copy
    return [
        ("an MLP 784-256-10", nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)),
         784 * 256 + 256 + 256 * 10 + 10, 784 * 256 + 256 + 256 * 10 + 10),
        ("a Conv2d(3, 8, 5) with BatchNorm2d(8)", nn.Sequential(nn.Conv2d(3, 8, 5), nn.BatchNorm2d(8)),
         3 * 8 * 25 + 8 + 8 + 8, 3 * 8 * 25 + 8 + 8 + 8),
        ("an MLP whose first layer is frozen", frozen, 20 * 5 + 5, 10 * 20 + 20 + 20 * 5 + 5),
        ("a frozen Embedding(50, 8) with LayerNorm(8)", embedding, 16, 50 * 8 + 16),
    ]


@pytest.mark.points(1)
def test_count_all_parameters(student):
    """count_parameters(model, trainable_only=False) counts every parameter value

    BatchNorm's running statistics are buffers, not parameters."""
    for what, model, _, total in models(student.torch.nn):
        expect_equal(student.init.count_parameters(model, trainable_only=False), total,
                     what=f"count_parameters({what}, trainable_only=False)",
                     hint="sum p.numel() over model.parameters(): the number of values, not of tensors")


@pytest.mark.points(1)
@pytest.mark.requires("test_count_all_parameters")
def test_count_trainable_only(student):
    """by default only parameters with requires_grad are counted"""
    for what, model, trainable, _ in models(student.torch.nn):
        expect_equal(student.init.count_parameters(model), trainable, what=f"count_parameters({what})",
                     hint="trainable_only (the default) leaves out parameters with requires_grad=False")
