"""The API check authors import.

Checks are ordinary pytest functions with the ``student`` and ``reference`` fixtures, the
``device`` and ``target_device`` arguments and a ``points`` marker (``requires`` makes a property
count only once a value check of the same file passes). They judge with the helpers below, which
word their failures so a student understands them, and which reveal expected values only in
public checks::

    @pytest.mark.points(3)
    def test_scale_matches_reference(student, reference, device):
        \"\"\"scale gives the reference's output\"\"\"
        x = torch.randn(8, 3, dtype=torch.float64, device=device)
        expect_close(student.toy.scale(x, 2.0), reference.toy.scale(x, 2.0), what="scale(x, 2.0)")

Arguments reach student code as copies and results come back as copies, so student code can
never change the check's objects (`hold`/`fetch` let a check see what it does to an argument).
Identity facts (shares memory, same object, registered parameters, hooks that fired, where
gradients arrived) are asked where the student's objects live, through the probes below, so a
check reads the same whether student code runs in-process or in a sandbox. Environment controls
(`fake_cuda`, `forbid`) apply to the student's calls only.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any, NamedTuple

import torch

from autograder.outcomes import CheckFailed, CourseFault, NotAttempted, StudentRaised
from autograder.result import Visibility
from autograder.runner._child import TAKE_MAX
from autograder.runner.client import Runner
from autograder.runner.environment import check_forbidden
from autograder.runner.proxy import Remote, describe_call

__all__ = [
    "COPY_CAUSE",
    "NUMBER_TOLERANCE",
    "TAKE_MAX",
    "VIEW_CAUSE",
    "CheckContext",
    "Gradients",
    "default_device",
    "entry",
    "expect",
    "expect_close",
    "expect_copy",
    "expect_equal",
    "expect_normal",
    "expect_raises",
    "expect_same_object",
    "expect_shape",
    "expect_view",
    "fail",
    "fake_cuda",
    "fetch",
    "forbid",
    "forward_trace",
    "gradients",
    "hold",
    "is_student_object",
    "module_summary",
    "named_parameters",
    "output_shapes",
    "records_graph",
    "same_object",
    "shares_memory",
    "take",
    "tolerance",
    "type_name",
]


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What the helpers need to know about the check that is running (set by the plugin)."""

    runner: Runner
    visibility: Visibility = "public"
    #: word failures with expected values even in hidden checks (an instructor's view)
    reveal: bool = False


_context: ContextVar[CheckContext | None] = ContextVar("autograder_check", default=None)


def _current() -> CheckContext:
    context = _context.get()
    if context is None:
        raise RuntimeError("autograder check helpers only work inside a check run by the autograder plugin")
    return context


def enter_check(context: CheckContext) -> Token[CheckContext | None]:
    """Make `context` current for the helpers (the plugin does this as each check starts)."""
    return _context.set(context)


def leave_check(token: Token[CheckContext | None]) -> None:
    """Undo `enter_check` (as the check ends)."""
    _context.reset(token)


def _revealing() -> bool:
    context = _context.get()
    return context is None or context.visibility == "public" or context.reveal


# --------------------------------------------------------------------------- verdicts


def fail(message: str, *, hint: str = "") -> None:
    """End the check as failed with `message` (and a `hint` about the usual cause)."""
    __tracebackhide__ = True
    raise CheckFailed(message, hint=hint)


def expect(condition: object, message: str, *, hint: str = "") -> None:
    """Fail with `message` unless `condition` is true."""
    __tracebackhide__ = True
    if isinstance(condition, Remote):  # a student object is truthy whatever it holds
        fail(f"{message} (got a {condition._type} object instead of True/False)", hint=hint)
    if not condition:
        fail(message, hint=hint)


def is_student_object(value: object) -> bool:
    """Whether `value` is a handle to a student object (it did not come back as plain data)."""
    return isinstance(value, Remote)


def type_name(value: object) -> str:
    """A value's exact type name as students know it ("float", "torch.Tensor", "MLP")."""
    if isinstance(value, Remote):
        return value._type.rsplit(".", 1)[-1] if not value._type.startswith("torch.") else value._type
    if isinstance(value, torch.Tensor):
        return "torch.Tensor" if type(value) is torch.Tensor else f"torch.nn.{type(value).__name__}"
    return type(value).__name__


def _article(name: str) -> str:
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


def _show(value: object) -> str:
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    if isinstance(value, Remote):
        return f"{_article(type_name(value))} object"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def tolerance(dtype: torch.dtype, device: torch.device | str) -> tuple[float, float]:
    """(rtol, atol) for comparing with a reference: float64 tight; float32 as torch.testing;
    on CUDA loose enough for TF32 matmuls and convolutions."""
    kind = torch.device(device).type
    if dtype == torch.float64 or dtype == torch.complex128:
        return (1e-3, 1e-3) if kind == "cuda" else (1e-7, 1e-7)
    if dtype in (torch.float16, torch.bfloat16):
        return (1e-2, 1e-2)
    return (2e-3, 1e-3) if kind == "cuda" else (1.3e-6, 1e-5)


def _not_placeholder(actual: Any, what: str) -> None:
    """A stub's `...` left in place (an unanswered question) is not attempted, not wrong."""
    if actual is Ellipsis:
        raise NotAttempted(f"not attempted yet: {what} is still the stub's placeholder `...`",
                           hint="replace the `...` with your answer")


#: (rtol, atol) for Python numbers in `expect_close`: a loss or an accuracy computed in float32
#: and turned into a float, in any correct order of operations
NUMBER_TOLERANCE = (1e-5, 1e-8)


def expect_close(actual: Any, expected: Any, *, what: str = "the result", rtol: float | None = None,
                 atol: float | None = None, check_dtype: bool = True, hint: str = "") -> None:
    """Check that `actual` is a tensor like `expected`: type, then dtype, device, shape, values.

    Each step fails with its own message. Values are compared as `torch.isclose` would, with
    `tolerance()` defaults, which every message names; public checks show the largest difference
    and the first wrong element with its expected value, hidden checks only how far off the
    values are.

    `expected` may also be a Python number (a loss, an accuracy): `actual` must then be a
    Python number too (a float where a float is expected; a 0-d tensor is not one), within
    `NUMBER_TOLERANCE` unless `rtol`/`atol` say otherwise; or a list or tuple of numbers or
    tensors, compared item by item once its type and length match.
    """
    __tracebackhide__ = True
    _not_placeholder(actual, what)
    if not isinstance(expected, torch.Tensor):
        _expect_close_numbers(actual, expected, what=what, rtol=rtol, atol=atol, hint=hint)
        return
    if not isinstance(actual, torch.Tensor) or type(actual) not in (torch.Tensor, torch.nn.Parameter):
        fail(f"{what} should be a torch.Tensor, got {_show(actual)}", hint=hint)
    if check_dtype and actual.dtype != expected.dtype:
        fail(f"{what} has dtype {actual.dtype}, expected {expected.dtype}", hint=hint)
    if actual.device.type != expected.device.type:
        fail(f"{what} is on device '{actual.device}', expected '{expected.device}'", hint=hint)
    if actual.shape != expected.shape:
        fail(f"{what} has shape {tuple(actual.shape)}, expected {tuple(expected.shape)}", hint=hint)
    if expected.device.type == "meta" or expected.numel() == 0:
        return
    default_rtol, default_atol = tolerance(expected.dtype, expected.device)
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    a = actual.detach().to("cpu", torch.float64 if expected.is_floating_point() else expected.dtype)
    e = expected.detach().to("cpu", a.dtype)
    if a.dtype == torch.bool or not (a.is_floating_point() or a.is_complex()):
        bad = a != e
        diff = bad.to(torch.float64)
        allowed = "compared exactly"
    else:
        bad = ~torch.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
        diff = (a - e).abs().nan_to_num(nan=math.inf)
        allowed = f"tolerance rtol={rtol:.2g}, atol={atol:.2g}"
    wrong = int(bad.sum())
    if not wrong:
        return
    flat_bad = bad.reshape(-1)
    worst = int(torch.where(flat_bad, diff.reshape(-1), torch.zeros_like(diff.reshape(-1))).argmax())
    largest = float(diff.reshape(-1)[worst])
    if not _revealing():
        fail(f"{what} differs from the reference in {wrong} of {e.numel()} values "
             f"(largest difference {largest:.3g}; {allowed})", hint=hint)
    first = int(flat_bad.to(torch.uint8).argmax())

    def at(flat: int) -> str:
        return f" at index {tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), tuple(e.shape)))}" \
            if e.dim() else ""

    got, want = float(a.reshape(-1)[first].real), float(e.reshape(-1)[first].real)
    fail(f"{what} differs in {wrong} of {e.numel()} values ({allowed}); the largest difference is {largest:.3g}"
         f"{at(worst)}; the first wrong value is{at(first) or ' the only one'}: got {got:.6g}, expected {want:.6g}",
         hint=hint)


def _expect_close_numbers(actual: Any, expected: Any, *, what: str, rtol: float | None, atol: float | None,
                          hint: str) -> None:
    __tracebackhide__ = True
    if isinstance(expected, (list, tuple)):
        if type(actual) is not type(expected):
            fail(f"{what} is {_article(type_name(actual))} ({_show(actual)}), expected {_article(type_name(expected))}",
                 hint=hint)
        if len(actual) != len(expected):
            if _revealing():
                fail(f"{what} has {len(actual)} items, expected {len(expected)}", hint=hint)
            fail(f"{what} has {len(actual)} items, which is not the right number", hint=hint)
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            expect_close(a, e, what=f"{what}[{i}]", rtol=rtol, atol=atol, hint=hint)
        return
    if type(expected) not in (int, float):
        raise CourseFault(f"expect_close compares tensors and numbers, not {type(expected).__name__} "
                          f"(use expect_equal)")
    allowed = (float,) if type(expected) is float else (int, float)
    if type(actual) not in allowed:
        wanted = "a float" if type(expected) is float else "a number"
        advice = " (a tensor is not a Python number: use .item())" if isinstance(actual, torch.Tensor) else ""
        fail(f"{what} should be {wanted}, got {_show(actual)}{advice}", hint=hint)
    rtol = NUMBER_TOLERANCE[0] if rtol is None else rtol
    atol = NUMBER_TOLERANCE[1] if atol is None else atol
    if actual == expected or (math.isnan(actual) and math.isnan(expected)):
        return
    if abs(actual - expected) <= atol + rtol * abs(expected):  # torch.isclose's rule; false for nan
        return
    allowance = f"tolerance rtol={rtol:.2g}, atol={atol:.2g}"
    if _revealing():
        fail(f"{what} is {actual:.6g}, expected {expected:.6g} ({allowance})", hint=hint)
    fail(f"{what} ({actual:.6g}) is not the reference's value ({allowance})", hint=hint)


def expect_shape(actual: Any, shape: tuple[int, ...], *, what: str = "the result", hint: str = "") -> None:
    """Check that `actual` is a tensor of exactly this shape."""
    __tracebackhide__ = True
    if not isinstance(actual, torch.Tensor) or type(actual) not in (torch.Tensor, torch.nn.Parameter):
        fail(f"{what} should be a torch.Tensor, got {_show(actual)}", hint=hint)
    if tuple(actual.shape) != tuple(shape):
        fail(f"{what} has shape {tuple(actual.shape)}, expected {tuple(shape)}", hint=hint)


def expect_equal(actual: Any, expected: Any, *, what: str = "the result", hint: str = "") -> None:
    """Check that `actual` equals `expected` and has exactly its type (3.0 is not 3, True is not 1).

    Containers are compared item by item, tensors with `expect_close`.
    """
    __tracebackhide__ = True
    _not_placeholder(actual, what)
    if isinstance(expected, torch.Tensor):
        expect_close(actual, expected, what=what, hint=hint)
        return
    if type(actual) is not type(expected):
        fail(f"{what} is {_article(type_name(actual))} ({_show(actual)}), expected {_article(type_name(expected))}",
             hint=hint)
    if isinstance(expected, (list, tuple)):
        if len(actual) != len(expected):
            if _revealing():
                fail(f"{what} is {_show(actual)}, expected {_show(expected)}", hint=hint)
            fail(f"{what} has {len(actual)} items, which is not the right number", hint=hint)
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            expect_equal(a, e, what=f"{what}[{i}]", hint=hint)
        return
    if isinstance(expected, dict):
        if list(actual) != list(expected):
            if _revealing():
                fail(f"{what} has keys {list(actual)}, expected {list(expected)}", hint=hint)
            fail(f"{what} has keys {list(actual)}, which are not the right ones (or not in the right order)",
                 hint=hint)
        for key in expected:
            expect_equal(actual[key], expected[key], what=f"{what}[{key!r}]", hint=hint)
        return
    if actual != expected:
        if _revealing():
            fail(f"{what} is {_show(actual)}, expected {_show(expected)}", hint=hint)
        fail(f"{what} is {_show(actual)}, which is not the right value", hint=hint)


def entry(mapping: Any, key: Any, *, what: str = "the answers") -> Any:
    """`mapping[key]`, failing the check (this check alone) when `mapping` is not a dict or has
    no such key: one answer missing from a dict of answers costs only its own question."""
    __tracebackhide__ = True
    if isinstance(mapping, Remote):
        if not mapping._type.endswith("dict"):
            fail(f"{what} is {_article(type_name(mapping))} object, expected a dict")
        try:
            return mapping[key]
        except StudentRaised as raised:
            if raised.info.is_a("KeyError"):
                fail(f"{what} has no entry {key!r}", hint="keep every key of the stub, and answer each question")
            raise
    if not isinstance(mapping, dict):
        fail(f"{what} is {_article(type_name(mapping))} ({_show(mapping)}), expected a dict")
    if key not in mapping:
        fail(f"{what} has no entry {key!r}", hint="keep every key of the stub, and answer each question")
    return mapping[key]


def _readable(pattern: str) -> str:
    """A `match` pattern as words: r"\b12\b" → "12", "kernel_size|size" → "kernel_size or size"."""
    text = re.sub(r"\\[bBAZ]|[\^$]", "", pattern).replace("\\", "")
    return " or ".join(repr(part) for part in text.split("|"))


def expect_raises(error: type[BaseException] | tuple[type[BaseException], ...], fn: Any, *args: Any,
                  match: str | None = None, hint: str = "", **kwargs: Any) -> StudentRaised:
    """Call `fn(*args, **kwargs)` (student code) and check that it raises `error`.

    `match` is a regular expression the exception's message must contain (case-insensitive),
    e.g. the argument's name. Returns the student's exception for further checks.
    """
    __tracebackhide__ = True
    errors = error if isinstance(error, tuple) else (error,)
    names = [e.__name__ for e in errors]
    wanted = " or ".join(names)
    call = describe_call(fn._label, args, kwargs) if isinstance(fn, Remote) else "the call"
    try:
        value = fn(*args, **kwargs)
    except StudentRaised as raised:
        if not any(raised.info.is_a(name) for name in names):
            fail(f"{call} raised {raised.info.type}, expected {wanted}", hint=hint)
        if match is not None and not re.search(match, raised.info.message, re.IGNORECASE):
            fail(f"{call} raised {raised.info.type} with the message {raised.info.message!r}, "
                 f"which should mention {_readable(match)}", hint=hint)
        return raised
    fail(f"{call} returned {_show(value)} instead of raising {wanted}", hint=hint)
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------- identity probes


def shares_memory(a: Any, b: Any) -> bool:
    """Whether two tensors use the same storage, in the student's process.

    Works on tensors the student's code returned and on tensors the check passed to it.
    """
    return bool(_current().runner.probe("shares_memory", a, b))


def same_object(a: Any, b: Any) -> bool:
    """Whether two handles (or a result and an argument) are one object in the student's code."""
    return bool(_current().runner.probe("same_object", a, b))


#: Why a result that should be a view is a copy, usually.
VIEW_CAUSE = ("`view`, `unsqueeze`, slicing and `t()` return views; `reshape` copies when it cannot view, and "
              "`clone()`, `contiguous()`, `.to(...)` and arithmetic make new tensors")
#: Why a result that should be a copy shares memory with the input, usually.
COPY_CAUSE = "`reshape` returns a view of a contiguous tensor (`view`, slicing and `t()` always do); `clone()` it"


def expect_view(actual: Any, base: Any, *, what: str = "the result", of: str = "the input",
                hint: str = VIEW_CAUSE) -> None:
    """Check that `actual` shares memory with `base`: a view of it, so no data was copied."""
    __tracebackhide__ = True
    if not shares_memory(actual, base):
        fail(f"{what} does not share memory with {of}: expected a view of it, got a copy", hint=hint)


def expect_copy(actual: Any, base: Any, *, what: str = "the result", of: str = "the input",
                hint: str = COPY_CAUSE) -> None:
    """Check that `actual` shares no memory with `base`, so writing to one never changes the other."""
    __tracebackhide__ = True
    if shares_memory(actual, base):
        fail(f"{what} shares memory with {of}: expected an independent copy (a write to one would change the "
             "other)", hint=hint)


def expect_same_object(actual: Any, original: Any, *, what: str = "the result", of: str = "the argument",
                       hint: str = "return the object itself, changed in place, not a new one") -> None:
    """Check that `actual` is `original` itself in the student's code (not an equal copy)."""
    __tracebackhide__ = True
    if not same_object(actual, original):
        fail(f"{what} is a new object: expected {of} itself", hint=hint)


def named_parameters(module: Any) -> dict[str, torch.Tensor]:
    """The registered parameters of a student module, by name (copies of their values)."""
    value = _current().runner.probe("named_parameters", module)
    return dict(value)


def module_summary(module: Any) -> dict[str, Any]:
    """What a student module is made of, without moving its values (fast for large models)::

        {"type": "AlexNet", "training": True,
         "parameters": {"features.0.weight": {"shape": [64, 3, 11, 11], "dtype": "float32",
                                              "device": "cpu", "requires_grad": True}, ...},
         "buffers": {...}, "modules": [{"name": "features", "type": "Sequential", "training": True}, ...]}
    """
    return dict(_current().runner.probe("module_summary", module))


def output_shapes(module: Any, *args: Any, **kwargs: Any) -> list[tuple[str, tuple[int, ...]]]:
    """Call the student module and return (name, output shape) of each innermost submodule, in
    the order they ran. Pass `meta` tensors (and a module moved to `meta`) to trace a large
    model's shapes without computing anything."""
    return [(name, tuple(shape)) for name, shape in _current().runner.probe("output_shapes", module, tuple(args),
                                                                             dict(kwargs))]


def forward_trace(module: Any, *args: Any, **kwargs: Any) -> list[str]:
    """Call the student module and return the names of the submodules whose forward hooks
    fired, in order. ``self.hidden.forward(x)`` fires no hook; ``self.hidden(x)`` does."""
    return list(_current().runner.probe("forward_trace", module, tuple(args), dict(kwargs)))


class Gradients(NamedTuple):
    """Where a backward pass through student code delivered gradients."""

    #: the call's output
    output: torch.Tensor
    #: the gradient of each positional argument (None when it got none or was not a tensor)
    inputs: list[torch.Tensor | None]
    #: the gradient of each registered parameter of a module, by name (None when it got none)
    parameters: dict[str, torch.Tensor | None]


def gradients(fn: Any, *args: Any, grad_output: torch.Tensor | None = None, **kwargs: Any) -> Gradients:
    """Run `fn` (a student function or module) on the arguments and back-propagate.

    Tensor arguments with ``requires_grad=True`` are the inputs whose gradients are reported.
    `grad_output` weights the output (ones by default).
    """
    value = _current().runner.probe("gradients", fn, tuple(args), dict(kwargs), grad_output)
    return Gradients(output=value["output"], inputs=list(value["inputs"]), parameters=dict(value["parameters"]))


#: standard errors a sample statistic may stray from its expected value in `expect_normal`: a
#: correct sample fails about once in 10⁹ checks
NORMAL_Z = 6.0
#: fewest values `expect_normal` judges: below this the kurtosis cannot tell a uniform sample
#: (excess kurtosis −1.2) from a normal one (0) at NORMAL_Z standard errors of √(24/n)
NORMAL_MIN_VALUES = 1000


def expect_normal(values: Any, *, std: float, mean: float = 0.0, what: str = "the values", hint: str = "") -> None:
    """The values look like independent draws from N(mean, std²): their mean, standard deviation
    and excess kurtosis each lie within NORMAL_Z standard errors of what a normal sample of their
    size gives (σ/√n, σ/√(2n) and √(24/n)). So a correct initialisation never flakes, while a
    wrong scale, a shifted mean or a uniform draw of the right std fails.

    Raises:
        CourseFault: fewer than NORMAL_MIN_VALUES values, or a std that is not positive.
    """
    if not (isinstance(std, (int, float)) and std > 0):
        raise CourseFault(f"expect_normal needs a positive std, got {std!r}")
    if not isinstance(values, torch.Tensor):
        fail(f"{what} is {_article(type_name(values))}, expected a tensor")
    sample = values.detach().reshape(-1).to(device="cpu", dtype=torch.float64)
    n = sample.numel()
    if n < NORMAL_MIN_VALUES:
        raise CourseFault(f"expect_normal needs at least {NORMAL_MIN_VALUES} values to judge a distribution, got {n}")
    got_mean = float(sample.mean())
    got_std = float(sample.std())
    centred = sample - got_mean
    kurtosis = float((centred**4).mean() / (centred**2).mean() ** 2) - 3.0 if got_std > 0 else math.nan
    checks = (("mean", got_mean, mean, NORMAL_Z * std / math.sqrt(n)),
              ("standard deviation", got_std, std, NORMAL_Z * std / math.sqrt(2 * n)),
              ("excess kurtosis", kurtosis, 0.0, NORMAL_Z * math.sqrt(24 / n)))
    for name, got, expected, allowed in checks:
        if not abs(got - expected) <= allowed:  # also fails on nan
            fail(f"{what} ({n} values) have {name} {got:.4g}; a sample of N({mean:g}, {std:.4g}²) this size has "
                 f"{expected:.4g} ± {allowed:.2g}", hint=hint)


def take(iterable: Any, n: int, *, what: str = "the result") -> list[Any]:
    """The first `n` items a student iterable yields, as plain data: ``take(loader, 3)`` is a
    DataLoader's first three batches (each a list ``[x, y]``), read where the loader lives.
    Fewer come back when it ends sooner; n is at most TAKE_MAX."""
    __tracebackhide__ = True
    if type(n) is not int or not 0 <= n <= TAKE_MAX:
        raise CourseFault(f"take reads from 0 to {TAKE_MAX} items, not {n!r}")
    if isinstance(iterable, Remote):
        return list(_current().runner.take(iterable, n))
    if not isinstance(iterable, (list, tuple, dict, str, bytes)):  # plain data that came back
        fail(f"{what} is {_show(iterable)}, which cannot be iterated over")
    return list(itertools.islice(iterable, n))


def records_graph(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, bool]:
    """Call `fn` (student code) and return (its value, whether it recorded an autograd graph):
    whether any torch operation it ran returned a tensor with a grad_fn. Under ``torch.no_grad()``
    (or inference mode) none does, so a check can tell an evaluation that builds graphs it never
    uses from one that does not."""
    found = _current().runner.probe("records_graph", fn, tuple(args), dict(kwargs))
    return found["value"], bool(found["graph"])


def hold(value: Any) -> Any:
    """Put a copy of `value` in the student's process and return a handle to that copy.

    Arguments reach student code as copies, so what it does to them never shows in the check's
    own objects. To see it, pass a held copy and `fetch` it afterwards::

        kept = hold({"x": torch.ones(2)})
        student.device.to_device(kept, "meta")
        expect(fetch(kept)["x"].device.type == "cpu", "to_device moved the tensors of its input")
    """
    return _current().runner.hold(value)


def fetch(handle: Any) -> Any:
    """The current value of a student object (see `hold`), as plain data."""
    if not isinstance(handle, Remote):
        raise TypeError(f"fetch takes a handle from hold() or student code, got {type(handle).__name__}")
    return _current().runner.fetch(handle)


# --------------------------------------------------------------------------- environment controls


@contextmanager
def fake_cuda(*, available: bool, device_count: int | None = None, mps: bool = False) -> Iterator[None]:
    """Make the student's calls inside the block see this many GPUs: `torch.cuda.is_available()`
    and `device_count()` answer as given, `current_device()` is 0 (RuntimeError without GPUs, as
    torch raises), `get_device_name(i)` is "Fake GPU i" (AssertionError for an index out of range)
    and `torch.backends.mps.is_available()` answers `mps`. Their code must not create CUDA
    tensors then: the meta device stands in for a GPU's tensors on CPU-only machines.

    Raises:
        CourseFault: a count that contradicts `available` (GPUs that are not available).
    """
    count = device_count if device_count is not None else (1 if available else 0)
    if type(count) is not int or count < 0 or (count > 0) != available:
        raise CourseFault(f"fake_cuda(available={available}, device_count={device_count!r}): CUDA is available "
                          "exactly when there is at least one GPU")
    with _current().runner.environment_changed(cuda_available=available, cuda_device_count=count, mps_available=mps):
        yield


@contextmanager
def default_device(device: str) -> Iterator[None]:
    """Student calls inside the block make tensors and modules on `device` unless they name one,
    as under ``with torch.device(device):``. ``default_device("meta")`` builds a large student
    model in no time (its weights are not drawn): for checks of its layout and shapes."""
    try:
        torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise CourseFault(f"default_device({device!r}): not a device ({error})") from None
    with _current().runner.environment_changed(default_device=str(device)):
        yield


@contextmanager
def forbid(*names: str) -> Iterator[None]:
    """Fail the check if the student's code calls any of these inside the block.

    A name is a torch function or method ("torch.nn.functional.linear", "torch.Tensor.item"),
    refused under every alias of the same object (`torch._C._nn.linear`, `nn.Linear`'s forward,
    `from torch.nn.functional import linear`), or an ATen operator ("aten::convolution",
    "aten::im2col"), refused whichever Python function reaches it (`torch.conv2d`, `F.conv2d`,
    `nn.Conv2d`). Names that are not torch's (say "math.sqrt") are refused by that name only.

    Raises:
        CourseFault: a name that names nothing (the check's mistake, checked before any call).
    """
    try:
        check_forbidden(names)
    except ValueError as error:
        raise CourseFault(str(error)) from None
    with _current().runner.environment_changed(forbidden=tuple(names)):
        yield
