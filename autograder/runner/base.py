"""The runner interface: where and how the student's code runs.

Like an HTTP transport, a runner is swappable and the checks never know which one they have:
they talk to student code only through `Remote` handles (see `proxy`) and the helpers in
`autograder.checks`, which call the methods below.

* `SandboxRunner` runs it in a confined child forked from a warm zygote;
* `InProcessRunner` runs it inside the grader (for debugging: no protection at all).

Both are `remote.RemoteRunner`s: arguments and results cross by copy through the codec.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograder.result import SandboxReport
from autograder.runner.environment import Environment

if TYPE_CHECKING:
    from autograder.runner.proxy import Remote

__all__ = ["Runner"]


class Runner(ABC):
    """Runs one submission at a time; reusable for many (`load` … `unload`)."""

    def __init__(self) -> None:
        self._environment = Environment()

    # -- submission life cycle
    @abstractmethod
    def load(self, submission: Path) -> None:
        """Prepare to run the submission staged in `submission` (a private copy)."""

    @abstractmethod
    def unload(self) -> None:
        """Stop everything that runs code of the current submission."""

    @abstractmethod
    def begin_check(self, *, seed: int, time_limit: float) -> None:
        """A check starts: reseed the student's random generators and start its clock."""

    @abstractmethod
    def end_check(self) -> str:
        """The check is over: return what the student's code printed during it (capped)."""

    @property
    @abstractmethod
    def report(self) -> SandboxReport:
        """How the current submission is isolated."""

    def close(self) -> None:
        """Release everything (processes, temporary files)."""
        self.unload()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- operations on student objects (called by `Remote` and `autograder.checks`)
    @abstractmethod
    def import_module(self, name: str, *, library: bool = False) -> Any:
        """The submission's module `name` (or, with `library`, a preloaded library)."""

    @abstractmethod
    def getattr(self, target: Remote, name: str) -> Any: ...

    @abstractmethod
    def setattr(self, target: Remote, name: str, value: Any) -> None: ...

    @abstractmethod
    def call(self, target: Remote, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any: ...

    @abstractmethod
    def probe(self, name: str, *args: Any) -> Any:
        """Run an identity probe (see `probes`) where the objects live."""

    @abstractmethod
    def hold(self, value: Any) -> Remote:
        """Put a copy of `value` where student code runs; return a handle to that copy."""

    @abstractmethod
    def fetch(self, target: Remote) -> Any:
        """The current value of a student object, as plain data."""

    # -- environment controls
    @property
    def environment(self) -> Environment:
        return self._environment

    @contextmanager
    def environment_changed(self, **changes: Any) -> Iterator[None]:
        """Apply environment controls to student calls made inside the block."""
        previous = self._environment
        self._environment = previous.merged(**changes)
        try:
            yield
        finally:
            self._environment = previous
