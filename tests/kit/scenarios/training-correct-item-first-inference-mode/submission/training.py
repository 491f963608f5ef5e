"""Correct, written differently: train_step reads loss.item() before backward and zeroes the
gradients in place (set_to_none=False); evaluate runs under torch.inference_mode(), brings the
predictions back to the cpu instead of moving y, compares the concatenated predictions at the end
and restores the mode with an if; fit averages with statistics.fmean."""

import statistics

import torch


def train_step(model, x, y, loss_fn, optimizer, device):
    device = torch.zeros((), device=device).device
    if any(p.device != device for p in model.parameters()):
        where = sorted({str(p.device) for p in model.parameters()})
        raise ValueError(f"model parameters on {', '.join(where)}; expected all of them on {device}")
    x, y = x.to(device), y.to(device)
    optimizer.zero_grad(set_to_none=False)
    loss = loss_fn(model(x), y)
    value = loss.item()
    loss.backward()
    optimizer.step()
    return value


def evaluate(model, loader, device):
    was_training = model.training
    model.eval()
    predictions, labels = [], []
    with torch.inference_mode():
        for x, y in loader:
            predictions.append(model(x.to(device)).argmax(-1).cpu())
            labels.append(y)
        accuracy = torch.cat(predictions).eq(torch.cat(labels)).double().mean().item()
    if was_training:
        model.train()
    else:
        model.eval()
    return accuracy


def fit(model, loader, loss_fn, optimizer, epochs, device):
    if not (type(epochs) is int and epochs > 0):
        raise ValueError(f"epochs={epochs!r}: need an int >= 1")
    model.train()
    return [statistics.fmean(train_step(model, x, y, loss_fn, optimizer, device) for x, y in loader)
            for _ in range(epochs)]
