"""Correct, written differently: the device check looks at the first parameter only and compares
type and index by hand, gradients are reset by setting p.grad = None, the loss comes back through
float(loss.detach()), evaluate counts with int(...) and y.shape[0], and fit keeps a running total."""

import torch


def train_step(model, x, y, loss_fn, optimizer, device):
    want = torch.device(device)
    have = next(model.parameters()).device
    if have.type != want.type or (want.index is not None and have.index != want.index):
        raise ValueError(f"the model is on {have}, but device is {want}")
    for p in model.parameters():
        p.grad = None
    loss = loss_fn(model(x.to(device)), y.to(device))
    loss.backward()
    optimizer.step()
    return float(loss.detach())


def evaluate(model, loader, device):
    mode = model.training
    model.eval()
    right = seen = 0
    try:
        with torch.no_grad():
            for inputs, labels in loader:
                labels = labels.to(device)
                guesses = torch.argmax(model(inputs.to(device)), dim=-1)
                right += int((guesses == labels).sum())
                seen += labels.shape[0]
    finally:
        model.train(mode)
    return right / seen


def fit(model, loader, loss_fn, optimizer, epochs, device):
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs <= 0:
        raise ValueError(f"epochs should be a positive int, not {epochs!r}")
    model.train()
    means = []
    for _ in range(epochs):
        total, batches = 0.0, 0
        for inputs, labels in loader:
            total += train_step(model, inputs, labels, loss_fn, optimizer, device)
            batches += 1
        means.append(total / batches)
    return means
