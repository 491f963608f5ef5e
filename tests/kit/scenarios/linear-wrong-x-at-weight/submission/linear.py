"""A linear layer by hand, and predicting with a model (全连接层与推理)."""

import torch


def linear_forward(x, weight, bias=None):
    if weight.dim() != 2:
        raise ValueError(f"weight must be 2-D, got shape {tuple(weight.shape)}")
    if x.dim() == 0 or x.shape[-1] != weight.shape[0]:
        raise ValueError(f"x must end in {weight.shape[0]} features, got shape {tuple(x.shape)}")
    if bias is not None and tuple(bias.shape) != (weight.shape[1],):
        raise ValueError(f"bias must have shape ({weight.shape[1]},), got {tuple(bias.shape)}")
    y = x @ weight
    if bias is not None:
        y = y + bias
    return y


def predict(net, x):
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad():
            return net(x)
    finally:
        net.train(was_training)
