"""The mutation operators, each on its own, and how mutants are made and named."""

import textwrap

import pytest

from autograder.errors import CourseError
from autograder.mutants import OPERATORS, make_mutants, operators_named

BY_NAME = {op.name: op for op in OPERATORS}


def solution(body: str, *, signature: str = "def f(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:",
             before: str = "") -> str:
    """A module whose function `signature` has `body` as its solution region."""
    region = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    return (f"import torch\nfrom torch import nn\n{textwrap.dedent(before)}\n{signature}\n"
            f"    ### BEGIN SOLUTION\n{region}\n    ### END SOLUTION\n")


def changed(operator: str, body: str, **kwargs: str) -> set[str]:
    """The region of every mutant that `operator` alone makes, stripped and joined line by line."""
    source = solution(body, **kwargs)
    found = make_mutants(source, exercise="ex", operators=[BY_NAME[operator]])
    regions = set()
    for mutant in found:
        assert mutant.operator == operator
        lines = mutant.source.split("### BEGIN SOLUTION\n", 1)[1].split("### END SOLUTION", 1)[0]
        regions.add(" | ".join(line.strip() for line in lines.strip().splitlines()))
    return regions


def test_every_operator_has_a_name_group_and_description():
    names = [op.name for op in OPERATORS]
    assert len(names) == len(set(names))
    assert {op.group for op in OPERATORS} == {"general", "pytorch"}
    assert all(op.description and "\n" not in op.description for op in OPERATORS)


def test_arithmetic():
    assert changed("arithmetic", "return (x + y) // 2 * y") == {
        "return (x - y) // 2 * y", "return (x + y) / 2 * y", "return (x + y) // 2 @ y"}


def test_comparison():
    assert changed("comparison", "if x.dim() < 2 or y.dim() != 3:\n    raise ValueError('bad')\nreturn x") == {
        "if x.dim() <= 2 or y.dim() != 3: | raise ValueError('bad') | return x",
        "if x.dim() < 2 or y.dim() == 3: | raise ValueError('bad') | return x"}


def test_integer_constants_move_by_one():
    assert changed("integer", "return x[0] + y[-2]") == {
        "return x[1] + y[-2]", "return x[-1] + y[-2]", "return x[0] + y[-1]", "return x[0] + y[-3]"}


def test_bool_flip_swaps_true_and_false_but_not_none():
    assert changed("bool-flip", "y = x.sum(1, keepdim=True)\nreturn y is None or False") == {
        "y = x.sum(1, keepdim=False) | return y is None or False",
        "y = x.sum(1, keepdim=True) | return y is None or True"}


def test_drop_raise_and_its_message_is_never_mutated():
    body = "if x.dim() == 0:\n    raise ValueError(f'got {x.dim() + 1} dims')\nreturn x"
    assert changed("drop-raise", body) == {"if x.dim() == 0: | pass | return x"}
    assert all("+ 1" in region for region in changed("integer", body))  # only the 0 of the test moves
    assert all("{x.dim() + 1}" in region for region in changed("arithmetic", body))


def test_drop_statement():
    assert changed("drop-statement", "z = x * 2\nreturn z + y") == {"pass | return z + y", "z = x * 2 | pass"}


def test_swap_arguments():
    assert changed("swap-arguments", "return torch.mm(x, y)") == {"return torch.mm(y, x)"}
    assert changed("swap-arguments", "return torch.mm(x, x)") == set()  # no change is no mutant


def test_constant_return_follows_the_annotation():
    assert changed("constant-return", "return x + y") == {"return torch.zeros_like(x)", "return x"}
    assert changed("constant-return", "return len(x)", signature="def f(x) -> int:") == {"return 0", "return 1"}
    assert changed("constant-return", "return x", signature="def f(x):") == set()  # no annotation, no guess


def test_drop_chain_call():
    assert changed("drop-chain-call", "return x.clone().detach().view(-1).item()") == {
        "return x.detach().view(-1).item()", "return x.clone().view(-1).item()", "return x.clone().detach().view(-1)"}


def test_drop_to():
    assert changed("drop-to", "y = x.to(device)\nreturn y.cuda()", signature="def f(x, device):") == {
        "y = x | return y.cuda()", "y = x.to(device) | return y"}


def test_insert_detach_on_intermediate_tensors_not_fresh_ones():
    assert changed("insert-detach", "return torch.mm(x, y).relu()") == {
        "return torch.mm(x, y).detach().relu()", "return torch.mm(x, y).data.relu()",
        "return torch.mm(x, y).relu().detach()", "return torch.mm(x, y).relu().data"}
    assert changed("insert-detach", "return torch.randn(3) + x") == set()  # a factory's tensor has no history


def test_copy_before_view():
    assert changed("copy-before-view", "return x.view(-1)") == {
        "return x.contiguous().view(-1)", "return x.clone().view(-1)"}


def test_view_reshape():
    assert changed("view-reshape", "return x.view(-1) + y.reshape(-1)") == {
        "return x.reshape(-1) + y.reshape(-1)", "return x.view(-1) + y.view(-1)"}


def test_unsqueeze_dim():
    assert changed("unsqueeze-dim", "return x.unsqueeze(0)") == {"return x.unsqueeze(1)", "return x.unsqueeze(-1)"}


def test_change_dim():
    assert changed("change-dim", "return x.sum(dim=1)") == {"return x.sum(dim=2)", "return x.sum(dim=0)"}
    assert "return x.permute(0, 2, 1)" in changed("change-dim", "return x.permute(2, 0, 1)")
    assert changed("change-dim", "return torch.cat([x, y], 0)") == {
        "return torch.cat([x, y], 1)", "return torch.cat([x, y], -1)"}


def test_drop_activation_of_every_kind():
    assert changed("drop-activation", "return torch.relu(x) + x.sigmoid()") == {
        "return x + x.sigmoid()", "return torch.relu(x) + x"}
    before = """
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.act = nn.ReLU()
                self.fc = nn.Linear(2, 2)
    """
    module = solution("return self.fc(self.act(x))", signature="    def forward(self, x):", before=before)
    module = module.replace("    ### BEGIN", "        ### BEGIN").replace("    ### END", "        ### END")
    module = module.replace("\n    return self", "\n        return self")
    [mutant] = make_mutants(module, exercise="ex", operators=[BY_NAME["drop-activation"]])
    assert "return self.fc(x)" in mutant.source
    sequential = "net = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))\nreturn net(x)"
    assert changed("drop-activation", sequential) == {
        "net = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1)) | return net(x)"}


def test_forward_call_on_modules_only():
    assert changed("forward-call", "return model(x) + len(x)", signature="def f(model, x):") == {
        "return model.forward(x) + len(x)"}


def test_drop_mode():
    body = "model.eval()\nwith torch.no_grad():\n    out = model(x)\nmodel.train(mode)\nreturn out"
    assert changed("drop-mode", body, signature="def f(model, x, mode):") == {
        "pass | with torch.no_grad(): | out = model(x) | model.train(mode) | return out",
        "model.eval() | out = model(x) | model.train(mode) | return out",
        "model.eval() | with torch.no_grad(): | out = model(x) | pass | return out"}


def test_drop_zero_grad():
    body = "optimizer.zero_grad()\nloss = model(x).sum()\nloss.backward()\noptimizer.step()\nreturn loss.item()"
    assert changed("drop-zero-grad", body, signature="def f(model, optimizer, x):") == {
        "pass | loss = model(x).sum() | loss.backward() | optimizer.step() | return loss.item()"}


def test_plain_container():
    assert changed("plain-container", "a = nn.ParameterList(ps)\nb = nn.ModuleDict()\nreturn a, b",
                   signature="def f(ps):") == {
        "a = list(ps) | b = nn.ModuleDict() | return a, b", "a = nn.ParameterList(ps) | b = {} | return a, b"}


def test_tuple_to_list_but_not_where_the_type_cannot_matter():
    assert changed("tuple-to-list", "return tuple(v for v in x), (x, y)", signature="def f(x, y):") == {
        "return list(v for v in x), (x, y)", "return tuple(v for v in x), [x, y]"}
    loop = "for a, b in ((x, 1), (y, 2)):\n    print(a, b)\nreturn isinstance(x, (list, tuple))"
    assert changed("tuple-to-list", loop, signature="def f(x, y):") == set()


def test_only_solution_regions_are_mutated():
    source = solution("return x + y", before="OFFSET = 1 + 2\n")
    found = make_mutants(source, exercise="ex")
    assert found and all("OFFSET = 1 + 2" in m.source for m in found)
    assert all(m.source.count("### BEGIN SOLUTION") == 1 for m in found)


def test_every_mutant_compiles_and_differs_once():
    source = solution("z = x.view(-1).clone()\nif z.dim() != 1:\n    raise ValueError('no')\n"
                      "return (z + 1).unsqueeze(0)")
    found = make_mutants(source, exercise="ex")
    assert len({m.source for m in found}) == len(found)
    for mutant in found:
        compile(mutant.source, "mutant", "exec")
        assert mutant.source != source
        assert mutant.diff.count("\n@@") + mutant.diff.startswith("@@") == 1, mutant.diff


def test_a_mutant_two_operators_make_is_named_after_the_first():
    found = make_mutants(solution("return x.unsqueeze(0)"), exercise="ex")
    [moved] = [m for m in found if "unsqueeze(1)" in m.source]
    assert moved.operator == "unsqueeze-dim"  # not "integer", which makes the same change


def test_ids_survive_edits_elsewhere_and_name_the_function():
    first = {m.id for m in make_mutants(solution("return x.view(-1) + y"), exercise="ex")}
    edited = {m.id for m in make_mutants(solution("return x.view(-1) + y", before="def helper():\n    return 2\n"),
                                         exercise="ex")}
    assert first == edited
    assert all(i.startswith("ex.f.") for i in first)
    changed_body = {m.id for m in make_mutants(solution("return x.view(-1) - y"), exercise="ex")}
    assert changed_body != first


def test_operators_named_takes_names_and_groups():
    assert [op.name for op in operators_named(["view-reshape", "arithmetic"])] == ["view-reshape", "arithmetic"]
    assert {op.group for op in operators_named(["general"])} == {"general"}
    with pytest.raises(CourseError, match=r"unknown operator no-such.*known: arithmetic"):
        operators_named(["no-such"])


def test_broken_sources_are_course_errors():
    with pytest.raises(CourseError, match="does not parse"):
        make_mutants("def f(:\n    ### BEGIN SOLUTION\n    pass\n    ### END SOLUTION\n", exercise="ex")
    with pytest.raises(CourseError, match="no ### BEGIN SOLUTION region"):
        make_mutants("x = 1\n", exercise="ex")


def test_swap_option():
    body = 'nn.init.kaiming_normal_(x, mode="fan_in", nonlinearity="relu")\nreturn x'
    assert changed("swap-option", body, signature="def f(x):") == {
        'nn.init.kaiming_normal_(x, mode="fan_out", nonlinearity="relu") | return x',
        'nn.init.kaiming_normal_(x, mode="fan_in", nonlinearity="linear") | return x'}


def test_tuple_to_list_skips_membership_and_unpacking():
    body = 'a, b = (x, x) if isinstance(x, int) else x\nif y not in ("max", "avg"):\n    return (a, b)\nreturn b'
    assert changed("tuple-to-list", body, signature="def f(x, y):") == {
        'a, b = (x, x) if isinstance(x, int) else x | if y not in ("max", "avg"): | return [a, b] | return b'}


def test_assume_one_gpu():
    body = "if i < torch.cuda.device_count():\n    return i\nreturn -1"
    assert changed("assume-one-gpu", body, signature="def f(i):") == {
        "if i < int(torch.cuda.is_available()): | return i | return -1"}
