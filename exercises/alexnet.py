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
        # YOUR CODE HERE
        raise NotImplementedError("complete AlexNet.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class scores (N, num_classes) for images (N, 3, H, W); ValueError unless x is 4-D."""
        # YOUR CODE HERE
        raise NotImplementedError("complete AlexNet.forward")


def feature_shapes(input_size: int = 224) -> list[tuple[int, int, int]]:
    """The (C, H, W) after every layer of `AlexNet().features` for a (3, input_size, input_size)
    image (13 entries); ValueError when input_size is too small for the layers (below 63)."""
    # YOUR CODE HERE
    raise NotImplementedError("complete feature_shapes")
