"""Hidden checks for quiz.py: one per question, each worth one point on its own."""

import pytest

from autograder.checks import entry, expect, expect_equal

#: The answers question 9 chooses from (stated in the question).
FAILS_AT = ("creating the device", "moving the tensor", "never")


def _answer(student, key):
    return entry(student.quiz.ANSWERS, key, what="ANSWERS")


def _expect_answer(student, reference, key, hint):
    expect_equal(_answer(student, key), reference.quiz.ANSWERS[key], what=f"ANSWERS[{key!r}]", hint=hint)


@pytest.mark.points(1)
def test_linear_weight_shape(student, reference):
    """question 3: the weight shape of nn.Linear(784, 256)"""
    _expect_answer(student, reference, "linear_weight_shape",
                   "in nn.Linear(in_features, out_features), which of the two comes first in weight.shape? Try it")


@pytest.mark.points(1)
def test_conv_output_height(student, reference):
    """question 4: a strided convolution's output height"""
    _expect_answer(student, reference, "conv_output_height",
                   "the output size is ⌊(n + 2p − k) / s⌋ + 1, with p the padding on each side")


@pytest.mark.points(1)
def test_max_pool_output(student, reference):
    """question 5: nn.MaxPool2d(2) on a 3×3 input"""
    _expect_answer(student, reference, "max_pool_output",
                   "which stride does nn.MaxPool2d use when none is given, and what happens to a window that does "
                   "not fit?")


@pytest.mark.points(1)
def test_even_kernel_output_height(student, reference):
    """question 6: an even kernel with padding k / 2"""
    _expect_answer(student, reference, "even_kernel_output_height",
                   "padding (k − 1) / 2 keeps the size only for odd k; work out ⌊(n + 2p − k) / s⌋ + 1")


@pytest.mark.points(1)
def test_physical_gpu_of_cuda1(student, reference):
    """question 7: the physical GPU behind cuda:1 under CUDA_VISIBLE_DEVICES"""
    _expect_answer(student, reference, "physical_gpu_of_cuda1",
                   "which GPUs does the process see, and how does it number them?")


@pytest.mark.points(1)
def test_visible_devices_variable(student, reference):
    """question 8: the variable that lists the visible GPUs"""
    _expect_answer(student, reference, "visible_devices_variable",
                   "a misspelt variable name is silently ignored, and every GPU stays visible: check each letter")


@pytest.mark.points(1)
def test_one_gpu_cuda1_fails_at(student, reference):
    """question 9: where cuda:1 fails on a one-GPU machine"""
    got = _answer(student, "one_gpu_cuda1_fails_at")
    if got is not ...:  # left unanswered: expect_equal says not attempted
        expect(got in FAILS_AT, f"ANSWERS['one_gpu_cuda1_fails_at'] is {got!r}, which is not one of the choices "
                                f"{', '.join(map(repr, FAILS_AT))}")
    expect_equal(got, reference.quiz.ANSWERS["one_gpu_cuda1_fails_at"], what="ANSWERS['one_gpu_cuda1_fails_at']",
                 hint="when does PyTorch first check that a GPU with that index exists?")


@pytest.mark.points(1)
def test_reshape_of_contiguous_copies(student, reference):
    """question 10: whether reshape of a contiguous tensor copies"""
    _expect_answer(student, reference, "reshape_of_contiguous_copies",
                   "compare x.data_ptr() with y.data_ptr(), or write to y and look at x")
