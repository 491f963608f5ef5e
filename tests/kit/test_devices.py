"""Devices: value checks on cpu and cuda, device logic on meta (so CPU-only CI covers it)."""

from __future__ import annotations

import pytest
import torch

from autograder.plugin import available_devices
from autograder.result import Status
from autograder.runner import codec

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def test_every_machine_checks_device_logic_on_meta(grader, course):
    result = grader.grade(course.solutions, only=["device", "param_list"])
    on_meta = [c.id for c in result.checks if "meta" in c.devices]
    assert "hidden/test_param_list.py::test_moves_with_module" in on_meta
    assert "hidden/test_device.py::test_to_device_moves_nested" in on_meta
    assert result.score == result.max_score


def test_value_checks_run_on_every_available_device(grader, course):
    result = grader.grade(course.solutions, only=["mlp"])
    check = next(c for c in result.checks if c.id.endswith("test_forward_matches_reference"))
    assert check.devices == available_devices() and check.status is Status.PASSED


@needs_cuda
def test_reference_passes_and_stubs_fail_on_cuda(grader, course):
    passed = grader.grade(course.solutions)
    assert "cuda" in passed.devices and passed.score == passed.max_score
    stubs = grader.grade(course.exercises_dir, only=["mlp"])
    assert {c.status for c in stubs.checks} == {Status.NOT_ATTEMPTED}


@needs_cuda
def test_cuda_tensors_cross_the_codec():
    t = torch.randn(3, 4, device="cuda").t()
    out = codec.decode(codec.encode(t))
    assert out.device.type == "cuda" and torch.equal(out, t)


@needs_cuda
def test_a_fault_on_one_device_names_the_device(grader, course, write_submission):
    source = (course.solutions / "batching.py").read_text().replace(
        "    return x.unsqueeze(0)\n", "    return (x.cpu() if x.is_cuda else x).unsqueeze(0)\n", 1)
    result = grader.grade(write_submission({"batching.py": source}), only=["batching"])
    check = next(c for c in result.checks if c.id.endswith("test_add_batch_dim_leading"))
    assert check.status is Status.FAILED and check.message.startswith("on cuda:")
