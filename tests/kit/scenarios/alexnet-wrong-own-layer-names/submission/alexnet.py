"""AlexNet (scenario)."""

import torch
import torch.nn.functional as F
from torch import nn

class AlexNet(nn.Module):
    def __init__(self, num_classes=1000, dropout=0.5):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2)
        self.conv2 = nn.Conv2d(64, 192, kernel_size=5, padding=2)
        self.conv3 = nn.Conv2d(192, 384, kernel_size=3, padding=1)
        self.conv4 = nn.Conv2d(384, 256, kernel_size=3, padding=1)
        self.conv5 = nn.Conv2d(256, 256, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(kernel_size=3, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.drop = nn.Dropout(p=dropout)
        self.fc1 = nn.Linear(256 * 6 * 6, 4096)
        self.fc2 = nn.Linear(4096, 4096)
        self.fc3 = nn.Linear(4096, num_classes)

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(f"expected a 4-D input, got {x.dim()}-D")
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = F.relu(self.conv3(x))
        x = F.relu(self.conv4(x))
        x = self.pool(F.relu(self.conv5(x)))
        x = torch.flatten(self.avgpool(x), 1)
        x = F.relu(self.fc1(self.drop(x)))
        x = F.relu(self.fc2(self.drop(x)))
        return self.fc3(x)


def feature_shapes(input_size: int = 224) -> list[tuple[int, int, int]]:
    """The (C, H, W) after every layer of `AlexNet().features` for a (3, input_size, input_size)
    image (13 entries); ValueError when input_size is too small for the layers (below 63)."""
    if input_size < 63:
        raise ValueError(f"input_size must be at least 63 for AlexNet's features, got {input_size}")
    with torch.device("meta"):  # shapes only: no weights are drawn, nothing is computed
        features = nn.Sequential(nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2), nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2), nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(), nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(), nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2))
    x = torch.empty(1, 3, input_size, input_size, device="meta")
    shapes = []
    for layer in features:
        x = layer(x)
        shapes.append((x.shape[1], x.shape[2], x.shape[3]))
    return shapes
