"""Public checks for data.py (run them with `autograder check data`)."""

import pytest
import torch

from autograder.checks import expect, expect_close, expect_equal, fail, is_student_object, take, type_name

MEAN, STD = 0.1307, 0.3081


def images() -> list[tuple[str, torch.Tensor]]:
    """(description, 28×28 uint8 pixels): black, white, and every grey level from 0 to 255."""
    ramp = (torch.arange(28 * 28) % 256).to(torch.uint8).reshape(28, 28)
    return [("an all-black image (pixels 0)", torch.zeros(28, 28, dtype=torch.uint8)),
            ("an all-white image (pixels 255)", torch.full((28, 28), 255, dtype=torch.uint8)),
            ("an image with every grey level 0–255", ramp)]


def diagnosis(got: torch.Tensor, pixels: torch.Tensor) -> str:
    """The usual mistake behind a wrong result, told from what the values look like."""
    scaled = pixels.to(torch.float32) / 255
    for value, cause in ((scaled, "the values are only scaled to [0, 1]: Normalize is missing"),
                         ((scaled - 0.5) / 0.5, "this is Normalize with mean 0.5 and std 0.5: use MNIST's mean "
                                                "0.1307 and std 0.3081"),
                         ((scaled - STD) / MEAN, "the mean and the std are swapped: Normalize takes the mean first"),
                         ((pixels.to(torch.float32) - MEAN) / STD, "the pixels were not scaled to [0, 1] before "
                                                                   "normalising: ToTensor divides by 255")):
        if got.shape == value.unsqueeze(0).shape and torch.allclose(got.to(torch.float32), value.unsqueeze(0),
                                                                      atol=1e-4):
            return cause
    return "first ToTensor (PIL image → float tensor in [0, 1], channels first), then Normalize with the mean 0.1307 " \
           "and the std 0.3081"


@pytest.mark.points(2)
def test_transform_known_pixels(student):
    """mnist_transform() turns a 28×28 grey PIL image into a float32 (1, 28, 28) tensor (pixel/255 − 0.1307) / 0.3081"""
    transform = student.data.mnist_transform()
    for what, pixels in images():
        image = student.torchvision.transforms.functional.to_pil_image(pixels)  # mode "L", made where the code runs
        got = transform(image)
        if is_student_object(got):
            fail(f"mnist_transform() on {what} returned an object of type {type_name(got)}, expected a torch.Tensor",
                 hint="ToTensor turns the PIL image into a tensor; it comes first, before Normalize")
        expected = ((pixels.to(torch.float32) / 255 - MEAN) / STD).unsqueeze(0)
        hint = diagnosis(got, pixels) if isinstance(got, torch.Tensor) else ""
        expect_close(got, expected, what=f"mnist_transform() on {what}", hint=hint)


@pytest.mark.points(1)
def test_loader_in_order_and_repeatable(student):
    """shuffle=False keeps the data set's order in batches of batch_size; shuffled, one seed gives one order"""
    make_loader = student.data.make_loader
    TensorDataset = student.torch.utils.data.TensorDataset
    loader = make_loader(TensorDataset(torch.arange(10)), 4, shuffle=False)
    expect_equal(len(loader), 3, what="len(make_loader(TensorDataset(torch.arange(10)), 4, shuffle=False))",
                 hint="10 samples in batches of 4 make 3 batches, the last one with 2")
    batches = take(loader, 4, what="the loader")
    expect_equal(len(batches), 3, what="the number of batches make_loader(TensorDataset(torch.arange(10)), 4, "
                                       "shuffle=False) yields")
    for i, wanted in enumerate((torch.arange(0, 4), torch.arange(4, 8), torch.arange(8, 10))):
        expect_close(batches[i][0], wanted, what=f"batch {i} of make_loader(TensorDataset(torch.arange(10)), 4, "
                                                 "shuffle=False)",
                     hint="pass shuffle on to the DataLoader: shuffle=False reads the samples in order")

    x, y = torch.randn(7, 3), torch.arange(7) * 10
    batches = take(make_loader(TensorDataset(x, y), 3, shuffle=False, seed=5), 4, what="the loader")
    expect_equal(len(batches), 3, what="the number of batches of 7 (x, y) pairs in batches of 3")
    for i, start in enumerate((0, 3, 6)):
        expect_close(batches[i][0], x[start:start + 3], what=f"x of batch {i} of 7 (x, y) pairs in batches of 3")
        expect_close(batches[i][1], y[start:start + 3], what=f"y of batch {i} of 7 (x, y) pairs in batches of 3")

    data = TensorDataset(torch.arange(20))
    first = [b[0] for b in take(make_loader(data, 5, seed=3), 4, what="the loader")]
    second = [b[0] for b in take(make_loader(data, 5, seed=3), 4, what="the loader")]
    expect(len(first) == 4 and sorted(torch.cat(first).tolist()) == list(range(20)),
           "make_loader(TensorDataset(torch.arange(20)), 5, seed=3) does not give 4 batches holding each sample once",
           hint="a DataLoader over the dataset you are given, with batch_size=batch_size")
    for i, (a, b) in enumerate(zip(first, second, strict=True)):
        expect_close(b, a, what=f"batch {i} of a second make_loader(..., 5, seed=3)",
                     hint="give the DataLoader its own generator, seeded with seed: the same seed then gives the "
                          "same order")
