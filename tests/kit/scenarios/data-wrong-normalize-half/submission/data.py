"""Normalize((0.5,), (0.5,)), the usual copy-pasted constants, instead of MNIST's mean 0.1307 and std 0.3081."""

import torch
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms


def mnist_transform():
    return transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])


def make_loader(dataset: Dataset, batch_size: int, shuffle: bool = True, seed: int = 0) -> DataLoader:
    if type(batch_size) is not int or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator)
