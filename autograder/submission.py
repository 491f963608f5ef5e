"""Opening a submission: a directory, a .zip of one, or a single .py or .ipynb file.

The grader never works on the student's files in place. `staged` copies what it needs into a
private temporary directory, refusing links, paths that escape, and archives that are too big
(a zip bomb costs a one-line error, not a full disk). Notebooks in the copy are turned into
modules by a converter the caller hands in (this module knows nothing of courses or nbformat).
"""

from __future__ import annotations

import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from autograder.errors import SubmissionError

__all__ = ["MAX_BYTES", "MAX_FILES", "SKIPPED_NAMES", "NotebookConverter", "check_limits", "staged"]

#: Largest submission accepted, unpacked.
MAX_BYTES = 50 * 2**20
#: Most files a submission may hold.
MAX_FILES = 500
#: Folders a submission's copy leaves out (caches, version control, archivers' litter).
SKIPPED_NAMES = {"__pycache__", ".git", ".ipynb_checkpoints", "__MACOSX"}
#: Turns a staged notebook (`<exercise>.ipynb`) into the source of `<exercise>.py`, or returns None to
#: leave the notebook alone; raises SubmissionError for a notebook that cannot be read.
NotebookConverter = Callable[[Path], str | None]


def _remove(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)


@contextmanager
def staged(submission: Path, *, remove: Callable[[Path], object] = _remove,
           notebooks: NotebookConverter | None = None) -> Iterator[Path]:
    """Yield a private copy of the submission as a directory; delete it afterwards.

    Args:
        remove: deletes the copy's root directory (a grader hands this to a background thread).
        notebooks: converts each notebook at the top of the copy into the module of the same stem,
            which replaces a `.py` of that name (the notebook wins); the converted notebook is
            removed from the copy. Without it, notebooks stay plain files.

    Raises:
        SubmissionError: it does not exist, is not a directory/zip/.py/.ipynb, is unsafe or too big,
            or holds a notebook the converter cannot read.
    """
    if not submission.exists():
        raise SubmissionError(f"{submission} does not exist")
    root = Path(tempfile.mkdtemp(prefix="autograder-stage-"))
    target = root / "submission"
    target.mkdir()
    try:
        if submission.is_dir():
            _copy_dir(submission, target)
        elif submission.suffix == ".zip":
            _extract_zip(submission, target)
        elif submission.suffix in (".py", ".ipynb"):
            check_limits(submission, 1, submission.stat().st_size)
            shutil.copyfile(submission, target / submission.name)
        else:
            raise SubmissionError(f"{submission} is not a directory, a .zip, a .py or an .ipynb file")
        _unwrap(target)
        if notebooks is not None:
            _convert_notebooks(target, notebooks)
        _make_readable(root)
        yield target
    finally:
        remove(root)


def _copy_dir(source: Path, target: Path) -> None:
    count = size = 0
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if SKIPPED_NAMES.intersection(relative.parts) or path.is_symlink():
            continue
        if path.is_dir():
            (target / relative).mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            count, size = count + 1, size + path.stat().st_size
            check_limits(source, count, size)
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / relative)


def _extract_zip(archive: Path, target: Path) -> None:
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SubmissionError(f"{archive.name} is not a readable zip file ({exc})") from None
    with zf:
        members = [m for m in zf.infolist() if not SKIPPED_NAMES.intersection(PurePosixPath(m.filename).parts)]
        count = 0
        for member in members:
            name = PurePosixPath(member.filename)
            if name.is_absolute() or ".." in name.parts or "\\" in member.filename:
                raise SubmissionError(f"{archive.name} holds an unsafe path: {member.filename}")
            if stat.S_ISLNK(member.external_attr >> 16):
                raise SubmissionError(f"{archive.name} holds a symbolic link: {member.filename}")
            if not member.is_dir():
                count += 1
                check_limits(archive, count, 0)
        # The size limit counts the real bytes written, all members together: the sizes in the
        # headers are the archive's own claims.
        written = 0
        for member in members:
            destination = target.joinpath(*PurePosixPath(member.filename).parts)
            try:
                if member.is_dir():
                    destination.mkdir(parents=True, exist_ok=True)
                    continue
                destination.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as reader, open(destination, "wb") as writer:
                    while chunk := reader.read(1 << 20):
                        written += len(chunk)
                        check_limits(archive, count, written)
                        writer.write(chunk)
            # A corrupt member (a bad CRC, a forged size, an unknown compression, a password) or
            # one that clashes with another (a file where a folder is) is the submission's problem.
            except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError, RuntimeError, ValueError,
                    OSError) as exc:
                raise SubmissionError(f"{archive.name} cannot be unpacked: {member.filename} ({exc})") from None


def _unwrap(target: Path) -> None:
    """Grade the folder that holds the modules: a zip of one folder is graded as that folder, and
    a copy of the hand-out (a student's repository: `exercises/` beside the kit and the public
    checks, no module at the top) as its `exercises/`."""
    if any(target.glob("*.py")) or any(target.glob("*.ipynb")):
        return
    entries = list(target.iterdir())
    if len(entries) == 1 and entries[0].is_dir():
        inner = entries[0]
    elif (target / "exercises").is_dir():
        inner = target / "exercises"
    else:
        return
    keep = target / ".unwrapped"
    inner.rename(keep)
    for other in list(target.iterdir()):
        if other != keep:
            shutil.rmtree(other) if other.is_dir() else other.unlink()
    for child in keep.iterdir():
        child.rename(target / child.name)
    keep.rmdir()
    _unwrap(target)


def _convert_notebooks(target: Path, convert: NotebookConverter) -> None:
    # Only the top level: exercise modules are imported from there.
    for notebook in sorted(target.glob("*.ipynb")):
        if not notebook.is_file():
            continue
        source = convert(notebook)
        if source is None:
            continue
        # The notebook wins over a .py of the same exercise: in an nbgrader course the notebook is
        # what was handed out and collected, and a .py beside it is an export or a course file.
        try:
            notebook.with_suffix(".py").write_text(source, encoding="utf-8")
        except OSError as exc:  # a folder of that name, say
            raise SubmissionError(f"{notebook.name} cannot become {notebook.stem}.py ({exc.strerror})") from None
        # The child needs only the module; a notebook's outputs (images) can be megabytes.
        notebook.unlink()


def check_limits(source: Path, count: int, size: int) -> None:
    """Raise SubmissionError once `count` files or `size` bytes are over the limits."""
    if count > MAX_FILES:
        raise SubmissionError(f"{source.name} holds more than {MAX_FILES} files")
    if size > MAX_BYTES:
        raise SubmissionError(f"{source.name} is larger than {MAX_BYTES // 2**20} MiB")


def _make_readable(root: Path) -> None:
    """The student's process runs as another user: it must be able to read the copy."""
    root.chmod(0o755)
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
