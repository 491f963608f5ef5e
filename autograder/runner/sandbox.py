"""The sandbox runner: each exercise's student code in a confined child process.

Children are forked from a warm zygote that has already imported torch (`_zygote`) and confine
themselves on the way (`_jail`): their own network, PID and mount namespaces, the course hidden,
an unprivileged uid and resource limits. Where fork is not used (macOS, Windows) children are
fresh interpreters with time and resource limits only (`factory.SpawnFactory`).
"""

from __future__ import annotations

from autograder.runner.factory import ChildFactory, default_factory
from autograder.runner.policy import Policy, default_policy
from autograder.runner.remote import RemoteRunner

__all__ = ["SandboxRunner"]


class SandboxRunner(RemoteRunner):
    """Runs student code in confined child processes (see the module docstring)."""

    def __init__(self, policy: Policy | None = None, *, factory: ChildFactory | None = None) -> None:
        """
        Args:
            policy: limits for the children (default: `policy.default_policy()`).
            factory: how children start (default: a zygote where fork is safe, else spawning);
                pass one that is already warming up to overlap its start with other work.
        """
        policy = policy or default_policy()
        super().__init__(factory if factory is not None else default_factory(policy.preload), policy)
