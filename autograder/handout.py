"""The students' hand-out: what `autograder release OUT` writes, as a directory and a `.zip`.

It holds the stubs (`exercises/`), the public checks, the kit that runs them (`autograder/`
with a `pyproject.toml`, so `pip install .` there gives a student `autograder check`) and a README
for students. Nothing of `solutions/` or `tests/hidden/` goes in: the hand-out is built from the
pieces of `bundle` that exclude them, never by copying the course and deleting.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autograder.bundle import copy_course, copy_kit, prepare_output, render, zip_tree
from autograder.catalog import Course
from autograder.errors import UsageError

__all__ = ["Handout", "write_handout"]

#: Written into the hand-out so that a student's repository made from it stays clean.
_GITIGNORE = "__pycache__/\n*.egg-info/\nbuild/\n.ipynb_checkpoints/\n"


@dataclass(frozen=True, slots=True)
class Handout:
    """What `write_handout` wrote."""

    root: Path
    archive: Path
    exercises: tuple[str, ...]


def write_handout(course: Course, out: Path) -> Handout:
    """Write the hand-out into the new directory `out` and zip it to `out.zip` (entries under
    `out.name/`, so that unpacking makes one folder)."""
    out = out.resolve()
    archive = out.with_name(f"{out.name}.zip")
    if archive.exists():
        raise UsageError(f"{archive} already exists; remove it or choose another OUT")
    exercises = course.exercises()
    root = prepare_output(out)
    copy_course(course, root, hidden=False)
    copy_kit(root)
    (root / ".gitignore").write_text(_GITIGNORE, encoding="utf-8")
    (root / "README.md").write_text(render("handout_README.md.j2", course=root.name, exercises=exercises,
                                           public=[ex.name for ex in exercises if ex.public_checks]),
                                    encoding="utf-8")
    zip_tree(root, archive, prefix=root.name)
    return Handout(root=root, archive=archive, exercises=tuple(ex.name for ex in exercises))
