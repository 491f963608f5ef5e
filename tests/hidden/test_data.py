"""Hidden checks for data.py: the transform on FakeData images against the reference's, and loaders
whose batches, epochs and seeds match the reference's without touching torch's global random state."""

import itertools
import re

import pytest
import torch
import torchvision
from torch.utils.data import TensorDataset

from autograder.checks import (
    expect,
    expect_close,
    expect_equal,
    expect_raises,
    fail,
    is_student_object,
    take,
    type_name,
)
from autograder.outcomes import CourseFault

TRANSFORM_HINT = ("first ToTensor (a PIL image → a float tensor in [0, 1], channels first), then Normalize with "
                  "MNIST's mean 0.1307 and std 0.3081, in that order")
ORDER_HINT = ("build the DataLoader with shuffle=shuffle and its own generator, torch.Generator().manual_seed(seed); "
              "torch.manual_seed(seed) seeds the global generator instead, which draws a different order")
SEED_HINT = "seed the loader's generator with the seed argument, not a fixed number"
EPOCH_HINT = ("create the generator once, in make_loader, and let the DataLoader draw from it every epoch: "
              "reseeding it at each pass repeats the same order")
GLOBAL_HINT = ("do not call torch.manual_seed: give the DataLoader its own torch.Generator() (generator=...), so it "
               "neither reseeds nor draws from the global random state")
BATCH_SIZE_HINT = ("check type(batch_size) is int and batch_size >= 1 before building the DataLoader: True is an "
                   "int in Python, and DataLoader takes batch_size=None to mean no batching at all")


def fake_data(torchvision_module, size: int, offset: int, transform=None):
    """MNIST-like FakeData: grey 28×28 images drawn from the index (so both processes see the same images)."""
    return torchvision_module.datasets.FakeData(size=size, image_size=(1, 28, 28), num_classes=10,
                                                random_offset=offset, transform=transform)


def reference_batches(reference, dataset, batch_size: int, epochs: int = 1, **kwargs):
    """The reference loader's batches over `dataset`: one whole pass, or a list of `epochs` passes."""
    loader = reference.data.make_loader(dataset, batch_size, **kwargs)
    passes = [list(loader) for _ in range(epochs)]
    return passes[0] if epochs == 1 else passes


def expect_batches(got: list, wanted: list, *, what: str, hint: str) -> None:
    """The loader's batches are the reference's: as many, and each equal, tensor by tensor."""
    if len(got) != len(wanted):
        fail(f"{what} yields {len(got)} batch{'' if len(got) == 1 else 'es'}, which is not the right number",
             hint="a DataLoader with batch_size=batch_size over the dataset given yields ⌈len(dataset) / batch_size⌉")
    for i, (a, b) in enumerate(zip(got, wanted, strict=True)):
        if not isinstance(a, list) or len(a) != len(b):
            fail(f"batch {i} of {what} is not a list of {len(b)} tensors like a DataLoader's batch", hint=hint)
        for j, (x, y) in enumerate(zip(a, b, strict=True)):
            expect_close(x, y, what=f"tensor {j} of batch {i} of {what}", hint=hint)


# --------------------------------------------------------------------------- the transform


@pytest.mark.points(1)
def test_transform_matches_reference(student, reference):
    """mnist_transform() on FakeData's grey 28×28 images gives the reference's float32 (1, 28, 28) tensors"""
    transform = student.data.mnist_transform()
    wanted_transform = reference.data.mnist_transform()
    plain, mine = fake_data(student.torchvision, 4, 101), fake_data(torchvision, 4, 101)
    for i in range(4):
        image = plain[i][0]
        pixels = student.torchvision.transforms.functional.pil_to_tensor(image)
        if not torch.equal(pixels, torchvision.transforms.functional.pil_to_tensor(mine[i][0])):
            raise CourseFault("FakeData gave the grader and the student different images")
        got = transform(image)
        if is_student_object(got):
            fail(f"mnist_transform() on FakeData image {i} returned an object of type {type_name(got)}, expected a "
                 "tensor", hint=TRANSFORM_HINT)
        expect_close(got, wanted_transform(mine[i][0]), what=f"mnist_transform() on FakeData image {i}",
                     hint=TRANSFORM_HINT)
    given = fake_data(student.torchvision, 6, 7, transform=transform)
    wanted = fake_data(torchvision, 6, 7, transform=wanted_transform)
    for i in range(6):
        image, label = given[i]
        expect_close(image, wanted[i][0], what=f"image {i} of FakeData(..., transform=mnist_transform())",
                     hint=TRANSFORM_HINT)
        expect_equal(label, wanted[i][1], what=f"the label of FakeData item {i}")


# --------------------------------------------------------------------------- the loader


#: (samples, batch size): several batches, a short last batch, one batch only, batches of one
SIZES = ((20, 4), (23, 5), (7, 10), (5, 1))


@pytest.mark.points(1)
def test_loader_matches_reference(student, reference):
    """shuffled with the default seed, make_loader gives the reference's batches, in order, len(loader) of them"""
    for n, batch_size in SIZES:
        data = torch.arange(n) * 3
        loader = student.data.make_loader(student.torch.utils.data.TensorDataset(data), batch_size)
        what = f"make_loader(a TensorDataset of {n} samples, {batch_size})"
        wanted = reference_batches(reference, TensorDataset(data), batch_size)
        expect_equal(len(loader), len(wanted), what=f"len({what})",
                     hint="a DataLoader with batch_size=batch_size over the dataset given")
        expect_batches(take(loader, len(wanted) + 1, what=what), wanted, what=what, hint=ORDER_HINT)
    x, y = torch.randn(11, 2, 3), torch.arange(11)
    what = "make_loader(a TensorDataset of 11 (x, y) pairs, 4, shuffle=True, seed=0)"
    loader = student.data.make_loader(student.torch.utils.data.TensorDataset(x, y), 4, shuffle=True, seed=0)
    expect_batches(take(loader, 4, what=what), reference_batches(reference, TensorDataset(x, y), 4, seed=0),
                   what=what, hint=ORDER_HINT)


@pytest.mark.points(1)
def test_loader_honours_seed(student, reference):
    """other seeds give the reference's other orders, each the same for two loaders with that seed"""
    data = torch.arange(24)
    for seed in (1, 7, 2024, 123456789):
        what = f"make_loader(TensorDataset(torch.arange(24)), 6, seed={seed})"
        wanted = reference_batches(reference, TensorDataset(data), 6, seed=seed)
        for call in range(2):
            dataset = student.torch.utils.data.TensorDataset(data)
            loader = (student.data.make_loader(dataset, 6, seed=seed) if call == 0
                      else student.data.make_loader(dataset, 6, True, seed))
            expect_batches(take(loader, 5, what=what), wanted, what=what if call == 0 else f"a second {what}",
                           hint=SEED_HINT)


@pytest.mark.points(1)
def test_loader_new_order_each_epoch(student, reference):
    """every pass over one loader gives the reference's next order: the loader's generator moves on"""
    for seed, n, batch_size in ((0, 16, 4), (5, 9, 3)):
        data = torch.arange(n)
        loader = student.data.make_loader(student.torch.utils.data.TensorDataset(data), batch_size, seed=seed)
        epochs = reference_batches(reference, TensorDataset(data), batch_size, epochs=3, seed=seed)
        for epoch, wanted in enumerate(epochs):
            what = f"pass {epoch + 1} over make_loader(TensorDataset(torch.arange({n})), {batch_size}, seed={seed})"
            expect_batches(take(loader, len(wanted) + 1, what=what), wanted, what=what, hint=EPOCH_HINT)
    # A pass broken off early still moves the generator on, as the reference's does. Read both with
    # islice, as take does: a pass that stops at its last batch leaves the sampler unfinished, and a
    # RandomSampler draws from the generator once more as it finishes, so list() would differ.
    data = torch.arange(12)
    loader = student.data.make_loader(student.torch.utils.data.TensorDataset(data), 3, seed=9)
    wanted = reference.data.make_loader(TensorDataset(data), 3, seed=9)
    for epoch, n in enumerate((2, 4, 5, 4)):
        what = f"pass {epoch + 1} over make_loader(TensorDataset(torch.arange(12)), 3, seed=9)"
        expect_batches(take(loader, n, what=what), list(itertools.islice(wanted, n)), what=what, hint=EPOCH_HINT)


@pytest.mark.points(1)
@pytest.mark.requires("test_loader_matches_reference")
def test_loader_leaves_global_random_state(student):
    """making and reading a loader neither reseeds nor draws from torch's global random generator"""
    torch_ = student.torch
    for shuffle in (True, False):
        for seed in (0, 3):
            torch_.manual_seed(1234)
            before = torch_.get_rng_state()
            loader = student.data.make_loader(torch_.utils.data.TensorDataset(torch.arange(10)), 4, shuffle=shuffle,
                                              seed=seed)
            take(loader, 3, what="the loader")
            take(loader, 3, what="the loader")
            expect(torch.equal(torch_.get_rng_state(), before),
                   f"make_loader(..., shuffle={shuffle}, seed={seed}) and two passes over it changed torch's global "
                   "random state", hint=GLOBAL_HINT)
    orders = []
    for global_seed in (1, 2):
        torch_.manual_seed(global_seed)
        loader = student.data.make_loader(torch_.utils.data.TensorDataset(torch.arange(10)), 10, seed=4)
        orders.append(take(loader, 1, what="the loader")[0][0])
    expect(torch.equal(orders[0], orders[1]), "make_loader(..., seed=4) gives another order when the global seed "
           "changes", hint=GLOBAL_HINT)


def named(word: str) -> str:
    """A `match` pattern for a message that names `word` as a whole (batch_size, not max_batch_size)."""
    return rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])"


@pytest.mark.points(1)
@pytest.mark.requires("test_loader_matches_reference")
def test_loader_rejects_bad_batch_size(student):
    """a batch_size below 1, a bool, a float, a string or None raises ValueError naming batch_size"""
    dataset = student.torch.utils.data.TensorDataset(torch.arange(8))
    for batch_size in (0, -1, -8, True, False, 2.0, 1.0, "4", None):
        expect_raises(ValueError, student.data.make_loader, dataset, batch_size, match=named("batch_size"),
                      hint=BATCH_SIZE_HINT)
        expect_raises(ValueError, student.data.make_loader, dataset, batch_size=batch_size, shuffle=False,
                      match=named("batch_size"), hint=BATCH_SIZE_HINT)


@pytest.mark.points(1)
def test_fakedata_through_loader(student, reference):
    """FakeData with mnist_transform() through make_loader gives the reference's batches of images and labels"""
    for size, batch_size, seed, shuffle in ((10, 4, 11, True), (6, 3, 0, False)):
        dataset = fake_data(student.torchvision, size, 40, transform=student.data.mnist_transform())
        loader = student.data.make_loader(dataset, batch_size, shuffle=shuffle, seed=seed)
        what = (f"make_loader(FakeData of {size} images with transform=mnist_transform(), {batch_size}, "
                f"shuffle={shuffle}, seed={seed})")
        mine = fake_data(torchvision, size, 40, transform=reference.data.mnist_transform())
        wanted = reference_batches(reference, mine, batch_size, shuffle=shuffle, seed=seed)
        expect_batches(take(loader, len(wanted) + 1, what=what), wanted, what=what,
                       hint=f"the images: {TRANSFORM_HINT}; the order: {ORDER_HINT}")
