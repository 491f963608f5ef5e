"""Hidden checks for alexnet.py against torchvision's AlexNet (the reference, built here): its
layers and parameters, its outputs with its own weights, shapes traced on the meta device."""

import functools

import pytest
import torch
import torchvision

from autograder.checks import (
    default_device,
    expect,
    expect_close,
    expect_equal,
    expect_raises,
    fail,
    forward_trace,
    gradients,
    module_summary,
    output_shapes,
)

LAYOUT_HINT = ("use torchvision's names and order: features (5 convs with ReLUs and 3 max-pools), "
               "avgpool = AdaptiveAvgPool2d((6, 6)), classifier (Dropout, Linear(9216, 4096), ReLU, Dropout, "
               "Linear(4096, 4096), ReLU, Linear(4096, num_classes))")


def torchvision_alexnet(num_classes):
    torch.manual_seed(0)
    return torchvision.models.alexnet(num_classes=num_classes)


def on_meta(make, **kwargs):
    """A model built on the meta device: its layout without drawing 60 million weights."""
    with torch.device("meta"):
        return make(**kwargs)


def layout(summary):
    """(parameter name, shape) pairs, in registration order: what strict loading needs."""
    return [(name, tuple(p["shape"])) for name, p in summary["parameters"].items()]


@pytest.mark.points(1)
def test_same_layers_as_torchvision(student):
    """torchvision's parameter names and shapes, in its order, for 1000 and 10 classes"""
    for classes in (1000, 10):
        want = [(name, tuple(p.shape)) for name, p in on_meta(torchvision.models.alexnet, num_classes=classes)
                .named_parameters()]
        with default_device("meta"):
            got = layout(module_summary(student.alexnet.AlexNet(num_classes=classes)))
        if got != want:
            missing = [f"{n} {s}" for n, s in want if (n, s) not in got][:3]
            extra = [f"{n} {s}" for n, s in got if (n, s) not in want][:3]
            fail(f"AlexNet({classes})'s parameters are not torchvision's: missing {', '.join(missing) or 'none'}; "
                 f"unexpected {', '.join(extra) or 'none (but in another order)'}", hint=LAYOUT_HINT)


@pytest.mark.points(2)
@pytest.mark.requires("test_same_layers_as_torchvision")
def test_outputs_match_torchvision(student, device):
    """with torchvision's weights loaded (strict) and in eval mode, the outputs equal torchvision's"""
    reference = torchvision_alexnet(10).eval().to(device)
    net = student.alexnet.AlexNet(num_classes=10)
    try:
        net.load_state_dict(reference.state_dict())
    except Exception as error:
        fail(f"AlexNet(10).load_state_dict(torchvision's state dict) failed: {error}", hint=LAYOUT_HINT)
    net.to(str(device)).eval()
    for shape in ((2, 3, 224, 224), (1, 3, 163, 163)):
        x = torch.randn(*shape, device=device)
        with torch.no_grad():
            want = reference(x)
        expect_close(net(x), want, what=f"the scores for input of shape {shape}",
                     hint="features → avgpool → torch.flatten(x, 1) → classifier, with nothing else in between")


@pytest.mark.points(1)
@pytest.mark.requires("test_outputs_match_torchvision")
def test_trains_end_to_end(student):
    """features, avgpool and classifier are called as modules, and gradients reach every layer"""
    with default_device("meta"):
        net = student.alexnet.AlexNet(num_classes=10)
    top = [m["name"] for m in module_summary(net)["modules"] if "." not in m["name"]]
    wanted = [name for name in ("features", "avgpool", "classifier") if name in top or name != "avgpool"]
    called = [name for name in forward_trace(net, torch.empty(1, 3, 224, 224, device="meta")) if name in wanted]
    expect(called == wanted, f"forward called {', '.join(called) or 'none'} of {', '.join(wanted)} as modules: "
           "each must be called once, in that order",
           hint="call each as a module, self.features(x): .forward(x) skips its hooks")
    net = student.alexnet.AlexNet(num_classes=10, dropout=0.0)
    grads = gradients(net, torch.randn(2, 3, 63, 63)).parameters
    missing = [name for name, grad in grads.items() if grad is None or not bool(grad.abs().sum() > 0)]
    expect(not missing, f"no gradient reached {', '.join(missing[:4])}", hint="detach() or .data inside forward "
           "cuts every layer before it out of training")


@pytest.mark.points(1)
@pytest.mark.requires("test_same_layers_as_torchvision")
def test_samples_do_not_mix(student):
    """in eval mode a sample's scores do not depend on the rest of its batch (any batch size)"""
    net = student.alexnet.AlexNet(num_classes=10).eval()
    x = torch.randn(3, 3, 127, 127)
    together = net(x)
    for i in range(3):
        expect_close(net(x[i:i + 1]), together[i:i + 1], what=f"the scores of sample {i} alone and in a batch of 3",
                     hint="flatten with torch.flatten(x, 1) (or x.view(x.size(0), -1)): x.view(-1, k) with a "
                          "hard-coded k folds the batch into the features")


@pytest.mark.points(1)
@pytest.mark.requires("test_same_layers_as_torchvision")
def test_dropout_only_when_training(student):
    """dropout changes the scores in training mode and never in eval mode"""
    net = student.alexnet.AlexNet(num_classes=10, dropout=0.5)
    x = torch.randn(2, 3, 127, 127)
    net.eval()
    expect_close(net(x), net(x), rtol=0, atol=0, what="two eval-mode runs on the same input",
                 hint="use nn.Dropout layers, which model.eval() switches off; F.dropout(x, p) is always on")
    net.train()
    first, second = net(x), net(x)
    expect(not torch.equal(first, second), "two training-mode runs on the same input gave the same scores: "
           "no dropout is active in training", hint="nn.Dropout(p=dropout) before each of the first two Linear layers")
    scaled = student.alexnet.AlexNet(num_classes=10, dropout=0.0).train()
    expect_close(scaled(x), scaled(x), rtol=0, atol=0, what="two training-mode runs with dropout=0.0",
                 hint="pass the dropout argument on to nn.Dropout(p=dropout)")


@functools.cache
def traced_features(input_size):
    """(C, H, W) after each layer of torchvision's features, traced on the meta device."""
    x = torch.empty(1, 3, input_size, input_size, device="meta")
    shapes = []
    for layer in on_meta(torchvision.models.alexnet).features:
        x = layer(x)
        shapes.append(tuple(x.shape[1:]))
    return shapes


@pytest.mark.points(1)
@pytest.mark.requires("test_same_layers_as_torchvision")
def test_layer_shapes_match_torchvision(student):
    """feature_shapes(n) and the model's own layers (traced on meta) give torchvision's shapes"""
    for size in (224, 227, 100, 63):
        shapes = student.alexnet.feature_shapes(size)
        expect(type(shapes) is list and all(type(s) is tuple for s in shapes),
               f"feature_shapes({size}) is not a list of (C, H, W) tuples", hint="return [(c, h, w), ...]")
        expect_equal(shapes, traced_features(size), what=f"feature_shapes({size})",
                     hint="(C, H, W) after every layer of features, ReLUs and max-pools included: "
                          "⌊(n + 2·padding − kernel) / stride⌋ + 1")
    with default_device("meta"):
        net = student.alexnet.AlexNet()
    traced = [shape[1:] for name, shape in output_shapes(net, torch.empty(1, 3, 224, 224, device="meta"))
              if name.startswith("features.")]
    expect_equal(traced, traced_features(224), what="the shapes the model's features produce for 224×224")
    expect_raises(ValueError, student.alexnet.feature_shapes, 62, match="62",
                  hint="below 63 pixels the last max-pool has nothing left to pool")


@pytest.mark.points(1)
@pytest.mark.requires("test_outputs_match_torchvision")
def test_rejects_non_4d_input(student):
    """a single (3, H, W) image or a 2-D tensor raises ValueError naming the rank"""
    with default_device("meta"):
        net = student.alexnet.AlexNet(num_classes=10)
    for shape in ((3, 224, 224), (8, 9216)):
        expect_raises(ValueError, net, torch.empty(*shape, device="meta"), match=str(len(shape)),
                      hint="check x.dim() == 4 first: add the batch dimension with x.unsqueeze(0)")
