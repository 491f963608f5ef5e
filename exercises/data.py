"""Reading data (数据读入): an MNIST transform and a reproducible DataLoader.

PyTorch reads data in two parts. A `Dataset` says how many samples there are (`__len__`) and how
to get sample i (`__getitem__`), applying its `transform` to each image as it is read; a
`DataLoader` then groups samples into batches and, with `shuffle=True`, visits them in a new
random order every epoch. torchvision's datasets hand out PIL images, which a network cannot
take: `transforms.ToTensor()` turns one into a float tensor with values scaled from 0–255 to
[0, 1] and the channels moved first, (H, W, C) → (C, H, W), so an MNIST digit becomes shape
(1, 28, 28); `transforms.Normalize(mean, std)` then subtracts the data set's mean and divides by
its standard deviation, channel by channel, so the inputs are centred near 0 with a spread near 1
(for MNIST the mean is 0.1307 and the std 0.3081). Normalize works on tensors only, so it comes
after ToTensor. A shuffled loader draws its order from a random generator: give it its own
`torch.Generator` seeded with a fixed number and the same seed gives the same batches on every
run, while the generator moves on so each epoch still gets a new order, and the global random
state that the rest of the program uses (weight initialisation, dropout) is left alone. To look
at a batch's first image, move its channels last with `images[0].permute(1, 2, 0)`.
"""

import torch
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms


def mnist_transform() -> transforms.Compose:
    """The transform for MNIST images: a composition of two steps, first converting a PIL image
    (mode "L", 28×28) to a float32 tensor of shape (1, 28, 28) with values in [0, 1], then
    normalising it with mean 0.1307 and standard deviation 0.3081."""
    # YOUR CODE HERE
    raise NotImplementedError("complete mnist_transform")


def make_loader(dataset: Dataset, batch_size: int, shuffle: bool = True, seed: int = 0) -> DataLoader:
    """A DataLoader over `dataset` in batches of `batch_size`, shuffled when `shuffle`, whose order
    comes from its own generator, `torch.Generator().manual_seed(seed)`: the same batches as
    DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=that generator), so two
    loaders made with the same seed give the same batches, each epoch gets a new order, and torch's
    global random state is neither reseeded nor used.

    batch_size must be an int ≥ 1 (not a bool, and not None, which DataLoader would take to mean
    "no batching"), else ValueError naming batch_size.
    """
    # YOUR CODE HERE
    raise NotImplementedError("complete make_loader")
