"""The course: its exercises and the check files that grade them.

A course is a directory laid out as::

    solutions/<exercise>.py        reference solutions with solution markers (the single source)
    exercises/<exercise>.py        student stubs generated from them
    tests/public/test_<exercise>.py   checks students see
    tests/hidden/test_<exercise>.py   checks only graders run
    autograder.toml                the grading settings, optional (see `Course.settings`)

An exercise's title and explanation are the first line and the rest of its module docstring,
read without importing the module.
"""

from __future__ import annotations

import ast
import math
import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from autograder.errors import CourseError, UsageError

__all__ = ["Course", "Exercise", "Settings", "describe", "is_exercise_module"]

#: Environment variable naming the course directory when --course is not given.
COURSE_ENV = "AUTOGRADER_COURSE"
#: Libraries the sandbox loads into its warm zygote when the course's modules import them
#: (torch always). Installed packages only: never a module of the course itself.
PRELOADABLE = frozenset({"torchvision", "torchaudio", "numpy", "scipy", "pandas", "sklearn", "matplotlib"})
#: The course's settings file, at its root; optional (see `Course.settings`).
SETTINGS_FILE = "autograder.toml"
#: Seconds each run of a check may take, per check and device, unless the course says otherwise.
DEFAULT_TIME_LIMIT = 10.0
#: Seconds for a whole submission unless the course says otherwise. Generous for honest code: the
#: reference of this repository's six exercises (48 checks) grades in 0.2-1 s warm, so a
#: submission meets it only when it is over 100 times slower throughout. Tight enough to bound a
#: batch: a submission costs at most this plus one time limit, where code that crawls in every
#: check (9 s each, inside its time limit) would take 48 × 9 s. Time spent waiting for the sandbox
#: to start (a cold zygote, a loaded machine) is not counted.
DEFAULT_BUDGET = 120.0


@dataclass(frozen=True, slots=True)
class Settings:
    """How a course is graded: the ``[grading]`` table of its ``autograder.toml``::

        [grading]
        time_limit = 10     # seconds each run of a check may take (per check and device)
        budget = 120        # seconds for a whole submission; checks starting later time out
                            # (inf: no cap)

    Every key is optional; an absent file is all defaults. A check's ``time_limit`` marker wins
    over `time_limit`; `Grader` arguments and the command line's options win over both.
    """

    #: seconds each run of a check may take (per check and device)
    time_limit: float = DEFAULT_TIME_LIMIT
    #: seconds for a whole submission, checks starting later time out (None: no cap)
    budget: float | None = DEFAULT_BUDGET


def _seconds(path: Path, key: str, value: Any, *, infinite: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) or value <= 0 \
            or (math.isinf(value) and not infinite):
        allowed = "a positive number of seconds" + (" (or inf)" if infinite else "")
        raise CourseError(f"{path}: [grading] {key} must be {allowed}, got {value!r}")
    return float(value)


def _read_settings(path: Path) -> Settings:
    """The settings in the file `path` (all defaults when there is none).

    Raises:
        CourseError: the file is not TOML, or holds an unknown key or an invalid value.
    """
    try:
        with path.open("rb") as stream:
            data = tomllib.load(stream)
    except FileNotFoundError:
        return Settings()
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise CourseError(f"{path}: cannot read the course's settings: {exc}") from None
    known = [f.name for f in fields(Settings)]
    unknown = [key for key in data if key != "grading"]
    if unknown:
        raise CourseError(f"{path}: unknown key {unknown[0]!r} (the settings are {', '.join(known)}, "
                          "in the table [grading])")
    grading = data.get("grading", {})
    if not isinstance(grading, dict):
        raise CourseError(f"{path}: grading must be a table ([grading]), got {grading!r}")
    unknown = [key for key in grading if key not in known]
    if unknown:
        raise CourseError(f"{path}: unknown key {unknown[0]!r} in [grading] (known: {', '.join(known)})")
    settings = Settings()
    if "time_limit" in grading:
        settings = replace(settings, time_limit=_seconds(path, "time_limit", grading["time_limit"], infinite=False))
    if "budget" in grading:
        budget = _seconds(path, "budget", grading["budget"], infinite=True)
        settings = replace(settings, budget=None if math.isinf(budget) else budget)
    return settings


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

    def settings(self) -> Settings:
        """The course's grading settings, from `autograder.toml` at its root (see `Settings`).

        Raises:
            CourseError: the file is not TOML, or holds an unknown key or an invalid value.
        """
        return _read_settings(self.root / SETTINGS_FILE)

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

    def preload(self, only: Iterable[str] | None = None) -> tuple[str, ...]:
        """What the sandbox's zygote imports before forking students' processes: torch, and the
        `PRELOADABLE` libraries the exercise modules (and their checks, which may build objects
        with them in the student's process) import; with `only`, those of these exercises alone.
        Only what is used: every library loaded makes each student process dearer to fork and to
        end."""
        source = self.solutions if self.has_solutions else self.exercises_dir
        wanted = {name.removesuffix(".py") for name in only or ()}
        files = [module for module in source.glob("*.py")
                 if not wanted or module.stem in wanted or not is_exercise_module(module)]
        files += [folder / f"test_{module.stem}.py" for module in files for folder in (self.public, self.hidden)
                  if (folder / f"test_{module.stem}.py").is_file()]
        used: set[str] = set()
        for module in files:
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
