"""Correct, written differently: the pixels read with PILToTensor and scaled and normalised in one Lambda, (x / 255 − mean) / std; the DataLoader gets a RandomSampler with the generator and the generator itself."""

import torch
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms
from torch.utils.data import RandomSampler


def mnist_transform():
    return transforms.Compose([transforms.PILToTensor(),
                               transforms.Lambda(lambda x: (x.float() / 255 - 0.1307) / 0.3081)])


def make_loader(dataset, batch_size, shuffle=True, seed=0):
    if type(batch_size) != int or batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    gen = torch.Generator().manual_seed(seed)
    if shuffle:
        return DataLoader(dataset, batch_size=batch_size, sampler=RandomSampler(dataset, generator=gen), generator=gen)
    return DataLoader(dataset, batch_size=batch_size, generator=gen)
