"""Public checks for training.py (run them with `autograder check training`)."""

import pytest
import torch
import torch.nn.functional as F

from autograder.checks import expect, expect_close, named_parameters

CPU = torch.device("cpu")


def loader(student, x, y, batch_size):
    """A DataLoader over (x, y) built in the student's process, in order."""
    data = student.torch.utils.data
    return data.DataLoader(data.TensorDataset(x, y), batch_size=batch_size, shuffle=False)


@pytest.mark.points(1)
def test_train_step_one_sgd_step(student):
    """train_step on nn.Linear(4, 3) returns the loss as a float and moves the weights one SGD step"""
    model = student.torch.nn.Linear(4, 3)
    before = named_parameters(model)
    optimizer = student.torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(8, 4), torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    loss = student.training.train_step(model, x, y, student.torch.nn.CrossEntropyLoss(), optimizer, CPU)

    weight, bias = (before[name].detach().clone().requires_grad_(True) for name in ("weight", "bias"))
    expected = F.cross_entropy(F.linear(x, weight, bias), y)
    expected.backward()
    expect_close(loss, expected.item(), what="train_step(...) for one batch of 8",
                 hint="return the loss of the batch, computed before the step, as a Python float: loss.item()")
    after = named_parameters(model)
    for name, value, grad in (("weight", weight, weight.grad), ("bias", bias, bias.grad)):
        expect_close(after[name], (value - 0.1 * grad).detach(), what=f"the model's {name} after the step",
                     hint="zero the gradients, call loss.backward() and then optimizer.step()")


@pytest.mark.points(1)
def test_evaluate_accuracy(student):
    """evaluate gives 0.75 when 6 of 8 samples, in batches of 3, 3 and 2, are predicted right"""
    model = student.torch.nn.Linear(2, 2)
    model.load_state_dict({"weight": torch.eye(2), "bias": torch.zeros(2)})  # predicts the larger input
    x = torch.tensor([[2.0, 0.0], [0.0, 2.0], [3.0, 1.0], [1.0, 4.0], [5.0, 0.0], [0.0, 1.0], [2.0, 1.0], [1.0, 2.0]])
    y = torch.tensor([0, 1, 0, 1, 0, 1, 1, 0])  # the last batch, two samples, is all wrong
    accuracy = student.training.evaluate(model, loader(student, x, y, 3), CPU)
    expect_close(accuracy, 0.75, what="evaluate(...) over 8 samples",
                 hint="count the right predictions (argmax over the last dim equals y) over all the batches and "
                      "divide by the number of samples, not the number of batches; return a Python float")


@pytest.mark.points(1)
def test_fit_loss_falls(student):
    """fit on two separable classes returns one float per epoch, and the loss falls"""
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(16, 2, generator=generator)
    y = (x[:, 0] + x[:, 1] > 0).long()
    model = student.torch.nn.Linear(2, 2)
    optimizer = student.torch.optim.SGD(model.parameters(), lr=0.5)
    losses = student.training.fit(model, loader(student, x, y, 4), student.torch.nn.CrossEntropyLoss(), optimizer,
                                  5, CPU)
    expect(type(losses) is list and len(losses) == 5 and all(type(v) is float for v in losses),
           f"fit(..., epochs=5, ...) returned {losses!r}; expected a list of 5 floats, one per epoch",
           hint="append one Python float (the epoch's mean train_step loss) per epoch")
    expect(losses[-1] < 0.8 * losses[0],
           f"the losses per epoch {[round(v, 4) for v in losses]} do not fall: on separable data with lr=0.5 "
           "the last epoch's loss should be well below the first's",
           hint="call train_step on every batch of every epoch, with the optimizer given")
