"""Correct, written differently: a BatchSampler over a RandomSampler (or a SequentialSampler) drawing from the seeded generator, which the DataLoader gets too; the image made a uint8 tensor, converted to float32 in [0, 1] by ConvertImageDtype, then normalised."""

import torch
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms
from torch.utils.data import BatchSampler, RandomSampler, SequentialSampler


def mnist_transform():
    return transforms.Compose([
        transforms.PILToTensor(),
        transforms.ConvertImageDtype(torch.float32),
        transforms.Normalize(mean=[0.1307], std=[0.3081]),
    ])


def make_loader(dataset, batch_size, shuffle=True, seed=0):
    if not (type(batch_size) is int and batch_size >= 1):
        raise ValueError(f"bad batch_size {batch_size!r}: it must be a positive int")
    generator = torch.Generator().manual_seed(seed)
    sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
    return DataLoader(dataset, batch_sampler=BatchSampler(sampler, batch_size, drop_last=False),
                      generator=generator)
