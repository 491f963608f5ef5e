"""AlexNet (scenario)."""

import torch
import torch.nn.functional as F
from torch import nn

CONVS = [(64, 11, 4, 2, True), (192, 5, 1, 2, True), (384, 3, 1, 1, False), (256, 3, 1, 1, False),
         (256, 3, 1, 1, True)]


class AlexNet(nn.Module):
    def __init__(self, num_classes=1000, dropout=0.5):
        super().__init__()
        layers, channels = [], 3
        for out, kernel, stride, padding, pool in CONVS:
            layers += [nn.Conv2d(channels, out, kernel, stride, padding), nn.ReLU(inplace=True)]
            if pool:
                layers.append(nn.MaxPool2d(3, 2))
            channels = out
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(6)
        hidden = []
        for size_in in (channels * 36, 4096):
            hidden += [nn.Dropout(dropout), nn.Linear(size_in, 4096), nn.ReLU(inplace=True)]
        self.classifier = nn.Sequential(*hidden, nn.Linear(4096, num_classes))

    def forward(self, x):
        if len(x.shape) != 4:
            raise ValueError(f"AlexNet takes (N, 3, H, W) batches; this input has {len(x.shape)} dimensions")
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def feature_shapes(input_size=224):
    if input_size < 63:
        raise ValueError(f"input_size {input_size} is too small (at least 63)")
    shapes, size, channels = [], input_size, 3
    for out, kernel, stride, padding, pool in CONVS:
        size = (size + 2 * padding - kernel) // stride + 1
        shapes += [(out, size, size), (out, size, size)]
        if pool:
            size = (size - 3) // 2 + 1
            shapes.append((out, size, size))
    return shapes
