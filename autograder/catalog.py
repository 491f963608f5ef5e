"""The course: its exercises and the check files that grade them.

A course is a directory laid out as::

    solutions/<exercise>.py        reference solutions with solution markers (the single source)
    exercises/<exercise>.py        student stubs generated from them
    tests/public/test_<exercise>.py   checks students see
    tests/hidden/test_<exercise>.py   checks only graders run

An exercise's title and explanation are the first line and the rest of its module docstring,
read without importing the module.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from autograder.errors import CourseError, UsageError

__all__ = ["Course", "Exercise", "describe", "is_exercise_module"]

#: Environment variable naming the course directory when --course is not given.
COURSE_ENV = "AUTOGRADER_COURSE"
#: Libraries the sandbox loads into its warm zygote when the course's modules import them
#: (torch always). Installed packages only: never a module of the course itself.
PRELOADABLE = frozenset({"torchvision", "torchaudio", "numpy", "scipy", "pandas", "sklearn", "matplotlib"})


def is_exercise_module(path: Path) -> bool:
    """Whether a file of solutions/ or exercises/ is an exercise students write.

    Modules whose name starts with "_" (`_helpers.py`, `__init__.py`) are the course's own code:
    never an exercise, never stubbed, never graded.
    """
    return path.suffix == ".py" and not path.name.startswith("_")


@dataclass(frozen=True, slots=True)
class Exercise:
    """One exercise: one module that students write."""

    #: module name, the same in solutions/, exercises/ and a submission (e.g. "mlp")
    name: str
    title: str
    explanation: str
    #: check files, public first
    public_checks: Path | None
    hidden_checks: Path | None

    def check_files(self, *, hidden: bool) -> tuple[Path, ...]:
        files = [self.public_checks] + ([self.hidden_checks] if hidden else [])
        return tuple(f for f in files if f is not None)


@dataclass(frozen=True, slots=True)
class Course:
    """A course directory (see the module docstring for its layout)."""

    root: Path

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def exercises_dir(self) -> Path:
        return self.root / "exercises"

    @property
    def tests(self) -> Path:
        return self.root / "tests"

    @property
    def public(self) -> Path:
        return self.tests / "public"

    @property
    def hidden(self) -> Path:
        return self.tests / "hidden"

    @property
    def has_solutions(self) -> bool:
        return self.solutions.is_dir()

    @classmethod
    def find(cls, explicit: str | os.PathLike[str] | None = None) -> Course:
        """The course at `explicit`, else $AUTOGRADER_COURSE, else the nearest parent of the
        working directory that has `tests/public/`."""
        if explicit is None:
            explicit = os.environ.get(COURSE_ENV) or None
        if explicit is not None:
            root = Path(explicit).resolve()
            if not (root / "tests" / "public").is_dir():
                raise UsageError(f"{explicit} is not a course directory (no tests/public/)")
            return cls(root)
        here = Path.cwd().resolve()
        for candidate in (here, *here.parents):
            if (candidate / "tests" / "public").is_dir():
                return cls(candidate)
        raise UsageError(
            "no course found: run inside a course directory (one with tests/public/) "
            "or pass --course DIR"
        )

    def solution_source(self, exercise: str) -> str | None:
        """The source of an exercise's reference solution module, or None where the course has
        none (a student's copy, without solutions/)."""
        path = self.solutions / f"{exercise}.py"
        try:
            return path.read_text(encoding="utf-8") if is_exercise_module(path) else None
        except FileNotFoundError:
            return None

    def exercises(self) -> tuple[Exercise, ...]:
        """Every exercise, in name order: the modules of solutions/ (or exercises/ without it)."""
        source = self.solutions if self.has_solutions else self.exercises_dir
        if not source.is_dir():
            raise CourseError(f"{self.root} has neither solutions/ nor exercises/")
        found = []
        for module in sorted(source.glob("*.py")):
            if not is_exercise_module(module):
                continue
            title, explanation = _describe(module)
            public = self.public / f"test_{module.stem}.py"
            hidden = self.hidden / f"test_{module.stem}.py"
            found.append(Exercise(
                name=module.stem,
                title=title,
                explanation=explanation,
                public_checks=public if public.is_file() else None,
                hidden_checks=hidden if hidden.is_file() else None,
            ))
        if not found:
            raise CourseError(f"{source} holds no exercise modules")
        return tuple(found)

    def preload(self) -> tuple[str, ...]:
        """What the sandbox's zygote imports before forking students' processes: torch, and the
        `PRELOADABLE` libraries the exercise modules import. Only what the course uses: every
        library loaded makes each student process dearer to fork and to end."""
        source = self.solutions if self.has_solutions else self.exercises_dir
        used: set[str] = set()
        for module in source.glob("*.py"):
            try:
                tree = ast.parse(module.read_text(encoding="utf-8"))
            except (SyntaxError, OSError, UnicodeDecodeError):
                continue  # reported where the exercise is described
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    used.update(alias.name.partition(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    used.add(node.module.partition(".")[0])
        return ("torch", *sorted(used & PRELOADABLE))

    def select(self, names: Iterable[str] | None) -> tuple[Exercise, ...]:
        """The exercises named (all when `names` is empty), in course order."""
        every = self.exercises()
        wanted = list(names or ())
        if not wanted:
            return every
        known = {ex.name: ex for ex in every}
        unknown = [n for n in wanted if n.removesuffix(".py") not in known]
        if unknown:
            raise UsageError(
                f"unknown exercise {', '.join(unknown)} (choose from {', '.join(known)})"
            )
        chosen = {n.removesuffix(".py") for n in wanted}
        return tuple(ex for ex in every if ex.name in chosen)


def _describe(module: Path) -> tuple[str, str]:
    try:
        tree = ast.parse(module.read_text(encoding="utf-8"), filename=str(module))
    except SyntaxError as exc:
        raise CourseError(f"{module}:{exc.lineno}: {exc.msg}") from None
    return describe(tree, module.stem)


def describe(tree: ast.Module, name: str) -> tuple[str, str]:
    """An exercise module's title and explanation: the first line and the rest of its docstring
    (the title is the module's `name` when there is no docstring)."""
    doc = ast.get_docstring(tree) or ""
    title, _, rest = doc.partition("\n")
    return title.strip() or name, rest.strip()
