"""A linear layer by hand, and predicting with a model (全连接层与推理)."""

import torch


def linear_forward(x, weight, bias=None):
    return torch.zeros(*x.shape[:-1], weight.shape[0], dtype=x.dtype, device=x.device)


def predict(net, x):
    return x
