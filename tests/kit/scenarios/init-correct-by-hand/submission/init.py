"""Initialising weights (参数初始化)."""

import math

import torch
from torch import nn

def init_weights(module):
    if type(module) in (nn.Linear, nn.Conv2d):
        weight = module.weight
        fan_in = math.prod(weight.shape[1:])
        with torch.no_grad():
            weight.normal_(0.0, math.sqrt(2.0 / fan_in))
            if module.bias is not None:
                module.bias.zero_()


def count_parameters(model, trainable_only=True):
    total = 0
    for parameter in model.parameters():
        if trainable_only and not parameter.requires_grad:
            continue
        total += parameter.numel()
    return total
