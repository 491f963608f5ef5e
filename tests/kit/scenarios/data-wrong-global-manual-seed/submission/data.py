"""torch.manual_seed(seed) and then a DataLoader without a generator: reproducible when made and read at once, but in another order than the seeded generator's, and it reseeds everyone's global random state."""

import torch
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms


def mnist_transform():
    return transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])


def make_loader(dataset, batch_size, shuffle=True, seed=0):
    if type(batch_size) is not int or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    torch.manual_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle)
