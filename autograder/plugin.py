"""The pytest plugin: markers, the ``student``/``reference``/``device`` fixtures, and the
collector that turns test outcomes into the result model.

The grading engine runs pytest in-process with a `Grading` in the config stash. The plugin also
works on its own, so an instructor can run the checks with plain pytest::

    pytest tests/hidden --submission solutions          # the reference must pass everything
    pytest tests/public --submission exercises --runner inprocess
"""

from __future__ import annotations

import hashlib
import importlib.util
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, cast

import pytest

from autograder.catalog import DEFAULT_TIME_LIMIT
from autograder.outcomes import (
    CheckFailed,
    CourseFault,
    NotAttempted,
    StudentFailure,
    StudentTimeout,
)
from autograder.result import CheckResult, Fault, Status, Visibility
from autograder.runner import environment

if TYPE_CHECKING:  # the runner imports torch: the grader starts a zygote first (see `Grader`)
    from autograder.runner.client import Runner

__all__ = ["DEFAULT_TIME_LIMIT", "CheckInfo", "Collector", "Grading", "References", "check_info"]

#: The order devices run and are reported in.
DEVICE_ORDER = ("cpu", "cuda", "meta")


class References:
    """The reference solutions, imported into the grader's process under private names.

    ``reference.mlp`` is ``solutions/mlp.py``. Modules are imported once and kept, so a warm
    grader pays for them once.
    """

    def __init__(self, directory: Path | None) -> None:
        self._directory = directory
        self._modules: dict[str, ModuleType] = {}

    def __getattr__(self, name: str) -> ModuleType:
        if name.startswith("__"):
            raise AttributeError(name)
        module = self._modules.get(name)
        if module is None:
            if self._directory is None:
                raise RuntimeError("reference solutions are not available here (public checks must "
                                   "not use the `reference` fixture)")
            path = self._directory / f"{name}.py"
            if not path.is_file():
                raise RuntimeError(f"there is no reference solution {path}")
            spec = importlib.util.spec_from_file_location(f"_autograder_reference_{name}", path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            self._modules[name] = module
        return module


@dataclass
class _Run:
    """One test item's outcome (one device of one check)."""

    status: Status
    message: str = ""
    hint: str = ""
    device: str | None = None
    duration: float = 0.0
    output: str = ""
    fault: Fault | None = None


@dataclass(frozen=True)
class CheckInfo:
    """What a check function is: the same for every device variant and every submission."""

    id: str
    name: str
    exercise: str
    visibility: Visibility
    points: float
    #: ids of the checks of the same file that must pass for this one to earn its points
    requires: tuple[str, ...] = ()


@dataclass
class _Check:
    """One check function's runs (its device variants) for the submission being graded."""

    info: CheckInfo
    runs: list[_Run] = field(default_factory=list)

    def result(self) -> CheckResult:
        info, ran = self.info, self.runs
        failed = next((r for r in ran if r.status is not Status.PASSED), None)
        devices = tuple(sorted({r.device or "cpu" for r in ran},
                               key=lambda d: DEVICE_ORDER.index(d) if d in DEVICE_ORDER else 9))
        message = ""
        if failed is not None:
            message = failed.message
            if failed.device and len(devices) > 1:
                message = f"on {failed.device}: {message}"
        return CheckResult(
            id=info.id, name=info.name,
            status=Status.PASSED if failed is None else failed.status,
            score=info.points if failed is None and ran else 0.0,
            max_score=info.points, visibility=info.visibility,
            message=message, hint=failed.hint if failed else "",
            fault=failed.fault if failed else None,
            devices=devices or ("cpu",),
            duration_s=sum(r.duration for r in ran),
            output="".join(r.output for r in ran),
        )


#: Why a check whose required check did not pass earns nothing.
GATE_HINT = "a property of a result (a type, a shape, a view, an untouched input) earns points only " \
            "together with correct values"


def _gated(check: CheckResult, required: list[CheckResult | None]) -> CheckResult:
    """`check` as it counts once the checks it requires are known (see the ``requires`` marker)."""
    if not check.passed:
        return check
    for gate in required:
        if gate is None:
            return replace(check, status=Status.ERROR, score=0.0, fault=Fault.COURSE,
                           message="not judged: a check it requires did not run")
        if gate.status is Status.SKIPPED:
            return replace(check, status=Status.SKIPPED, score=0.0, fault=None,
                           message=f"skipped with \u201c{gate.name}\u201d, which it requires")
        if not gate.passed:
            return replace(check, status=gate.status, score=0.0, fault=gate.fault or Fault.STUDENT,
                           message=f"not counted until \u201c{gate.name}\u201d passes", hint=GATE_HINT)
    return check


def check_info(item: pytest.Item) -> CheckInfo:
    """Describe the check an item runs (worked out once per item, then kept in its stash)."""
    known = item.stash.get(_INFO, None)
    if known is not None:
        return known
    path = item.path
    visibility: Visibility = "hidden" if path.parent.name == "hidden" else "public"
    function = getattr(item, "originalname", item.name)
    prefix = f"{visibility}/{path.name}::"
    key = prefix + function
    marker = item.get_closest_marker("points")
    points = marker.args[0] if marker and marker.args else 1
    if not isinstance(points, (int, float)) or isinstance(points, bool) or points <= 0:
        raise pytest.UsageError(f"{key}: points must be a positive number, got {points!r}")
    gate = item.get_closest_marker("requires")
    requires = tuple(gate.args) if gate else ()
    if not all(type(name) is str and name.isidentifier() and name != function for name in requires):
        raise pytest.UsageError(f"{key}: requires() takes the names of other checks of its file, got {requires!r}")
    doc = (getattr(item, "function", None).__doc__ or "").strip().splitlines()
    name = doc[0].strip().rstrip(".") if doc else function.removeprefix("test_").replace("_", " ")
    info = item.stash[_INFO] = CheckInfo(key, name, path.stem.removeprefix("test_"), visibility, float(points),
                                          tuple(prefix + n for n in requires))
    return info


class Collector:
    """Gathers the outcome of every check for one submission, per exercise, in the order they ran."""

    def __init__(self, on_result: Callable[[str, Status], None] | None = None) -> None:
        self.checks: dict[str, _Check] = {}
        self.on_result = on_result
        #: the grader's wording of failures, for reports pytest itself builds (nodeid, when) → text
        self.longreprs: dict[tuple[str, str], str] = {}

    def record(self, item: pytest.Item, run: _Run) -> None:
        info = check_info(item)
        check = self.checks.get(info.id)
        if check is None:
            check = self.checks[info.id] = _Check(info)
        check.runs.append(run)
        if self.on_result is not None:
            self.on_result(info.exercise, run.status)

    @property
    def all_passed(self) -> bool:
        """Every run recorded so far passed (so no point is lost yet)."""
        return all(run.status is Status.PASSED for check in self.checks.values() for run in check.runs)

    def results(self) -> dict[str, list[CheckResult]]:
        """Check results grouped by exercise name, each counted as its ``requires`` marker says
        (a gate counts as gated itself: requirements chain)."""
        ran = {key: check.result() for key, check in self.checks.items()}
        counted: dict[str, CheckResult] = {}

        def count(key: str, seen: tuple[str, ...] = ()) -> CheckResult | None:
            if key not in ran or key in seen:  # not run here, or a cycle (reported at collection)
                return None
            if key not in counted:
                gates = self.checks[key].info.requires
                counted[key] = _gated(ran[key], [count(gate, (*seen, key)) for gate in gates])
            return counted[key]

        grouped: dict[str, list[CheckResult]] = {}
        for key, check in self.checks.items():
            grouped.setdefault(check.info.exercise, []).append(count(key) or ran[key])
        return grouped


@dataclass
class Grading:
    """Everything the plugin needs to grade (made by the engine, or by `--submission`).

    The engine may grade several submissions in one pytest session: it swaps `collector` and
    `deadline` for each one while the runner, the references and the collected checks stay.
    """

    runner: Runner
    references: References
    #: the outcomes of the submission being graded
    collector: Collector = field(default_factory=Collector)
    devices: tuple[str, ...] = ("cpu",)
    time_limit: float = DEFAULT_TIME_LIMIT
    #: monotonic time after which no further check starts (the submission's budget)
    deadline: float | None = None
    #: build failure reports without pytest's traceback formatting (nobody reads them)
    brief_reports: bool = False
    #: check files that could not be imported: the course's fault, not the student's
    collection_errors: list[str] = field(default_factory=list)
    #: hidden checks word their failures with expected values too (for instructors only)
    reveal: bool = False
    #: seconds each run (item) may take, where the reference's own time scaled it (see
    #: `grading.Grader`'s `scaled_limits`); wins over `time_limit` and a marker
    limits: dict[str, float] = field(default_factory=dict)


class _Reports:
    """Report hooks that need the grading (module-level hooks only see the report)."""

    def __init__(self, grading: Grading) -> None:
        self.grading = grading

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A check file that cannot be imported is the course's fault, not the student's."""
        if report.failed:
            lines = [line for line in str(report.longrepr).splitlines() if line.startswith("E ")]
            detail = lines[-1][1:].strip() if lines else _first_line(str(report.longrepr))
            self.grading.collection_errors.append(f"{report.nodeid}: {detail}")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Plain pytest output shows the student-facing message, not a traceback through the kit."""
        longrepr = self.grading.collector.longreprs.pop((report.nodeid, report.when), None)
        if longrepr is not None:
            report.longrepr = longrepr


GRADING = pytest.StashKey[Grading]()
_INFO = pytest.StashKey[CheckInfo]()
_OWNED = pytest.StashKey["Runner"]()


def available_devices() -> tuple[str, ...]:
    """cpu, plus cuda when this machine has a usable GPU."""
    import torch

    return ("cpu", "cuda") if torch.cuda.is_available() else ("cpu",)


# --------------------------------------------------------------------------- configuration


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("autograder", "grading PyTorch exercises")
    group.addoption("--submission", metavar="DIR", default=None,
                    help="grade the exercise modules in DIR with the collected checks")
    group.addoption("--runner", choices=("sandbox", "inprocess"), default="sandbox",
                    help="where student code runs (default: sandbox)")
    group.addoption("--solutions", metavar="DIR", default=None,
                    help="reference solutions (default: solutions/ next to the tests directory)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "points(n): points this check is worth (default 1)")
    config.addinivalue_line("markers", "time_limit(seconds): how long each run of this check may take")
    config.addinivalue_line("markers", "requires(*checks): names of checks of the same file that must pass for this "
                            "one to earn its points (a property counts only together with correct values)")
    submission = config.getoption("--submission", default=None)
    if GRADING not in config.stash and submission is not None:
        config.stash[GRADING] = _standalone_grading(config, Path(submission))
    if GRADING in config.stash:
        config.pluginmanager.register(_Reports(config.stash[GRADING]), "autograder-reports")


def _standalone_grading(config: pytest.Config, submission: Path) -> Grading:
    """A grading for plain `pytest --submission DIR` (the engine passes its own)."""
    if not submission.is_dir():
        raise pytest.UsageError(f"--submission {submission}: not a directory")
    from autograder.runner import make_runner

    runner = make_runner(config.getoption("--runner"), hide=(str(config.rootpath),))
    runner.load(submission.resolve())
    config.stash[_OWNED] = runner
    option = config.getoption("--solutions")
    candidates = [Path(option)] if option else [Path(config.rootpath) / "solutions",
                                                  Path(config.rootpath).parent / "solutions"]
    solutions = next((c for c in candidates if c.is_dir()), None)
    return Grading(runner=runner, devices=available_devices(), references=References(solutions))


def pytest_unconfigure(config: pytest.Config) -> None:
    runner = config.stash.get(_OWNED, None)
    if runner is not None:
        runner.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A check may only require checks of its own file, and requirements may not go round."""
    requires = {check_info(item).id: check_info(item).requires for item in items}
    problems = []
    for key, gates in requires.items():
        missing = [gate for gate in gates if gate not in requires]
        if missing:
            problems.append(f"{key} requires {', '.join(missing)}, which is not a check of its file")
        seen, todo = set(), list(gates)
        while todo:
            gate = todo.pop()
            if gate == key:
                problems.append(f"{key} requires itself through other checks")
                break
            if gate not in seen:
                seen.add(gate)
                todo.extend(requires.get(gate, ()))
    grading = config.stash.get(GRADING, None)
    if problems and grading is None:
        raise pytest.UsageError("; ".join(problems))
    if grading is not None:
        grading.collection_errors.extend(problems)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Two arguments are devices, given straight to the check (no fixture to set up per run):

    * ``device``: the device this run of the check computes on: cpu, and again cuda when
      available;
    * ``target_device``: a device to move things to: cpu (where values can be compared), meta
      (a device other than the data's own, so CPU-only machines check device logic too), and cuda
      when available.
    """
    import torch

    grading = metafunc.config.stash.get(GRADING, None)
    devices = grading.devices if grading is not None else ("cpu",)
    if "device" in metafunc.fixturenames:
        metafunc.parametrize("device", [torch.device(d) for d in devices], ids=list(devices))
    if "target_device" in metafunc.fixturenames:
        targets = ["cpu", "meta"] + [d for d in devices if d == "cuda"]
        metafunc.parametrize("target_device", [torch.device(d) for d in targets], ids=targets)


def _grading(config: pytest.Config) -> Grading:
    grading = config.stash.get(GRADING, None)
    if grading is None:
        raise pytest.UsageError("these checks grade a submission: run them with "
                                "`autograder grade` or `pytest --submission DIR`")
    return grading


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def student(pytestconfig: pytest.Config) -> Any:
    """The submission: ``student.mlp`` is a handle to the student's ``mlp.py``.

    Calls and attribute access on it run the student's code (in a sandbox when grading), and
    plain data comes back: ``student.padding.conv_output_size(8, 3, padding=1)`` is an ``int``.
    """
    from autograder.runner.proxy import Student

    return Student(_grading(pytestconfig).runner)


@pytest.fixture
def reference(pytestconfig: pytest.Config) -> References:
    """The reference solutions: ``reference.mlp.MLP`` is the solution's class, run in the
    grader's own process. Only hidden checks may use it (students do not have the solutions)."""
    return _grading(pytestconfig).references


def _seed_for(nodeid: str) -> int:
    return int.from_bytes(hashlib.sha256(nodeid.encode()).digest()[:4], "little")


_CONTEXT = pytest.StashKey[Any]()
#: (seed, time limit or None) of an item
_PLAN = pytest.StashKey[tuple[int, float | None]]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Start each check: seed both processes, start its clock, make the helpers aware of it."""
    grading = item.config.stash.get(GRADING, None)
    if grading is None or not isinstance(item, pytest.Function):
        return
    from autograder.checks import CheckContext, enter_check

    info = check_info(item)
    item.stash[_CONTEXT] = enter_check(CheckContext(runner=grading.runner, visibility=info.visibility,
                                                    reveal=grading.reveal))
    # Waiting for the submission's processes to start (a cold zygote) is not the submission's time.
    if grading.deadline is not None and time.monotonic() - grading.runner.waited > grading.deadline:
        raise StudentTimeout("not run: the submission used up its total time budget",
                             hint="earlier checks took too long; fix those first")
    seed, limit = item.stash.get(_PLAN, (None, None))
    if seed is None:  # worked out once per item, however many submissions it grades
        seed, limit = item.stash[_PLAN] = (_seed_for(item.nodeid), marker_limit(item))
    limit = grading.limits.get(item.nodeid, limit if limit is not None else grading.time_limit)
    environment.seed(seed)
    grading.runner.begin_check(seed=seed, time_limit=limit, name=info.name)


def marker_limit(item: pytest.Item) -> float | None:
    """The seconds a check's ``time_limit`` marker gives each of its runs, if it has one."""
    marker = item.get_closest_marker("time_limit")
    return float(marker.args[0]) if marker and marker.args else None


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    token = item.stash.get(_CONTEXT, None)
    if token is not None:
        from autograder.checks import leave_check

        leave_check(token)
        del item.stash[_CONTEXT]


# --------------------------------------------------------------------------- outcomes


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def _classify(excinfo: pytest.ExceptionInfo[BaseException], when: str) -> tuple[Status, Fault, str, str]:
    """(status, whose fault, message, hint) of a check that raised."""
    exc = excinfo.value
    if isinstance(exc, CheckFailed):
        return Status.FAILED, Fault.STUDENT, exc.message, exc.hint
    if isinstance(exc, NotAttempted):
        return Status.NOT_ATTEMPTED, Fault.STUDENT, exc.message, exc.hint
    if isinstance(exc, StudentTimeout):
        return Status.TIMEOUT, Fault.STUDENT, exc.message, exc.hint
    if isinstance(exc, StudentFailure):
        return Status.ERROR, Fault.STUDENT, exc.message, exc.hint
    if isinstance(exc, CourseFault):
        return Status.ERROR, Fault.COURSE, f"not judged (the course's fault, not yours): {exc.message}", exc.hint
    if isinstance(exc, AssertionError) and when == "call":
        return Status.FAILED, Fault.STUDENT, _first_line(str(exc)) or "a check assertion failed", ""
    where = "its set-up" if when == "setup" else "its clean-up" if when == "teardown" else "the check"
    return (Status.ERROR, Fault.COURSE, f"not judged (the course's fault, not yours): {where} failed with "
            f"{type(exc).__name__}: {_first_line(str(exc))}", "")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport | None:
    """Record each outcome in the collector and word failures as the grader does.

    While grading, failure reports are built here: pytest's own would format a full traceback
    for every failure, which nobody reads. Otherwise pytest builds the report and
    `pytest_runtest_logreport` swaps the traceback for the grader's message.
    """
    grading = item.config.stash.get(GRADING, None)
    if grading is None or not isinstance(item, pytest.Function):
        return None
    when = cast(Literal["setup", "call", "teardown"], call.when)  # items are never collected here
    params = item.callspec.params if hasattr(item, "callspec") else {}
    device = params.get("device", params.get("target_device"))
    device = str(device) if device is not None else None
    if call.excinfo is None:
        if call.when == "call":
            grading.collector.record(item, _Run(Status.PASSED, device=device, duration=call.duration,
                                                output=grading.runner.end_check()))
        if grading.brief_reports:
            return pytest.TestReport(item.nodeid, item.location, {}, "passed", None, when, [],
                                     call.duration, call.start, call.stop)
        return None
    if call.excinfo.errisinstance(pytest.skip.Exception):
        # Still counted in max_score, so a submission's maximum is the same on every machine.
        reason = _first_line(str(getattr(call.excinfo.value, "msg", "") or call.excinfo.value))
        output = grading.runner.end_check() if call.when == "call" else ""
        grading.collector.record(item, _Run(Status.SKIPPED, f"skipped: {reason}" if reason else "skipped",
                                            device=device, duration=call.duration, output=output))
        return None
    status, fault, message, hint = _classify(call.excinfo, call.when)
    output = grading.runner.end_check() if call.when == "call" else ""
    grading.collector.record(item, _Run(status, message, hint, device, call.duration, output, fault))
    longrepr = f"{status}: {message}" + (f"\nhint: {hint}" if hint else "")
    if grading.brief_reports:
        return pytest.TestReport(item.nodeid, item.location, {}, "failed", longrepr, when, [],
                                 call.duration, call.start, call.stop)
    grading.collector.longreprs[(item.nodeid, call.when)] = longrepr
    return None
