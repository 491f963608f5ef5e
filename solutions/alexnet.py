"""AlexNet, layer by layer (AlexNet 网络结构), against torchvision's.

AlexNet is five convolutions (11×11 with stride 4, then 5×5, then three 3×3), each followed by a
ReLU, with 3×3 max-pooling of stride 2 after the first, the second and the fifth; an adaptive
average pool to 6×6; and a classifier of two 4096-wide hidden layers, each after a dropout, and a
final linear layer. Built with torchvision's layer names and order, torchvision's weights load into
it with `strict=True`. `torch.flatten(x, 1)` keeps the batch dimension: `x.view(-1, k)` with a
wrong k silently mixes samples. Dropout is active only in training mode: `nn.Dropout` follows
`model.eval()`, a hand-written `F.dropout(x, p)` does not.
"""

import torch
from torch import nn


class AlexNet(nn.Module):
    """torchvision's AlexNet: `features`, `avgpool` and `classifier`, in its layer order."""

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        ### BEGIN SOLUTION
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
        ### END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class scores (N, num_classes) for images (N, 3, H, W); ValueError unless x is 4-D."""
        ### BEGIN SOLUTION
        if x.dim() != 4:
            raise ValueError(f"expected a 4-D batch of images (N, 3, H, W), got a {x.dim()}-D input")
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)
        ### END SOLUTION


def feature_shapes(input_size: int = 224) -> list[tuple[int, int, int]]:
    """The (C, H, W) after every layer of `AlexNet().features` for a (3, input_size, input_size)
    image (13 entries); ValueError when input_size is too small for the layers (below 63)."""
    ### BEGIN SOLUTION
    if input_size < 63:
        raise ValueError(f"input_size must be at least 63 for AlexNet's features, got {input_size}")
    with torch.device("meta"):  # shapes only: no weights are drawn, nothing is computed
        features = AlexNet().features
    x = torch.empty(1, 3, input_size, input_size, device="meta")
    shapes = []
    for layer in features:
        x = layer(x)
        shapes.append((x.shape[1], x.shape[2], x.shape[3]))
    return shapes
    ### END SOLUTION
