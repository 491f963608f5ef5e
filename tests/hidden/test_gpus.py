"""Hidden checks for gpus.py: device choice and strict device names with faked GPU counts, and
CUDA_VISIBLE_DEVICES (its name, its value, the renumbering it causes)."""

import pytest
import torch

from autograder.checks import expect, expect_equal, expect_raises, fake_cuda

#: the GPU counts the checks fake: none, one (where "cuda:1 if available" breaks), two
COUNTS = (0, 1, 2)
COUNT_HINT = ("compare the index with torch.cuda.device_count(); torch.cuda.is_available() only says there is at "
              "least one")


def gpus(count: int):
    """Fake a machine with `count` GPUs for the student's calls inside the block."""
    return fake_cuda(available=count > 0, device_count=count)


def names_count(count: int) -> str:
    """A pattern for a message that says how many GPUs there are ("no GPUs" says 0)."""
    return r"\b0\b|\bno\s+(gpu|cuda)" if count == 0 else rf"\b{count}\b"


def machine(count: int) -> str:
    return "with no GPU" if count == 0 else f"with {count} GPU{'s' if count > 1 else ''}"


def show(spec) -> str:
    return repr(spec) if isinstance(spec, str) else f"torch.device({str(spec)!r})"


@pytest.mark.points(1)
def test_try_gpu_checks_the_count(student):
    """try_gpu(i) is cuda:i exactly when i < device_count(), else cpu, with 0, 1 and 2 faked GPUs"""
    for count in COUNTS:
        for i in (None, 0, 1, 2, 3):
            wanted = torch.device(f"cuda:{i or 0}") if (i or 0) < count else torch.device("cpu")
            with gpus(count):
                device = student.gpus.try_gpu() if i is None else student.gpus.try_gpu(i)
            call = "try_gpu()" if i is None else f"try_gpu({i})"
            expect(type(device) is torch.device,
                   f"{machine(count)}, {call} returned {device!r}; expected a torch.device",
                   hint="return torch.device(f'cuda:{i}') or torch.device('cpu')")
            expect(device == wanted, f"{machine(count)}, {call} is '{device}'",
                   hint=f"{COUNT_HINT} (GPU {i or 0} exists when device_count() > {i or 0}); the index is part of "
                        "the answer: cuda:0, not plain cuda")


@pytest.mark.points(1)
def test_require_device_accepts_existing(student):
    """require_device returns the torch.device for cpu and for every GPU that exists (strings and devices)"""
    cases = {0: ["cpu", torch.device("cpu")],
             1: ["cuda", "cuda:0", torch.device("cuda", 0), torch.device("cuda"), "cpu"],
             2: ["cuda:1", torch.device("cuda:1"), "cuda:0", "cuda", torch.device("cpu")]}
    for count, specs in cases.items():
        for spec in specs:
            with gpus(count):
                device = student.gpus.require_device(spec)
            call = f"{machine(count)}, require_device({show(spec)})"
            expect(type(device) is torch.device, f"{call} returned {device!r}; expected a torch.device",
                   hint="torch.device(spec) turns a string into a torch.device")
            wanted = torch.device(spec)
            right = device == wanted or (wanted == torch.device("cuda") and device == torch.device("cuda:0"))
            expect(right, f"{call} is '{device}'", hint="return the device spec names, as torch.device(spec) reads it")


@pytest.mark.points(1)
@pytest.mark.requires("test_require_device_accepts_existing")
def test_require_device_rejects_missing_gpu(student):
    """a missing GPU (plain "cuda" with none, cuda:1 with one) raises ValueError naming the number of GPUs"""
    cases = {0: ["cuda", "cuda:0", torch.device("cuda"), "cuda:3"],
             1: ["cuda:1", torch.device("cuda", 1), "cuda:4"],
             2: ["cuda:2", torch.device("cuda:3"), "cuda:10"]}
    for count, specs in cases.items():
        for spec in specs:
            with gpus(count):
                expect_raises(ValueError, student.gpus.require_device, spec, match=names_count(count),
                              hint=f"{COUNT_HINT}; plain cuda is cuda:0. Raise ValueError saying how many GPUs there "
                                   "are instead of falling back to the cpu")


@pytest.mark.points(1)
@pytest.mark.requires("test_require_device_accepts_existing")
def test_require_device_rejects_unknown(student):
    """a string that names no device ("gpu", "cuda:x", "") raises ValueError naming the number of GPUs"""
    cases = {0: ["gpu"], 1: ["gpu", "cuda:x"], 2: ["gpu", "cuda:x", "GPU:0", "cuda:-1", "", "cuda:one"]}
    for count, specs in cases.items():
        for spec in specs:
            with gpus(count):
                expect_raises(ValueError, student.gpus.require_device, spec, match=names_count(count),
                              hint="torch.device(spec) raises RuntimeError for a string that names no device; turn "
                                   "it into a ValueError that says how many GPUs there are")


@pytest.mark.points(1)
def test_visible_devices_env_values(student):
    """{"CUDA_VISIBLE_DEVICES": ids joined by commas}, in the order given"""
    for ids in ([2, 3], [3, 2], [0], [1, 0, 3], [10, 2], [7, 4, 5, 6]):
        expect_equal(student.gpus.visible_devices_env(list(ids)),
                     {"CUDA_VISIBLE_DEVICES": ",".join(map(str, ids))}, what=f"visible_devices_env({ids})",
                     hint="the name is CUDA_VISIBLE_DEVICES (a misspelt name is silently ignored); the value lists the "
                          "ids in the order given, joined by commas without spaces")


@pytest.mark.points(1)
@pytest.mark.requires("test_visible_devices_env_values")
def test_visible_devices_env_rejects_bad_ids(student):
    """an empty list, a repeated id, a negative id or a non-int id (True included) raises ValueError"""
    cases = [([], "empty"), ([1, 1], r"\b1\b"), ([0, 2, 0], r"\b0\b"), ([-1], "-1"), ([2, -3], "-3"),
             ([True], r"True|bool"), ([0, False], r"False|bool"), (["2"], r"'2'|\bstr"), ([1.0], r"1\.0|float"),
             ([None], r"None")]
    for ids, names in cases:
        expect_raises(ValueError, student.gpus.visible_devices_env, ids, match=rf"\bids\b|{names}",
                      hint="check every id (type(gpu) is int rules out True and False, which are ints too, and "
                           "ids that are not ints), then len(set(ids)) == len(ids); the message names ids or the "
                           "bad id")


@pytest.mark.points(1)
def test_logical_index_renumbers(student):
    """the listed GPUs are renumbered from 0 in the order listed: physical 3 under "2,3" is cuda:1"""
    cases = [("2,3", 3, 1), ("2,3", 2, 0), ("3,2", 3, 0), (" 2 , 3 ", 3, 1), ("2, 3", 3, 1), ("0", 0, 0),
             ("5,0,7", 0, 1), ("5,0,7", 7, 2), ("1,0", 1, 0), ("12,1", 1, 1), ("4,6,1,3", 3, 3)]
    for visible, physical, wanted in cases:
        expect_equal(student.gpus.logical_index(physical, visible), wanted,
                     what=f"logical_index({physical}, {visible!r})",
                     hint="only the listed GPUs are visible and they are numbered 0, 1, … in the order listed: the "
                          "position of physical_id in the list, not physical_id itself")


@pytest.mark.points(1)
@pytest.mark.requires("test_logical_index_renumbers")
def test_logical_index_rejects_hidden(student):
    """a GPU that is not listed (or an empty list, or "-1") raises ValueError naming it"""
    for visible, physical in (("2,3", 0), ("2,3", 1), ("", 0), ("-1", 0), ("0,1", 4), ("12", 1), ("3, 4", 34)):
        expect_raises(ValueError, student.gpus.logical_index, physical, visible,
                      match=rf"\b{physical}\b|physical_id",
                      hint="compare whole entries as numbers (\"12\" does not list GPU 1); a GPU that is not listed is "
                           "hidden: raise ValueError naming physical_id")
