"""Initialising weights (参数初始化)."""

import math

import torch
from torch import nn

def init_weights(module):
    if isinstance(module, nn.Linear) or isinstance(module, nn.Conv2d):
        nn.init.kaiming_normal_(module.weight)
        if module.bias is not None:
            module.bias.data.fill_(0.0)


def count_parameters(model, trainable_only=True):
    chosen = filter(lambda p: p.requires_grad, model.parameters()) if trainable_only else model.parameters()
    return sum(p.numel() for p in chosen)
