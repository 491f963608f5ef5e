"""Public checks for device.py (run them with `autograder check device`)."""

import pytest
import torch

from autograder.checks import expect, expect_shape


@pytest.mark.points(1)
def test_default_device_matches_machine(student):
    """default_device() is a torch.device: cuda on a machine with a GPU, else cpu"""
    device = student.device.default_device()
    expect(type(device) is torch.device, f"default_device() returned {device!r}; expected a torch.device",
           hint="return torch.device('cuda') or torch.device('cpu')")
    wanted = "cuda" if torch.cuda.is_available() else "cpu"
    expect(device.type == wanted, f"default_device() is '{device}' on a machine where it should be {wanted}",
           hint="ask torch.cuda.is_available()")


@pytest.mark.points(1)
def test_to_device_moves_a_tensor(student):
    """to_device(tensor, 'meta') returns the tensor on the meta device"""
    out = student.device.to_device(torch.ones(3), "meta")
    expect_shape(out, (3,), what="to_device(torch.ones(3), 'meta')")
    expect(out.device.type == "meta", f"to_device(torch.ones(3), 'meta') is on '{out.device}'",
           hint="tensor.to(device) returns a new tensor: use what it returns")
