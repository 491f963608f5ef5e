"""Mutants of a reference solution: the small mistakes students make, one change at a time.

Each operator is a small class with a name and a one-line description; `mutate(node, site)`
yields the replacements it makes for one syntax node. `make_mutants` applies every operator to
every node inside a `### BEGIN SOLUTION` region (never to error messages, annotations or
strings), keeps each distinct, compilable result once, and names it by a stable id that a course
can cite when it declares a mutant equivalent. libcst keeps the rest of the source byte for
byte, so a mutant's diff shows only what changed.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from autograder.errors import CourseError
from autograder.stubs import solution_regions

__all__ = ["OPERATORS", "Mutant", "Operator", "Site", "make_mutants", "operators_named"]

Replacement = cst.CSTNode | cst.FlattenSentinel[cst.BaseStatement] | cst.RemovalSentinel
Group = Literal["general", "pytorch"]


@dataclass(frozen=True, slots=True)
class Module:
    """What operators may know of the whole module."""

    #: `self.<name>` attributes assigned an `nn.<Module>(...)` anywhere in the module
    submodules: frozenset[str] = frozenset()
    #: those of them that are activations (`nn.ReLU()`, `nn.Tanh()`, …)
    activations: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Site:
    """Where a node stands: its function and what the operators need to know around it."""

    function: str
    line: int
    module: Module
    #: the enclosing function's return annotation and (name, annotation) of its parameters
    returns: str | None = None
    params: tuple[tuple[str, str | None], ...] = ()
    #: a literal whose type cannot matter (a `for` loop's iterable, `isinstance`'s second argument,
    #: the right of `in`, a value unpacked at once)
    type_free: bool = False


@dataclass(frozen=True, slots=True)
class Mutant:
    """One changed copy of an exercise's reference solution."""

    id: str
    exercise: str
    function: str
    operator: str
    line: int
    source: str
    #: a unified diff against the reference, one line of context
    diff: str


class Operator:
    """A kind of mistake. Subclasses set the class variables and yield replacements."""

    name: ClassVar[str]
    group: ClassVar[Group]
    description: ClassVar[str]

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        raise NotImplementedError


# --------------------------------------------------------------------------- helpers


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _method(node: cst.CSTNode, names: Iterable[str] | None = None) -> str | None:
    """The method name when `node` is a call `receiver.name(...)` (of one of `names`)."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        name = node.func.attr.value
        if names is None or name in names:
            return name
    return None


def _callee(node: cst.CSTNode) -> str | None:
    """The dotted name a call calls (`torch.nn.functional.relu`), if it is one."""
    if not isinstance(node, cst.Call):
        return None
    parts: list[str] = []
    func: cst.BaseExpression = node.func
    while isinstance(func, cst.Attribute):
        parts.append(func.attr.value)
        func = func.value
    if not isinstance(func, cst.Name):
        return None
    parts.append(func.value)
    return ".".join(reversed(parts))


def _receiver(node: cst.Call) -> cst.BaseExpression:
    assert isinstance(node.func, cst.Attribute)
    return node.func.value


def _chain(receiver: cst.BaseExpression, method: str) -> cst.Call:
    return cst.Call(func=cst.Attribute(value=receiver, attr=cst.Name(method)))


def _positional(node: cst.Call) -> list[int]:
    return [i for i, arg in enumerate(node.args) if arg.keyword is None and not arg.star]


def _int_value(node: cst.BaseExpression) -> int | None:
    if isinstance(node, cst.Integer):
        return int(node.value, 0)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus) \
            and isinstance(node.expression, cst.Integer):
        return -int(node.expression.value, 0)
    return None


def _int_node(value: int) -> cst.BaseExpression:
    if value < 0:
        return cst.UnaryOperation(operator=cst.Minus(), expression=cst.Integer(str(-value)))
    return cst.Integer(str(value))


def _with_arg_value(node: cst.Call, index: int, value: cst.BaseExpression) -> cst.Call:
    args = list(node.args)
    args[index] = args[index].with_changes(value=value)
    return node.with_changes(args=args)


def _statement_call(node: cst.CSTNode, methods: Iterable[str]) -> bool:
    """`node` is a line holding only a call `x.method(...)` of one of `methods`."""
    return (isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1
            and isinstance(node.body[0], cst.Expr) and _method(node.body[0].value, methods) is not None)


def _respaced(op: Any, kind: type[Any]) -> Any:
    """An operator of `kind` spaced as `op` is."""
    return kind(whitespace_before=op.whitespace_before, whitespace_after=op.whitespace_after)


def _pass_line(node: cst.SimpleStatementLine) -> cst.SimpleStatementLine:
    return node.with_changes(body=[cst.Pass()])


_NN = ("nn.", "torch.nn.")
_TORCH_FUNCTIONS_NOT_TENSORS = {"torch.device", "torch.cuda.is_available", "torch.cuda.device_count", "torch.dtype",
                                "torch.is_tensor", "torch.no_grad", "torch.manual_seed", "torch.Generator"}
#: tensor methods whose result is a tensor (where `.detach()` or `.data` can cut the graph)
_TENSOR_METHODS = {"view", "reshape", "clone", "unsqueeze", "squeeze", "permute", "transpose", "t", "contiguous",
                   "to", "mm", "matmul", "bmm", "sum", "mean", "relu", "sigmoid", "tanh", "softmax", "log_softmax",
                   "float", "double", "flatten", "expand", "repeat", "add", "mul", "exp", "log", "abs", "pow",
                   "cuda", "cpu", "narrow", "select", "masked_fill", "where", "clamp"}
_FACTORIES = {"randn", "rand", "randint", "zeros", "ones", "empty", "full", "arange", "linspace", "eye", "tensor",
              "as_tensor", "from_numpy"}
_ACTIVATION_FUNCTIONS = {"relu", "sigmoid", "tanh", "gelu", "silu", "elu", "leaky_relu", "softmax", "log_softmax"}
_ACTIVATION_MODULES = {"ReLU", "Sigmoid", "Tanh", "GELU", "SiLU", "ELU", "LeakyReLU", "Softmax", "LogSoftmax"}
_DIM_FUNCTIONS = {"permute", "transpose", "sum", "mean", "softmax", "log_softmax", "cat", "stack", "argmax", "max",
                  "min", "flatten", "squeeze", "norm", "prod", "cumsum", "amax", "amin", "swapaxes", "movedim"}


# --------------------------------------------------------------------------- general operators


class Arithmetic(Operator):
    name = "arithmetic"
    group = "general"
    description = "swaps an arithmetic operator: // and /, + and -, * and @"
    _SWAPS: ClassVar[dict[type[cst.BaseBinaryOp], type[cst.BaseBinaryOp]]] = {
        cst.FloorDivide: cst.Divide, cst.Divide: cst.FloorDivide, cst.Add: cst.Subtract, cst.Subtract: cst.Add,
        cst.Multiply: cst.MatrixMultiply, cst.MatrixMultiply: cst.Multiply}

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        if isinstance(node, cst.BinaryOperation) and type(node.operator) in self._SWAPS:
            yield node.with_changes(operator=_respaced(node.operator, self._SWAPS[type(node.operator)]))


class Comparison(Operator):
    name = "comparison"
    group = "general"
    description = "moves a boundary or flips a test: < and <=, > and >=, == and !=, is and is not, in and not in"
    _SWAPS: ClassVar[dict[type[cst.BaseCompOp], type[cst.BaseCompOp]]] = {
        cst.LessThan: cst.LessThanEqual, cst.LessThanEqual: cst.LessThan, cst.GreaterThan: cst.GreaterThanEqual,
        cst.GreaterThanEqual: cst.GreaterThan, cst.Equal: cst.NotEqual, cst.NotEqual: cst.Equal,
        cst.Is: cst.IsNot, cst.IsNot: cst.Is, cst.In: cst.NotIn, cst.NotIn: cst.In}

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        if not isinstance(node, cst.Comparison):
            return
        for i, target in enumerate(node.comparisons):
            swap = self._SWAPS.get(type(target.operator))
            if swap is None:
                continue
            targets = list(node.comparisons)
            targets[i] = target.with_changes(operator=_respaced(target.operator, swap))
            yield node.with_changes(comparisons=targets)


class IntegerConstant(Operator):
    name = "integer"
    group = "general"
    description = "an integer constant one more or one less (an off-by-one)"

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        value = _int_value(node) if isinstance(node, cst.Integer | cst.UnaryOperation) else None
        if value is not None:
            yield _int_node(value + 1)
            yield _int_node(value - 1)


class FlipBool(Operator):
    name = "bool-flip"
    group = "general"
    description = "`True` and `False` swapped (a flag, a keyword option, an answer)"

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        if isinstance(node, cst.Name) and node.value in ("True", "False"):
            yield cst.Name("False" if node.value == "True" else "True")


class DropRaise(Operator):
    name = "drop-raise"
    group = "general"
    description = "an error path removed: a `raise` becomes `pass`"

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        if isinstance(node, cst.Raise):
            yield cst.Pass()


class DropStatement(Operator):
    name = "drop-statement"
    group = "general"
    description = "a statement left out (it becomes `pass`)"

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        if isinstance(node, cst.SimpleStatementLine) and not any(
                isinstance(s, cst.Pass | cst.Raise) for s in node.body):
            yield _pass_line(node)


class SwapArguments(Operator):
    name = "swap-arguments"
    group = "general"
    description = "two neighbouring positional arguments of a call swapped"

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        if not isinstance(node, cst.Call):
            return
        positional = _positional(node)
        for a, b in itertools.pairwise(positional):
            first, second = node.args[a].value, node.args[b].value
            if b == a + 1 and _code(first) != _code(second):
                yield _with_arg_value(_with_arg_value(node, a, second), b, first)


class ConstantReturn(Operator):
    name = "constant-return"
    group = "general"
    description = "returns a constant of the declared type (or the input unchanged) instead of computing it"
    _CONSTANTS: ClassVar[dict[str, tuple[str, ...]]] = {
        "int": ("0", "1"), "float": ("0.0",), "bool": ("False", "True"), "str": ('""',), "tuple": ("()",),
        "list": ("[]",), "dict": ("{}",), "torch.device": ('torch.device("cpu")',)}

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        if not isinstance(node, cst.Return) or node.value is None or site.returns is None:
            return
        for constant in self._constants(site):
            yield node.with_changes(value=cst.parse_expression(constant))

    def _constants(self, site: Site) -> Iterator[str]:
        assert site.returns is not None
        for kind in (part.strip().split("[")[0] for part in site.returns.split("|")):
            if kind in ("torch.Tensor", "Tensor"):
                tensors = [name for name, annotation in site.params
                           if annotation is not None and annotation.endswith("Tensor")]
                if tensors:
                    yield f"torch.zeros_like({tensors[0]})"
                    yield tensors[0]
            yield from self._CONSTANTS.get(kind, ())


# --------------------------------------------------------------------------- PyTorch operators


class DropChainCall(Operator):
    name = "drop-chain-call"
    group = "pytorch"
    description = "a call left out of a method chain: .contiguous(), .clone(), .detach(), .item(), .t(), .float()"
    _METHODS: ClassVar[frozenset[str]] = frozenset({"contiguous", "clone", "detach", "item", "t", "float"})

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        if _method(node, self._METHODS) is not None:
            assert isinstance(node, cst.Call)
            yield _receiver(node)


class DropTo(Operator):
    name = "drop-to"
    group = "pytorch"
    description = "the result of .to(device) (or .cuda(), .cpu()) dropped: the value stays where it was"

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        if _method(node, ("to", "cuda", "cpu")) is not None:
            assert isinstance(node, cst.Call)
            yield _receiver(node)


class InsertDetach(Operator):
    name = "insert-detach"
    group = "pytorch"
    description = "`.detach()` or `.data` on an intermediate tensor: gradients stop there"

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        if not self._is_tensor_value(node, site):
            return
        assert isinstance(node, cst.BaseExpression)
        yield _chain(node, "detach")
        yield cst.Attribute(value=node, attr=cst.Name("data"))

    @staticmethod
    def _is_tensor_value(node: cst.CSTNode, site: Site) -> bool:
        if _method(node, _TENSOR_METHODS) is not None:
            return True
        callee = _callee(node)
        if callee is None:
            return False
        if callee.startswith("torch.") and not callee.startswith(_NN) and callee not in _TORCH_FUNCTIONS_NOT_TENSORS:
            # A tensor a factory has just made has no history to cut.
            return callee.rsplit(".", 1)[-1].removesuffix("_like") not in _FACTORIES
        return callee.startswith("self.") and callee[5:] in site.module.submodules


class CopyBeforeView(Operator):
    name = "copy-before-view"
    group = "pytorch"
    description = "`.contiguous()` or `.clone()` inserted before a `.view`: the result no longer shares memory"

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        if _method(node, ("view",)) is not None:
            assert isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            for method in ("contiguous", "clone"):
                yield node.with_changes(func=node.func.with_changes(value=_chain(node.func.value, method)))


class ViewReshape(Operator):
    name = "view-reshape"
    group = "pytorch"
    description = "`.view` and `.reshape` exchanged (a guaranteed view against a maybe-copy)"

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        method = _method(node, ("view", "reshape"))
        if method is not None:
            assert isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            other = "reshape" if method == "view" else "view"
            yield node.with_changes(func=node.func.with_changes(attr=cst.Name(other)))


class UnsqueezeDim(Operator):
    name = "unsqueeze-dim"
    group = "pytorch"
    description = "`unsqueeze` at another place: 0, 1 or -1"

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        if _method(node, ("unsqueeze",)) is None and _callee(node) != "torch.unsqueeze":
            return
        assert isinstance(node, cst.Call)
        positional = _positional(node)
        index = positional[-1] if positional else None
        if index is None:
            return
        value = _int_value(node.args[index].value)
        for other in (0, 1, -1):
            if value is not None and other != value:
                yield _with_arg_value(node, index, _int_node(other))


class ChangeDim(Operator):
    name = "change-dim"
    group = "pytorch"
    description = "a dimension changed in permute, transpose, sum, mean, softmax, cat and the like"

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        if not isinstance(node, cst.Call):
            return
        callee = _callee(node) or ""
        name = _method(node) or callee.rsplit(".", 1)[-1]
        if name not in _DIM_FUNCTIONS:
            return
        dims = [i for i, arg in enumerate(node.args)
                if _int_value(arg.value) is not None and (arg.keyword is None or arg.keyword.value in ("dim", "dim0",
                                                                                                       "dim1", "dims"))]
        for i in dims:
            value = _int_value(node.args[i].value)
            assert value is not None
            for other in (value + 1, value - 1):
                yield _with_arg_value(node, i, _int_node(other))
        if name == "permute":
            for a, b in itertools.pairwise(dims):
                yield _with_arg_value(_with_arg_value(node, a, node.args[b].value), b, node.args[a].value)


class DropActivation(Operator):
    name = "drop-activation"
    group = "pytorch"
    description = "an activation left out: relu(x) becomes x"

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        if not isinstance(node, cst.Call):
            return
        callee = _callee(node) or ""
        if _method(node, _ACTIVATION_FUNCTIONS) is not None and not callee.startswith(("torch.", "F.", "nn.")):
            yield _receiver(node)
        elif ((callee.rsplit(".", 1)[-1] in _ACTIVATION_FUNCTIONS and callee.startswith(("torch.", "F."))) or
              (callee.startswith("self.") and callee[5:] in site.module.activations)) and node.args:
            yield node.args[0].value
        elif callee.endswith("Sequential"):
            for i, arg in enumerate(node.args):
                inner = _callee(arg.value) or ""
                if inner.rsplit(".", 1)[-1] in _ACTIVATION_MODULES:
                    args = list(node.args[:i]) + list(node.args[i + 1:])
                    if args:
                        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                    yield node.with_changes(args=args)


class ForwardCall(Operator):
    name = "forward-call"
    group = "pytorch"
    description = "`module(x)` becomes `module.forward(x)`: hooks no longer run"
    _MODULE_NAMES: ClassVar[frozenset[str]] = frozenset({"model", "net", "module", "layer"})

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        if not isinstance(node, cst.Call):
            return
        callee = _callee(node) or ""
        modules = {name for name, annotation in site.params
                   if name in self._MODULE_NAMES or (annotation or "").endswith("Module")}
        if (callee.startswith("self.") and callee[5:] in site.module.submodules) or callee in modules:
            yield node.with_changes(func=cst.Attribute(value=node.func, attr=cst.Name("forward")))


class DropMode(Operator):
    name = "drop-mode"
    group = "pytorch"
    description = "`model.eval()`, `model.train()` or `torch.no_grad()` left out"

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        if _statement_call(node, ("eval", "train")):
            assert isinstance(node, cst.SimpleStatementLine)
            yield _pass_line(node)
        elif isinstance(node, cst.With) and len(node.items) == 1 and \
                (_callee(node.items[0].item) or "").endswith(("no_grad", "inference_mode")) and \
                isinstance(node.body, cst.IndentedBlock):
            first, *rest = node.body.body
            yield cst.FlattenSentinel([first.with_changes(leading_lines=node.leading_lines), *rest])


class DropZeroGrad(Operator):
    name = "drop-zero-grad"
    group = "pytorch"
    description = "`zero_grad()` left out: gradients accumulate across steps"

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        if _statement_call(node, ("zero_grad",)):
            assert isinstance(node, cst.SimpleStatementLine)
            yield _pass_line(node)


class PlainContainer(Operator):
    name = "plain-container"
    group = "pytorch"
    description = "nn.ParameterList, nn.ParameterDict, nn.ModuleList or nn.ModuleDict replaced by a plain list or dict"
    _PLAIN: ClassVar[dict[str, str]] = {"ParameterList": "list", "ModuleList": "list", "ParameterDict": "dict",
                                        "ModuleDict": "dict"}

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        callee = _callee(node) or ""
        kind = callee.rsplit(".", 1)[-1]
        if callee.startswith(_NN) and kind in self._PLAIN:
            assert isinstance(node, cst.Call)
            plain = self._PLAIN[kind]
            if node.args:
                yield node.with_changes(func=cst.Name(plain))
            else:
                yield cst.List([]) if plain == "list" else cst.Dict([])


class TupleToList(Operator):
    name = "tuple-to-list"
    group = "pytorch"
    description = "a tuple rebuilt as a list (or a container rebuilt as a list instead of its own type)"

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        if isinstance(node, cst.Call) and (_callee(node) == "tuple" or _callee(node.func) == "type"):
            yield node.with_changes(func=cst.Name("list"))
        elif isinstance(node, cst.Tuple) and node.elements and node.lpar and not site.type_free:
            yield cst.List(elements=node.elements)


class SwapOption(Operator):
    name = "swap-option"
    group = "pytorch"
    description = "a torch option swapped: fan_in and fan_out, relu and linear gain, mean and sum reduction"
    _SWAPS: ClassVar[dict[str, dict[str, tuple[str, ...]]]] = {
        "mode": {"fan_in": ("fan_out",), "fan_out": ("fan_in",)},
        # not relu ↔ leaky_relu: with the default slope 0 their gains are the same
        "nonlinearity": {"relu": ("linear",), "linear": ("relu",)},
        "reduction": {"mean": ("sum",), "sum": ("mean",)},
        "padding": {"same": ("valid",), "valid": ("same",)},
    }

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        if not (isinstance(node, cst.Arg) and node.keyword is not None and isinstance(node.value, cst.SimpleString)):
            return
        value = node.value.evaluated_value
        quote = node.value.quote
        for other in self._SWAPS.get(node.keyword.value, {}).get(value if isinstance(value, str) else "", ()):
            yield node.with_changes(value=cst.SimpleString(f"{quote}{other}{quote}"))


class AssumeOneGpu(Operator):
    name = "assume-one-gpu"
    group = "pytorch"
    description = "torch.cuda.device_count() taken as int(torch.cuda.is_available()): at most one GPU assumed"

    def mutate(self, node: cst.CSTNode, site: Site) -> Iterator[Replacement]:
        if _callee(node) == "torch.cuda.device_count":
            yield cst.parse_expression("int(torch.cuda.is_available())")


#: every operator, the specific ones first: a mutant two operators make is named after the first
OPERATORS: tuple[Operator, ...] = (
    DropChainCall(), DropTo(), InsertDetach(), CopyBeforeView(), ViewReshape(), UnsqueezeDim(), ChangeDim(),
    DropActivation(), ForwardCall(), DropMode(), DropZeroGrad(), PlainContainer(), TupleToList(), SwapOption(),
    AssumeOneGpu(),
    Arithmetic(), Comparison(), IntegerConstant(), FlipBool(), DropRaise(), DropStatement(), SwapArguments(),
    ConstantReturn(),
)


def operators_named(names: Iterable[str]) -> tuple[Operator, ...]:
    """The operators called `names` (or of the groups `general` / `pytorch`), in OPERATORS order.

    Raises:
        CourseError: an unknown name (the message lists the known ones).
    """
    wanted = set(names)
    known = {op.name for op in OPERATORS} | {"general", "pytorch"}
    unknown = sorted(wanted - known)
    if unknown:
        raise CourseError(f"unknown operator {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return tuple(op for op in OPERATORS if op.name in wanted or op.group in wanted)


# --------------------------------------------------------------------------- finding sites


@dataclass
class _Scope:
    name: str
    returns: str | None = None
    params: tuple[tuple[str, str | None], ...] = ()


class _Sites(cst.CSTVisitor):
    """Every node inside a solution region, with its site; error messages, strings and
    annotations are left alone (a change there is never a student's mistake in the code)."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, regions: Sequence[tuple[int, int]], module: Module) -> None:
        super().__init__()
        self.regions = regions
        self.module = module
        self.scopes: list[_Scope] = []
        self.type_free: set[int] = set()
        self.found: list[tuple[cst.CSTNode, Site]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.FunctionDef | cst.ClassDef):
            self._enter(node)
        if isinstance(node, cst.For):
            self.type_free.add(id(node.iter))
        if isinstance(node, cst.Comparison):  # x in (a, b): membership is the same in a list
            self.type_free.update(id(t.comparator) for t in node.comparisons
                                  if isinstance(t.operator, cst.In | cst.NotIn))
        if isinstance(node, cst.Assign) and all(isinstance(t.target, cst.Tuple | cst.List) for t in node.targets):
            value = node.value  # a, b = (x, y): unpacked at once
            branches = (value.body, value.orelse) if isinstance(value, cst.IfExp) else (value,)
            self.type_free.update(id(branch) for branch in branches)
        if isinstance(node, cst.Tuple | cst.List) and id(node) in self.type_free:
            self.type_free.update(id(element.value) for element in node.elements)  # unpacked by the loop
        if _callee(node) in ("isinstance", "issubclass"):
            assert isinstance(node, cst.Call)
            if len(node.args) == 2:
                self.type_free.add(id(node.args[1].value))
        position = self.get_metadata(PositionProvider, node)
        if any(begin < position.start.line and position.end.line < end for begin, end in self.regions):
            scope = self.scopes[-1] if self.scopes else _Scope("<module>")
            self.found.append((node, Site(
                function=".".join(s.name for s in self.scopes) or "<module>", line=position.start.line,
                module=self.module, returns=scope.returns, params=scope.params, type_free=id(node) in self.type_free)))
        return not isinstance(node, cst.Raise | cst.BaseString | cst.Annotation | cst.Decorator)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if isinstance(original_node, cst.FunctionDef | cst.ClassDef):
            self.scopes.pop()

    def _enter(self, node: cst.FunctionDef | cst.ClassDef) -> None:
        if isinstance(node, cst.ClassDef):
            self.scopes.append(_Scope(node.name.value))
            return
        params = tuple((p.name.value, _code(p.annotation.annotation) if p.annotation else None)
                       for p in (*node.params.posonly_params, *node.params.params, *node.params.kwonly_params))
        returns = _code(node.returns.annotation) if node.returns else None
        self.scopes.append(_Scope(node.name.value, returns, params))


class _ModuleFacts(cst.CSTVisitor):
    """`self.<name> = nn.<Module>(...)` anywhere in the module."""

    def __init__(self) -> None:
        super().__init__()
        self.submodules: set[str] = set()
        self.activations: set[str] = set()

    def visit_Assign(self, node: cst.Assign) -> None:
        callee = _callee(node.value) or ""
        if not callee.startswith(_NN):
            return
        for target in node.targets:
            t = target.target
            if isinstance(t, cst.Attribute) and isinstance(t.value, cst.Name) and t.value.value == "self":
                self.submodules.add(t.attr.value)
                if callee.rsplit(".", 1)[-1] in _ACTIVATION_MODULES:
                    self.activations.add(t.attr.value)


class _Replace(cst.CSTTransformer):
    def __init__(self, target: cst.CSTNode, replacement: Replacement) -> None:
        super().__init__()
        self.target = target
        self.replacement = replacement

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Replacement:  # type: ignore[override]
        return self.replacement if original_node is self.target else updated_node


# --------------------------------------------------------------------------- making mutants


@dataclass
class _Ids:
    used: dict[str, int] = field(default_factory=dict)

    def make(self, exercise: str, function: str, operator: str, removed: list[str], added: list[str]) -> str:
        text = "\n".join(["-" + line.strip() for line in removed] + ["+" + line.strip() for line in added])
        base = f"{exercise}.{function}.{operator}.{hashlib.sha256(text.encode()).hexdigest()[:8]}"
        count = self.used[base] = self.used.get(base, 0) + 1
        return base if count == 1 else f"{base}-{count}"


def make_mutants(source: str, *, exercise: str, filename: str = "<solution>",
                 operators: Sequence[Operator] = OPERATORS) -> list[Mutant]:
    """Every distinct mutant the operators make inside `source`'s solution regions.

    A mutant's id is `exercise.function.operator.hash`, the hash taken over the changed lines,
    so it survives edits elsewhere in the file.

    Raises:
        CourseError: the source does not parse or its markers are broken.
    """
    regions = solution_regions(source, filename=filename)
    try:
        wrapper = MetadataWrapper(cst.parse_module(source))
    except cst.ParserSyntaxError as exc:
        raise CourseError(f"{filename} does not parse: {exc.message} (line {exc.raw_line})") from exc
    tree = wrapper.module
    facts = _ModuleFacts()
    tree.visit(facts)
    sites = _Sites(regions, Module(frozenset(facts.submodules), frozenset(facts.activations)))
    wrapper.visit(sites)
    original = source.splitlines(keepends=True)
    seen = {source}
    ids = _Ids()
    found: list[Mutant] = []
    for node, site in sites.found:
        for operator in operators:
            for replacement in operator.mutate(node, site):
                code = tree.visit(_Replace(node, replacement)).code
                if code in seen:
                    continue
                seen.add(code)
                try:
                    compile(code, filename, "exec")
                except SyntaxError:
                    continue
                changed = code.splitlines(keepends=True)
                removed, added = _changed_lines(original, changed)
                diff = "".join(difflib.unified_diff(original, changed, fromfile=f"solutions/{exercise}.py",
                                                    tofile=f"mutant ({operator.name})", n=1))
                found.append(Mutant(id=ids.make(exercise, site.function, operator.name, removed, added),
                                    exercise=exercise, function=site.function, operator=operator.name,
                                    line=site.line, source=code, diff=diff))
    return found


def _changed_lines(before: list[str], after: list[str]) -> tuple[list[str], list[str]]:
    removed: list[str] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += before[i1:i2]
            added += after[j1:j2]
    return removed, added
