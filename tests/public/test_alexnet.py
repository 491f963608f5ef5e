"""Public checks for alexnet.py (run them with `autograder check alexnet`)."""

import math

import pytest
import torch

from autograder.checks import default_device, expect_equal, expect_shape, module_summary


@pytest.mark.points(1)
def test_output_shape(student):
    """AlexNet(num_classes=10) has 57,044,810 parameters and maps two 224×224 images to (2, 10)"""
    with default_device("meta"):  # shapes only: no weights are drawn, nothing is computed
        net = student.alexnet.AlexNet(num_classes=10)
    count = sum(math.prod(p["shape"]) for p in module_summary(net)["parameters"].values())
    expect_equal(count, 57_044_810, what="the number of parameters of AlexNet(num_classes=10)",
                 hint="torchvision's AlexNet with 10 classes has 57,044,810: five convolutions and three linear layers")
    expect_shape(net(torch.empty(2, 3, 224, 224, device="meta")), (2, 10), what="AlexNet(10)(x)",
                 hint="features → avgpool → flatten(x, 1) → classifier ending in Linear(4096, num_classes)")


@pytest.mark.points(1)
def test_feature_shapes_ends(student):
    """feature_shapes(224) has 13 entries, from (64, 55, 55) to (256, 6, 6)"""
    shapes = student.alexnet.feature_shapes(224)
    expect_equal(len(shapes), 13, what="len(feature_shapes(224))", hint="one (C, H, W) per layer of features")
    expect_equal(tuple(shapes[0]), (64, 55, 55), what="feature_shapes(224)[0]",
                 hint="Conv2d(3, 64, kernel_size=11, stride=4, padding=2): ⌊(224 + 4 − 11) / 4⌋ + 1 = 55")
    expect_equal(tuple(shapes[-1]), (256, 6, 6), what="feature_shapes(224)[-1]")
