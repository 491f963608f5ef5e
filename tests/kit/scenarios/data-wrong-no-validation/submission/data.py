"""No check of batch_size: DataLoader itself refuses 0, bools and floats, but batch_size=None makes a loader that does not batch at all."""

import torch
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms


def mnist_transform():
    return transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])


def make_loader(dataset, batch_size, shuffle=True, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator)
