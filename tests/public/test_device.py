"""Public checks for device.py (run them with `autograder check device`)."""

import pytest
import torch

from autograder.checks import expect, expect_close, fake_cuda


@pytest.mark.points(1)
def test_default_device_matches_machine(student):
    """default_device() is a torch.device: cuda when CUDA is available, else cpu (checked with a faked GPU)"""
    for available, wanted in ((True, "cuda"), (False, "cpu")):
        with fake_cuda(available=available):
            device = student.device.default_device()
        where = f"with CUDA {'available' if available else 'unavailable'}"
        expect(type(device) is torch.device, f"{where}, default_device() returned {device!r}; expected a torch.device",
               hint="return torch.device('cuda') or torch.device('cpu')")
        expect(device.type == wanted, f"{where}, default_device() is '{device}'; expected '{wanted}'",
               hint="ask torch.cuda.is_available() each time it is called")


@pytest.mark.points(1)
def test_to_device_moves_a_tensor(student, target_device):
    """to_device(tensor, device) returns the tensor's values on that device"""
    x = torch.randn(3)
    expect_close(student.device.to_device(x, str(target_device)), x.to(target_device),
                 what=f"to_device(x, '{target_device}') for x of shape (3,)",
                 hint="tensor.to(device) returns a new tensor: use what it returns")
