"""Correct, written differently: model.zero_grad() instead of the optimizer's, the set of the
parameters' devices compared with the device a tensor made there reports, evaluate as a
@torch.no_grad() helper inside try/finally, and fit calls model.train() at the top of every epoch."""

import torch


def train_step(model, x, y, loss_fn, optimizer, device):
    target = torch.tensor(0.0, device=device).device
    devices = {p.device for p in model.parameters()}
    if devices != {target}:
        raise ValueError(f"device is {target}, but the model's parameters are on {sorted(map(str, devices))}")
    inputs, targets = x.to(target), y.to(target)
    model.zero_grad()
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    optimizer.step()
    return loss.detach().item()


@torch.no_grad()
def _count(model, loader, device):
    hits, n = 0, 0
    for x, y in loader:
        x = x.to(device)
        y = y.to(device)
        hits += (model(x).argmax(dim=-1) == y).sum().item()
        n += y.numel()
    return hits, n


def evaluate(model, loader, device):
    before = model.training
    try:
        model.eval()
        hits, n = _count(model, loader, device)
    finally:
        model.train(mode=before)
    return hits / n


def fit(model, loader, loss_fn, optimizer, epochs, device):
    if type(epochs) is not int or epochs < 1:
        raise ValueError(f"epochs must be an int >= 1 (got {epochs!r})")
    history = []
    epoch = 0
    while epoch < epochs:
        model.train()
        losses = [train_step(model, x, y, loss_fn, optimizer, device) for x, y in loader]
        history.append(sum(losses) / len(losses))
        epoch += 1
    return history
