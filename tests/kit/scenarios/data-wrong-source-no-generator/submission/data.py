"""The chapter's DataLoader(train_data, batch_size=batch_size, shuffle=True) with shuffle passed on, but no generator: the order comes from (and moves) torch's global random state, so the seed does nothing."""

import torch
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms


def mnist_transform():
    return transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])


def make_loader(dataset, batch_size, shuffle=True, seed=0):
    if type(batch_size) is not int or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle)
