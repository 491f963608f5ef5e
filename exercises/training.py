"""A training step, an evaluation and a training loop on one device (训练 / 设备).

Everything that takes part in a forward pass, a loss and a backward pass must be on one device:
the model's parameters, the inputs `x` and the targets `y`. `tensor.to(device)` returns a new
tensor (use what it returns); a batch from a DataLoader comes on the cpu, so each batch is moved
before it is used, and a model left on another device fails with a mixed-device error deep inside
torch, so check it first. `loss.backward()` *adds* into each parameter's `.grad`, so the gradients
are zeroed (`optimizer.zero_grad()`) before every backward pass, or each step uses the sum of all
the earlier gradients. `loss.item()` gives a plain Python float that holds no graph (and no GPU
memory); keeping the loss tensors in a list keeps every step's graph alive. `model.eval()` switches
dropout off and makes batch norm use its running statistics, and `torch.no_grad()` stops autograd
from recording a graph nobody will use; an evaluation needs both, and should leave the model in the
mode it found it in.
"""

import torch
from torch import nn


def train_step(model: nn.Module, x: torch.Tensor, y: torch.Tensor, loss_fn, optimizer: torch.optim.Optimizer,
               device: torch.device | str) -> float:
    """One optimisation step on the batch (x, y); returns the batch's loss as a Python float.

    `device` is a torch.device or a string naming one ("cpu", "cuda", "cuda:0"); plain "cuda" means
    the current GPU, as for tensors. If any parameter of `model` is not on `device`, raises
    ValueError naming both devices (the parameter's and `device`). Otherwise moves x and y to
    `device`, zeroes the gradients (`optimizer.zero_grad()`), computes `loss_fn(model(x), y)`,
    back-propagates, takes `optimizer.step()` and returns `loss.item()`, the loss before the step.
    """
    # YOUR CODE HERE
    raise NotImplementedError("complete train_step")


def evaluate(model: nn.Module, loader, device: torch.device | str) -> float:
    """The accuracy of `model` over every batch (x, y) of `loader`: the fraction, in [0, 1], of all
    its samples whose predicted class (the argmax of model(x) over its last dim: the model maps a
    batch to logits of shape (batch, classes)) equals the label in y.

    Moves each batch to `device`, computes in eval mode (`model.eval()`) without recording a graph
    (under `torch.no_grad()`), and puts the model back in the mode (train or eval) it was in before.
    The loader yields at least one sample.
    """
    # YOUR CODE HERE
    raise NotImplementedError("complete evaluate")


def fit(model: nn.Module, loader, loss_fn, optimizer: torch.optim.Optimizer, epochs: int,
        device: torch.device | str) -> list[float]:
    """Trains `model` for `epochs` passes over `loader`: puts it in train mode (`model.train()`), then
    calls `train_step` on every batch (x, y) of every epoch, in order.

    Returns one float per epoch: the mean of that epoch's `train_step` losses, each batch counting
    once (a short last batch counts as much as a full one). `epochs` must be an int ≥ 1 (not a bool),
    else ValueError naming epochs. The loader yields at least one batch.
    """
    # YOUR CODE HERE
    raise NotImplementedError("complete fit")
