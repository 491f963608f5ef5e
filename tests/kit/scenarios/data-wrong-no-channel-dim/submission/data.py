"""The image read by hand with numpy, scaled and normalised correctly, but with no channel dimension: shape (28, 28) instead of (1, 28, 28)."""

import torch
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms
import numpy as np


def mnist_transform():
    return transforms.Lambda(lambda image: (torch.from_numpy(np.array(image)).float() / 255 - 0.1307) / 0.3081)


def make_loader(dataset: Dataset, batch_size: int, shuffle: bool = True, seed: int = 0) -> DataLoader:
    if type(batch_size) is not int or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator)
