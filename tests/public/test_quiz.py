"""Public checks for quiz.py: two of its ten questions, as practice (run them with `autograder check quiz`).

Their answers are shown when they fail; the other eight are graded by hidden checks."""

import pytest

from autograder.checks import entry, expect_equal


def _answer(student, key):
    return entry(student.quiz.ANSWERS, key, what="ANSWERS")


@pytest.mark.points(1)
def test_hidden_layers(student):
    """question 1: the hidden layers of a 784-256-10 MLP"""
    expect_equal(_answer(student, "hidden_layers"), 1, what="ANSWERS['hidden_layers']",
                 hint="a hidden layer lies between the input and the output layer: count the Linear layers whose "
                      "outputs feed another layer (the ReLU is their activation, not a layer of its own)")


@pytest.mark.points(1)
def test_hidden_size(student):
    """question 2: the hidden layer's output size"""
    expect_equal(_answer(student, "hidden_size"), 256, what="ANSWERS['hidden_size']",
                 hint="nn.Linear(in_features, out_features): 784 is what each image gives the layer (28 × 28), "
                      "not what it outputs")
