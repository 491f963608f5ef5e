"""Copies of the course and of the kit that leave this machine: the students' hand-out
(`handout`) and the CI bundles (`ci`) are assembled from these pieces.

Every piece is made from its one source: stubs are stripped from `solutions/` afresh (never
copied from `exercises/`, which may be stale), the kit is copied from the package being run, and
its `pyproject.toml` is written from the installed distribution's own metadata (version,
requirements), so a copy installs exactly the kit that made it.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
from pathlib import Path

from autograder.catalog import SETTINGS_FILE, Course
from autograder.errors import CourseError, UsageError
from autograder.stubs import strip_solutions

__all__ = ["DISTRIBUTION", "copy_course", "copy_kit", "kit_version", "prepare_output", "render", "zip_tree"]

#: The kit's distribution name (what `pip` installs).
DISTRIBUTION = "torch-autograder"
_PACKAGE = Path(__file__).resolve().parent
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")
#: Zip entries get this timestamp, so the same input makes the same archive, byte for byte.
_EPOCH = (1980, 1, 1, 0, 0, 0)


def kit_version() -> str:
    """The installed kit's version ("unknown" when it runs from a source tree not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "unknown"


def render(template_name: str, /, **values: object) -> str:
    """Render a jinja2 template of the kit (`autograder/templates/<name>`; undefined names are an
    error, not blank text)."""
    import jinja2

    environment = jinja2.Environment(loader=jinja2.PackageLoader("autograder", "templates"),
                                     undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    return environment.get_template(template_name).render(**values)


def prepare_output(out: Path) -> Path:
    """`out` as a new, empty directory: nothing already there is written over."""
    out = out.resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"{out} already exists and is not an empty directory; choose a new one")
    out.mkdir(parents=True, exist_ok=True)
    return out


def copy_course(course: Course, dest: Path, *, hidden: bool) -> None:
    """The course as `autograder check` (and, with `hidden`, `autograder grade`) reads it.

    Always: fresh stubs in `exercises/`, the public checks and the course's settings
    (`autograder.toml`, where it has one: its time limits hold wherever it is graded). With
    `hidden`: `solutions/` and `tests/hidden/` too. Helper modules (`solutions/_helpers.py`) go
    only where solutions go.
    """
    if not course.has_solutions:
        raise CourseError(f"{course.root} has no solutions/: a bundle is made from the course's own copy")
    course.settings()  # a broken settings file stops here, not where the copy is graded
    if (course.root / SETTINGS_FILE).is_file():
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy2(course.root / SETTINGS_FILE, dest / SETTINGS_FILE)
    exercises = dest / "exercises"
    exercises.mkdir(parents=True)
    for exercise in course.exercises():
        source = course.solutions / f"{exercise.name}.py"
        stub = strip_solutions(source.read_text(encoding="utf-8"), filename=str(source))
        (exercises / source.name).write_text(stub, encoding="utf-8")
    _copy_checks(course.public, dest / "tests" / "public")
    if hidden:
        _copy_checks(course.hidden, dest / "tests" / "hidden")
        shutil.copytree(course.solutions, dest / "solutions", ignore=_IGNORE)


def _copy_checks(source: Path, dest: Path) -> None:
    dest.mkdir(parents=True)
    if source.is_dir():
        for path in sorted(source.glob("*.py")):
            shutil.copy2(path, dest / path.name)


def copy_kit(dest: Path) -> None:
    """The kit that is running, installable from `dest` with `pip install DEST`: its package
    (`dest/autograder/`) and a `pyproject.toml` with the installed distribution's version and
    requirements (its development extras left out)."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution(DISTRIBUTION)
    except PackageNotFoundError:
        raise UsageError(f"the kit is not installed (no {DISTRIBUTION} distribution): install it with "
                         "`pip install -e .` in its checkout first, so that the copy knows its requirements") \
            from None
    requirements = [r for r in dist.requires or [] if "extra ==" not in r]
    shutil.copytree(_PACKAGE, dest / "autograder", ignore=_IGNORE)
    (dest / "pyproject.toml").write_text(
        render("kit_pyproject.toml.j2", name=DISTRIBUTION, version=dist.version, requirements=requirements),
        encoding="utf-8")


def zip_tree(directory: Path, archive: Path, *, prefix: str = "") -> Path:
    """Zip everything under `directory` into `archive`, entries under `prefix/` (or at the root).

    Entries are sorted and dated `_EPOCH`, so rebuilding gives the same bytes; each file keeps its
    permission bits, so scripts stay executable once unpacked (Gradescope runs `run_autograder`
    as unzipped).
    """
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(directory.rglob("*")):
            if not path.is_file() or path.is_symlink():
                continue
            name = path.relative_to(directory).as_posix()
            info = zipfile.ZipInfo(f"{prefix}/{name}" if prefix else name, date_time=_EPOCH)
            info.external_attr = (stat.S_IFREG | stat.S_IMODE(path.stat().st_mode)) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    return archive
