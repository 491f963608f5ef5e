"""Computes nothing: train_step returns 0.0 without touching the model, evaluate returns 0.0 and fit
returns [0.0] * epochs; nothing raises."""


def train_step(model, x, y, loss_fn, optimizer, device):
    return 0.0


def evaluate(model, loader, device):
    return 0.0


def fit(model, loader, loss_fn, optimizer, epochs, device):
    return [0.0] * epochs
