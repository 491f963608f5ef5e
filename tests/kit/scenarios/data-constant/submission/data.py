"""Computes nothing: the transform ignores its image and returns zeros of shape (1, 28, 28), and the loader ignores its dataset and always yields the same batch of zeros."""

import torch
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms


def mnist_transform():
    return lambda image: torch.zeros(1, 28, 28)


def make_loader(dataset, batch_size, shuffle=True, seed=0):
    return [[torch.zeros(4, dtype=torch.int64)]]
