"""A linear layer by hand, and predicting with a model (全连接层与推理)."""

import torch


def linear_forward(x, weight, bias=None):
    if len(weight.shape) != 2:
        raise ValueError(f"weight: expected 2 dimensions, got {len(weight.shape)}")
    if len(x.shape) == 0 or x.size(-1) != weight.size(1):
        raise ValueError(f"x: last dimension {tuple(x.shape)[-1:]} does not match weight {tuple(weight.shape)}")
    if bias is not None and (bias.dim() != 1 or bias.numel() != weight.size(0)):
        raise ValueError(f"bias: expected ({weight.size(0)},), got {tuple(bias.shape)}")
    flat = x.reshape(-1, x.size(-1))
    if bias is None:
        out = flat.mm(weight.t())
    else:
        out = torch.addmm(bias, flat, weight.t())
    return out.reshape(*x.shape[:-1], weight.size(0))


def predict(net, x):
    training = net.training
    net.train(False)
    with torch.set_grad_enabled(False):
        y = net(x)
    if training:
        net.train()
    return y
