"""A RandomSampler with the seeded generator, but no generator for the DataLoader: the loader draws its base seed from the global random state, and the sampler's order is not the seeded DataLoader's."""

import torch
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms
from torch.utils.data import RandomSampler


def mnist_transform():
    return transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])


def make_loader(dataset, batch_size, shuffle=True, seed=0):
    if type(batch_size) is not int or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    if not shuffle:
        return DataLoader(dataset, batch_size=batch_size)
    sampler = RandomSampler(dataset, generator=torch.Generator().manual_seed(seed))
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler)
