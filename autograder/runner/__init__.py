"""Running student code: `make_runner` builds the one `Runner` in its two configurations.

This package's top level imports no torch, so the command line can start the sandbox's zygote
(whose warm-up is a torch import) before the grader pays for its own import of torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from autograder.runner.client import Runner

__all__ = ["RunnerKind", "make_runner"]

RunnerKind = Literal["sandbox", "inprocess"]


def make_runner(kind: RunnerKind, *, hide: Sequence[str] = (), preload: Sequence[str] = ("torch",)) -> Runner:
    """A runner whose children start at once (a zygote begins importing torch right away).

    Args:
        kind: "sandbox" (student code in confined child processes) or "inprocess" (inside the
            grader, unprotected: for debugging checks).
        hide: directories student code must never see (the course).
        preload: libraries a zygote imports before forking children (`Course.preload`).

    Raises:
        UsageError: an unknown kind.
    """
    from autograder.runner.factory import ChildFactory
    from autograder.runner.policy import Policy, default_policy

    factory: ChildFactory

    if kind == "inprocess":
        from autograder.runner.inprocess import InProcessFactory

        factory, policy = InProcessFactory(), Policy(namespaces=False)
    elif kind == "sandbox":
        from autograder.runner.factory import default_factory

        policy = default_policy(hide=tuple(hide), preload=tuple(preload))
        factory = default_factory(policy.preload)
    else:
        from autograder.errors import UsageError

        raise UsageError(f"runner must be 'sandbox' or 'inprocess', got {kind!r}")
    from autograder.runner.client import Runner  # imports torch, while the zygote does too

    return Runner(factory, policy)
