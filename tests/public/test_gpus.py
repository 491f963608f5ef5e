"""Public checks for gpus.py (run them with `autograder check gpus`)."""

import pytest
import torch

from autograder.checks import expect, expect_equal, fake_cuda


@pytest.mark.points(1)
def test_try_gpu_two_gpus(student):
    """with two GPUs, try_gpu(1) is cuda:1 and try_gpu(2) is cpu (checked with faked GPUs)"""
    for i, wanted in ((1, torch.device("cuda:1")), (2, torch.device("cpu"))):
        with fake_cuda(available=True, device_count=2):
            device = student.gpus.try_gpu(i)
        expect(type(device) is torch.device, f"with 2 GPUs, try_gpu({i}) returned {device!r}; expected a torch.device",
               hint="return torch.device(f'cuda:{i}') or torch.device('cpu')")
        expect(device == wanted, f"with 2 GPUs, try_gpu({i}) is '{device}'; expected '{wanted}'",
               hint="GPU i exists when i < torch.cuda.device_count()")


@pytest.mark.points(1)
def test_visible_devices_env_two_ids(student):
    """visible_devices_env([2, 3]) is {"CUDA_VISIBLE_DEVICES": "2,3"}"""
    expect_equal(student.gpus.visible_devices_env([2, 3]), {"CUDA_VISIBLE_DEVICES": "2,3"},
                 what="visible_devices_env([2, 3])",
                 hint="the variable is CUDA_VISIBLE_DEVICES (with the final S); its value is the ids joined by commas")
