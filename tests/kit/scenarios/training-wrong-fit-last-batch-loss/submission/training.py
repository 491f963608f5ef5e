"""fit records only the last batch's loss of each epoch."""

import torch


def train_step(model, x, y, loss_fn, optimizer, device):
    device = torch.empty(0, device=device).device
    for name, p in model.named_parameters():
        if p.device != device:
            raise ValueError(f"parameter {name} is on {p.device}, not on {device}")
    x = x.to(device)
    y = y.to(device)
    optimizer.zero_grad()
    output = model(x)
    loss = loss_fn(output, y)
    loss.backward()
    optimizer.step()
    return loss.item()


def evaluate(model, loader, device):
    was_training = model.training
    model.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            predicted = model(x).argmax(dim=-1)
            correct += (predicted == y).sum().item()
            total += len(y)
    model.train(was_training)
    return correct / total


def fit(model, loader, loss_fn, optimizer, epochs, device):
    if type(epochs) is not int or epochs < 1:
        raise ValueError(f"epochs must be an int >= 1, got {epochs!r}")
    model.train()
    history = []
    for _ in range(epochs):
        losses = []
        for x, y in loader:
            losses.append(train_step(model, x, y, loss_fn, optimizer, device))
        history.append(losses[-1])
    return history
