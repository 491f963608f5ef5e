"""Correct, written differently: the generator made and seeded in two steps, the transform's list built up item by item with a Lambda doing the normalisation, and the batch size checked with isinstance."""

import torch
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

MEAN, STD = 0.1307, 0.3081


def mnist_transform():
    steps = []
    steps.append(transforms.ToTensor())
    steps.append(transforms.Lambda(lambda x: (x - MEAN) / STD))
    return transforms.Compose(steps)


def make_loader(dataset, batch_size, shuffle=True, seed=0):
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
        raise ValueError("batch_size should be a positive int, not " + repr(batch_size))
    g = torch.Generator()
    g.manual_seed(seed)
    return DataLoader(dataset, batch_size, shuffle, generator=g)
