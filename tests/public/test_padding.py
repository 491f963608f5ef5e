"""Public checks for padding.py (run them with `autograder check padding`)."""

import pytest

from autograder.checks import expect_equal

FORMULA = "⌊(size + 2·padding − kernel_size) / stride⌋ + 1"


@pytest.mark.points(1)
def test_conv_output_size_examples(student):
    """the chapter's examples: an 8×8 input keeps its size with padding (k − 1)/2"""
    size = student.padding.conv_output_size
    expect_equal(size(8, 3, padding=1), 8, what="conv_output_size(8, 3, padding=1)", hint=FORMULA)
    expect_equal(size(8, 5, padding=2), 8, what="conv_output_size(8, 5, padding=2)", hint=FORMULA)
    expect_equal(size(8, 3, padding=0, stride=3), 2, what="conv_output_size(8, 3, stride=3)", hint=FORMULA)


@pytest.mark.points(1)
def test_same_padding_odd_kernels(student):
    """same_padding(3) is 1 and same_padding((5, 3)) is (2, 1)"""
    same = student.padding.same_padding
    expect_equal(same(3), 1, what="same_padding(3)", hint="(kernel_size − 1) // 2")
    expect_equal(same((5, 3)), (2, 1), what="same_padding((5, 3))", hint="a pair in gives a tuple out")
