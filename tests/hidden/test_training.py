"""Hidden checks for training.py: train_step against the reference over several steps and on another
device (meta stands in for a GPU on machines without one), the model's device checked first;
evaluate in eval mode, without a graph, leaving the mode as it was; fit's per-epoch means."""

import re

import pytest
import torch

from autograder.checks import (
    expect,
    expect_close,
    expect_raises,
    fail,
    gradients,
    module_summary,
    named_parameters,
    records_graph,
)
from autograder.outcomes import StudentRaised

CPU = torch.device("cpu")
#: what torch says when a number is read from a meta tensor (`.item()`, `float()`, `.cpu()`): the
#: computation got that far, so everything it used was on meta
META_VALUE = re.compile(r"meta tensor", re.IGNORECASE)
META = ("the meta device stands in for a GPU here: its tensors have shapes but no values, so a loss on meta can be "
        "computed and back-propagated, but reading its value (loss.item()) raises")
MOVE_HINT = ("move both the inputs and the targets to device (x, y = x.to(device), y.to(device)): tensor.to returns a "
             "new tensor, and a batch from a DataLoader is on the cpu")
ZERO_GRAD_HINT = ("call optimizer.zero_grad() before loss.backward() in every step: backward adds into each .grad, so "
                  "without it a step uses the sum of all earlier gradients (also those left from before the call)")
FLOAT_HINT = "return loss.item(): a Python float that holds no graph, not the loss tensor"
EVAL_HINT = ("call model.eval() before computing: in train mode dropout zeroes activations at random, so the "
             "predictions change; count the right predictions over all the samples of all the batches")
MODE_HINT = ("remember model.training before model.eval() and call model.train(was_training) afterwards (in a "
             "finally block); calling model.train() unconditionally puts a model that was in eval mode in train mode")
HOOK_HINT = ("call the model, model(x), not model.forward(x): only a call runs the module's hooks (spectral_norm "
             "recomputes the weight in one)")
SAME_DEVICE_HINT = ("compare devices as tensors report them: turn device into a torch.device first (it may be a string "
                    "such as 'cpu'), and mind that torch.device('cuda') is not equal to a parameter's device cuda:0 "
                    "(torch.empty((), device=device).device names the device a tensor made there is on)")
MEAN_HINT = ("an epoch's loss is the mean of its train_step losses, each batch counting once: sum(losses) / "
             "len(losses), not their sum and not weighted by the batch sizes; call model.train() first")


def on(device):
    """Tolerances for losses computed on `device`: the defaults on the cpu, looser on a GPU (its
    kernels may sum in another order than the grader's run of the reference)."""
    return {"rtol": 1e-4, "atol": 1e-6} if device.type == "cuda" else {}


def data_loader(library, x, y, batch_size):
    """A DataLoader over (x, y), in order, built with `library` (the student's torch or the grader's)."""
    data = library.utils.data
    return data.DataLoader(data.TensorDataset(x, y), batch_size=batch_size, shuffle=False)


def twins(student, make, device):
    """The same freshly initialised model twice: the grader's (torch) and the student's (built in
    their process and given the grader's weights), both on `device`."""
    mine = make(torch.nn)
    theirs = make(student.torch.nn)
    theirs.load_state_dict(mine.state_dict())
    return mine.to(device), theirs.to(device)


def mlp(nn):
    return nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3))


def linear(nn):
    return nn.Linear(4, 3)


def spectral(nn, weight=None, bias=None):
    """nn.Linear(4, 3) under spectral_norm: a forward pre-hook sets its weight to weight_orig / σ (its
    largest singular value) before each call, so only model(x) uses it; model.forward(x) skips hooks
    and computes with weight_orig as it is, a graph-less alias of it."""
    layer = nn.Linear(4, 3)
    if weight is not None:
        layer.load_state_dict({"weight": weight, "bias": bias})
    return nn.utils.spectral_norm(layer)


def dropout_model(nn):
    """Passes its 3 inputs through as logits, then dropout (p=0.5)."""
    model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5))
    model.load_state_dict({"0.weight": torch.eye(3), "0.bias": torch.zeros(3)})
    return model


def dropout_data():
    """96 samples whose logits are about (2, 1, -5); 72 labelled 0 (right in eval mode), 24 labelled 2
    (never right). In train mode dropout zeroes logit 0 but keeps logit 1 for a quarter of the
    samples, which are then wrong: the accuracy falls below 0.75 unless none of the 72 is hit
    (a chance of 0.75⁷² ≈ 1e-9)."""
    generator = torch.Generator().manual_seed(7)
    x = torch.tensor([2.0, 1.0, -5.0]) + 0.1 * torch.randn(96, 3, generator=generator)
    y = torch.zeros(96, dtype=torch.long)
    y[torch.randperm(96, generator=generator)[:24]] = 2
    return x, y


def expect_same_parameters(theirs, mine, *, what, hint):
    got = named_parameters(theirs)
    for name, value in mine.named_parameters():
        expect_close(got[name], value.detach(), what=f"the model's {name} {what}", hint=hint)


def batch(generator, n=6, features=4, classes=3):
    return torch.randn(n, features, generator=generator), torch.randint(0, classes, (n,), generator=generator)


# --------------------------------------------------------------------------- train_step


@pytest.mark.points(1)
def test_train_step_matches_reference(student, reference, device):
    """train_steps on an MLP (holding stale gradients) and a spectral-normed layer give the reference's losses"""
    mine, theirs = twins(student, mlp, device)
    gradients(theirs, torch.randn(4, 5, device=device))  # leaves stale gradients in the student's model
    mine(torch.randn(4, 5, device=device)).sum().backward()
    my_optimizer = torch.optim.SGD(mine.parameters(), lr=0.1)
    their_optimizer = student.torch.optim.SGD(theirs.parameters(), lr=0.1)
    generator = torch.Generator().manual_seed(1)
    for step in (1, 2, 3):
        x, y = batch(generator, n=6, features=5)
        want = reference.training.train_step(mine, x, y, torch.nn.CrossEntropyLoss(), my_optimizer, device)
        got = student.training.train_step(theirs, x, y, student.torch.nn.CrossEntropyLoss(), their_optimizer, device)
        expect_close(got, want, what=f"the loss train_step returned at step {step}",
                     hint=f"{FLOAT_HINT}; the loss is the one computed before the step. If only later steps are off, "
                          f"{ZERO_GRAD_HINT}", **on(device))
        expect_same_parameters(theirs, mine, what=f"after step {step}", hint=ZERO_GRAD_HINT)
    mine, theirs = twins(student, spectral, device)
    my_optimizer = torch.optim.SGD(mine.parameters(), lr=0.1)
    their_optimizer = student.torch.optim.SGD(theirs.parameters(), lr=0.1)
    for step in (1, 2):
        x, y = batch(generator)
        want = reference.training.train_step(mine, x, y, torch.nn.CrossEntropyLoss(), my_optimizer, device)
        got = student.training.train_step(theirs, x, y, student.torch.nn.CrossEntropyLoss(), their_optimizer, device)
        expect_close(got, want, what=f"the loss at step {step} for a layer under spectral_norm", hint=HOOK_HINT,
                     **on(device))
        expect_same_parameters(theirs, mine, what=f"under spectral_norm after step {step}", hint=HOOK_HINT)


@pytest.mark.points(1)
def test_train_step_moves_batch(student, reference, target_device):
    """train_step moves x and y (given on the cpu) to the model's device before computing"""
    generator = torch.Generator().manual_seed(2)
    x, y = batch(generator)
    if target_device.type == "meta":
        theirs = student.torch.nn.Linear(4, 3).to("meta")
        optimizer = student.torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
        try:
            value = student.training.train_step(theirs, x, y, student.torch.nn.CrossEntropyLoss(), optimizer,
                                                target_device)
        except StudentRaised as raised:
            message = raised.info.message
            stepped = bool(optimizer.state_dict()["state"])  # SGD with momentum keeps a buffer per stepped parameter
            if not stepped and not META_VALUE.search(message):
                fail(f"with the model on meta, x and y on the cpu and device=meta, train_step raised "
                     f"{raised.info.type} with the message {message!r} before it got to the optimizer step; {META}",
                     hint=MOVE_HINT)
            return
        fail(f"with the model on meta and device=meta, train_step returned {value!r}; {META}, so train_step "
             "cannot return a number there unless it computed no loss or returned the loss tensor", hint=FLOAT_HINT)
    mine, theirs = twins(student, linear, target_device)
    my_optimizer = torch.optim.SGD(mine.parameters(), lr=0.1, momentum=0.9)
    their_optimizer = student.torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
    want = reference.training.train_step(mine, x, y, torch.nn.CrossEntropyLoss(), my_optimizer, target_device)
    try:
        got = student.training.train_step(theirs, x, y, student.torch.nn.CrossEntropyLoss(), their_optimizer,
                                          target_device)
    except StudentRaised as raised:
        fail(f"with the model on {target_device} and x, y on the cpu, train_step raised {raised.info.type} "
             f"with the message {raised.info.message!r}", hint=MOVE_HINT)
    expect_close(got, want, what=f"the loss train_step returned on {target_device}", hint=FLOAT_HINT,
                 **on(target_device))
    expect_same_parameters(theirs, mine, what=f"after a step on {target_device}", hint=MOVE_HINT)


@pytest.mark.points(1)
def test_train_step_checks_model_device(student, reference):
    """a model on the device given trains (device a torch.device or str); one elsewhere raises ValueError"""
    generator = torch.Generator().manual_seed(3)
    mine, theirs = twins(student, linear, CPU)
    my_optimizer = torch.optim.SGD(mine.parameters(), lr=0.1)
    their_optimizer = student.torch.optim.SGD(theirs.parameters(), lr=0.1)
    for device in ("cpu", CPU):
        x, y = batch(generator)
        want = reference.training.train_step(mine, x, y, torch.nn.CrossEntropyLoss(), my_optimizer, device)
        try:
            got = student.training.train_step(theirs, x, y, student.torch.nn.CrossEntropyLoss(), their_optimizer,
                                              device)
        except StudentRaised as raised:
            fail(f"for a model on the cpu, train_step(..., device={device!r}) raised {raised.info.type} "
                 f"with the message {raised.info.message!r}", hint=SAME_DEVICE_HINT)
        expect_close(got, want, what=f"train_step(..., device={device!r}) for a model on the cpu",
                     hint=SAME_DEVICE_HINT)
    for model_device, device in (("meta", "cpu"), ("cpu", "meta")):
        model = student.torch.nn.Linear(4, 3).to(model_device)
        optimizer = student.torch.optim.SGD(model.parameters(), lr=0.1)
        x, y = batch(generator)
        raised = expect_raises(ValueError, student.training.train_step, model, x, y,
                               student.torch.nn.CrossEntropyLoss(), optimizer, torch.device(device),
                               hint="before computing anything, check every parameter's device against device and "
                                    "raise ValueError; otherwise torch fails later with a mixed-device RuntimeError")
        message = raised.info.message
        expect(re.search(r"\bmeta\b", message, re.IGNORECASE) and re.search(r"\bcpu\b", message, re.IGNORECASE),
               f"for a model on {model_device} and device={device}, train_step raised ValueError({message!r}), "
               "which should name both devices", hint="put the parameter's device and device in the message")


# --------------------------------------------------------------------------- evaluate


@pytest.mark.points(1)
def test_evaluate_in_eval_mode(student, reference, target_device):
    """evaluate moves each batch to the device and computes in eval mode (the model has dropout)"""
    x, y = dropout_data()
    if target_device.type == "meta":
        theirs = dropout_model(student.torch.nn).to("meta")
        try:
            value = student.training.evaluate(theirs, data_loader(student.torch, x, y, 10), target_device)
        except StudentRaised as raised:
            message = raised.info.message
            if not META_VALUE.search(message):
                fail(f"with the model on meta, the batches on the cpu and device=meta, evaluate raised "
                     f"{raised.info.type} with the message {message!r} before it got to reading a number; {META} too",
                     hint="move each batch to device: x.to(device) and y.to(device)")
            return
        fail(f"with the model on meta, evaluate returned {value!r}; meta tensors have no values (they stand in for a "
             "GPU's here), so no accuracy can be read from them", hint="compute the accuracy from model(x)")
    mine, theirs = twins(student, dropout_model, target_device)
    want = reference.training.evaluate(mine, data_loader(torch, x, y, 10), target_device)
    try:
        got = student.training.evaluate(theirs, data_loader(student.torch, x, y, 10), target_device)
    except StudentRaised as raised:
        fail(f"with the model on {target_device} and the batches on the cpu, evaluate raised {raised.info.type} "
             f"with the message {raised.info.message!r}",
             hint="move each batch to device: x.to(device) and y.to(device)")
    expect_close(got, want, what=f"evaluate(...) of a model with dropout, on {target_device}", hint=EVAL_HINT)


@pytest.mark.points(1)
@pytest.mark.requires("test_evaluate_in_eval_mode")
def test_evaluate_restores_mode(student, reference):
    """evaluate leaves a model in train mode in train mode, and one in eval mode in eval mode"""
    x, y = dropout_data()
    mine, theirs = twins(student, dropout_model, CPU)
    for mode in ("train", "eval"):
        getattr(mine, mode)()
        getattr(theirs, mode)()
        want = reference.training.evaluate(mine, data_loader(torch, x, y, 16), CPU)
        got = student.training.evaluate(theirs, data_loader(student.torch, x, y, 16), CPU)
        expect_close(got, want, what=f"evaluate(...) of a model in {mode} mode", hint=EVAL_HINT)
        summary = module_summary(theirs)
        left = [name for name, training in [("the model", summary["training"])]
                + [(m["name"], m["training"]) for m in summary["modules"]] if training != (mode == "train")]
        expect(not left, f"a model in {mode} mode is no longer in {mode} mode after evaluate "
                         f"({', '.join(left)} changed)", hint=MODE_HINT)


@pytest.mark.points(1)
@pytest.mark.requires("test_evaluate_in_eval_mode")
def test_evaluate_records_no_graph(student, reference):
    """evaluate records no autograd graph (it runs under torch.no_grad())"""
    generator = torch.Generator().manual_seed(4)
    weight, x = 5 * torch.randn(3, 4, generator=generator), torch.randn(20, 4, generator=generator)
    mine = spectral(torch.nn, weight, torch.tensor([0.0, 0.0, 1.0]))
    with torch.no_grad():
        for _ in range(30):  # power iterations (in train mode) until σ is the largest singular value, about 17
            mine(x)
        y = mine(x).argmax(dim=-1)
    # 15 of 20 right. Without the hook's 1/σ the bias hardly counts: model.forward(x) gets 7 right.
    y[:5] = (y[:5] + 1) % 3
    theirs = spectral(student.torch.nn)
    theirs.load_state_dict(mine.state_dict())
    want = reference.training.evaluate(mine, data_loader(torch, x, y, 8), CPU)
    got, graph = records_graph(student.training.evaluate, theirs, data_loader(student.torch, x, y, 8), CPU)
    expect_close(got, want, what="evaluate(...) of an nn.Linear(4, 3) under spectral_norm", hint=HOOK_HINT)
    expect(not graph, "evaluate recorded an autograd graph (its model outputs have a grad_fn)",
           hint="wrap the loop in `with torch.no_grad():`; model.eval() alone does not stop autograd, and "
                ".detach() after the forward pass is too late")


# --------------------------------------------------------------------------- fit


def separable(generator, n):
    x = torch.randn(n, 2, generator=generator)
    return x, (x[:, 0] - 0.5 * x[:, 1] > 0).long()


def batch_norm_model(nn):
    return nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


def fit_both(student, reference, mine, theirs, x, y, epochs, device, *, lr):
    my_optimizer = torch.optim.SGD(mine.parameters(), lr=lr)
    their_optimizer = student.torch.optim.SGD(theirs.parameters(), lr=lr)
    want = reference.training.fit(mine, data_loader(torch, x, y, 4), torch.nn.CrossEntropyLoss(), my_optimizer,
                                  epochs, device)
    got = student.training.fit(theirs, data_loader(student.torch, x, y, 4), student.torch.nn.CrossEntropyLoss(),
                               their_optimizer, epochs, device)
    return got, want, their_optimizer


@pytest.mark.points(1)
def test_fit_matches_reference(student, reference, device):
    """fit's losses per epoch are the reference's (mean over batches, in train mode); epochs is an int ≥ 1"""
    generator = torch.Generator().manual_seed(5)
    x, y = separable(generator, 10)  # batches of 4, 4 and 2
    mine, theirs = twins(student, lambda nn: nn.Linear(2, 2), device)
    got, want, _ = fit_both(student, reference, mine, theirs, x, y, 4, device, lr=0.5)
    expect_close(got, want, what="fit(...)'s losses for nn.Linear(2, 2) over 4 epochs, batches of 4, 4 and 2",
                 hint=MEAN_HINT, **on(device))

    mine, theirs = twins(student, batch_norm_model, device)
    mine.eval()
    theirs.eval()
    got, want, optimizer = fit_both(student, reference, mine, theirs, x, y, 3, device, lr=0.2)
    expect_close(got, want, what="fit(...)'s losses for a model with batch norm handed over in eval mode",
                 hint="call model.train() at the start of fit: in eval mode batch norm uses its running statistics "
                      "instead of the batch's", **on(device))
    expect(module_summary(theirs)["training"], "after fit the model is not in train mode",
           hint="call model.train() at the start of fit")
    loss_fn = student.torch.nn.CrossEntropyLoss()
    loader = data_loader(student.torch, x, y, 4)
    for epochs in (0, -1, True, 2.0):
        expect_raises(ValueError, student.training.fit, theirs, loader, loss_fn, optimizer, epochs, device,
                      match=r"\bepochs\b", hint="check type(epochs) is int and epochs >= 1 before training; True is an "
                                                "int in Python and 2.0 is not a number of epochs")
    got, want, _ = fit_both(student, reference, mine, theirs, x, y, 1, device, lr=0.2)
    expect_close(got, want, what="fit(..., epochs=1, ...)'s losses", hint="epochs=1 is one pass over the loader",
                 **on(device))
