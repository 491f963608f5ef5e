"""A DataLoader whose generator is reseeded at the start of every pass: the first epoch is right, and every later one repeats its order."""

import torch
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms


def mnist_transform():
    return transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])


class ReproducibleLoader(DataLoader):
    def __init__(self, dataset, batch_size, shuffle, seed):
        super().__init__(dataset, batch_size=batch_size, shuffle=shuffle, generator=torch.Generator())
        self.seed = seed

    def __iter__(self):
        self.generator.manual_seed(self.seed)
        return super().__iter__()


def make_loader(dataset, batch_size, shuffle=True, seed=0):
    if type(batch_size) is not int or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    return ReproducibleLoader(dataset, batch_size, shuffle, seed)
