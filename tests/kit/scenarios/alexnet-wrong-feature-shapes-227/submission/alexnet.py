"""AlexNet (scenario)."""

import torch
import torch.nn.functional as F
from torch import nn

class AlexNet(nn.Module):
    """torchvision's AlexNet: `features`, `avgpool` and `classifier`, in its layer order."""

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class scores (N, num_classes) for images (N, 3, H, W); ValueError unless x is 4-D."""
        if x.dim() != 4:
            raise ValueError(f"expected a 4-D batch of images (N, 3, H, W), got a {x.dim()}-D input")
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)


def feature_shapes(input_size: int = 224) -> list[tuple[int, int, int]]:
    """The (C, H, W) after every layer of `AlexNet().features` for a (3, input_size, input_size)
    image (13 entries); ValueError when input_size is too small for the layers (below 63)."""
    if input_size < 63:
        raise ValueError(f"input_size must be at least 63 for AlexNet's features, got {input_size}")
    with torch.device("meta"):  # shapes only: no weights are drawn, nothing is computed
        features = AlexNet().features
    x = torch.empty(1, 3, 227, 227, device="meta")
    shapes = []
    for layer in features:
        x = layer(x)
        shapes.append((x.shape[1], x.shape[2], x.shape[3]))
    return shapes
