"""Opening submissions safely: copies, zips, limits."""

from __future__ import annotations

import os
import shutil
import struct
import zipfile

import pytest

from autograder import submission
from autograder.errors import SubmissionError
from autograder.submission import staged


def test_a_directory_is_copied_without_links_or_caches(tmp_path):
    source = tmp_path / "alice"
    (source / "__pycache__").mkdir(parents=True)
    (source / "mlp.py").write_text("x = 1\n")
    (source / "__pycache__" / "mlp.cpython-311.pyc").write_bytes(b"junk")
    os.symlink("/etc/passwd", source / "passwd.py")
    with staged(source) as copy:
        assert sorted(p.name for p in copy.iterdir()) == ["mlp.py"]
        assert (copy / "mlp.py").read_text() == "x = 1\n"
        assert oct(copy.stat().st_mode & 0o777) == "0o755"
        kept = copy
    assert not kept.exists(), "the copy is removed afterwards"


def test_a_zip_of_a_folder_is_unwrapped(tmp_path):
    archive = tmp_path / "alice.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("alice/mlp.py", "x = 1\n")
        zf.writestr("alice/data/notes.txt", "hi")
        zf.writestr("__MACOSX/alice/._mlp.py", "junk")
    with staged(archive) as copy:
        assert (copy / "mlp.py").exists() and (copy / "data" / "notes.txt").exists()
        assert not (copy / "__MACOSX").exists()


def test_a_copy_of_the_handout_is_graded_as_its_exercises(tmp_path):
    """A student's repository (the hand-out: exercises/ beside the kit and the public checks) or a
    zip of it: its exercises/ is the submission, and nothing else of it is staged."""
    repo = tmp_path / "alice-repo"
    (repo / "exercises").mkdir(parents=True)
    (repo / "exercises" / "mlp.py").write_text("x = 1\n")
    (repo / "tests" / "public").mkdir(parents=True)
    (repo / "tests" / "public" / "test_mlp.py").write_text("")
    (repo / "autograder").mkdir()
    (repo / "autograder" / "__init__.py").write_text("forged = True\n")
    (repo / "README.md").write_text("hand-out")
    with staged(repo) as copy:
        assert sorted(p.name for p in copy.iterdir()) == ["mlp.py"]
    archive = tmp_path / "alice.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in repo.rglob("*"):
            if path.is_file():
                zf.write(path, "alice-repo/" + path.relative_to(repo).as_posix())
    with staged(archive) as copy:
        assert sorted(p.name for p in copy.iterdir()) == ["mlp.py"]


def test_a_folder_with_modules_at_the_top_is_left_as_it_is(tmp_path):
    source = tmp_path / "bob"
    (source / "exercises").mkdir(parents=True)
    (source / "mlp.py").write_text("x = 1\n")
    (source / "exercises" / "views.py").write_text("y = 2\n")
    with staged(source) as copy:
        assert (copy / "mlp.py").exists() and (copy / "exercises" / "views.py").exists()


@pytest.mark.parametrize("name", ["../escape.py", "/etc/evil.py", "a/../../evil.py"])
def test_zip_paths_that_escape_are_refused(tmp_path, name):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(name, "x = 1\n")
    with pytest.raises(SubmissionError, match="unsafe path"), staged(archive):
        pass


def test_zip_symlinks_are_refused(tmp_path):
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("mlp.py")
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(SubmissionError, match="symbolic link"), staged(archive):
        pass


def test_zip_bombs_and_huge_folders_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(submission, "MAX_BYTES", 1000)
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.py", "0" * 100_000)
    assert archive.stat().st_size < 1000
    with pytest.raises(SubmissionError, match="larger than"), staged(archive):
        pass
    folder = tmp_path / "many"
    folder.mkdir()
    monkeypatch.setattr(submission, "MAX_FILES", 3)
    for i in range(5):
        (folder / f"m{i}.py").write_text("")
    with pytest.raises(SubmissionError, match="more than 3 files"), staged(folder):
        pass


def _zip(archive, files, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(archive, "w", compression=compression) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return archive


def _forge_sizes(archive, size):
    """Overwrite every member's uncompressed size, in its local header and in the central directory."""
    data = bytearray(archive.read_bytes())
    forged = 0
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at != -1:
            struct.pack_into("<I", data, at + offset, size)
            forged += 1
            at = data.find(signature, at + 4)
    archive.write_bytes(data)
    return forged


def _staged_bytes(archive):
    """Stage `archive`; return the bytes that were on disk when the copy was removed, and the error if any."""
    seen = []

    def measure(root):
        seen.append(sum(p.stat().st_size for p in root.rglob("*") if p.is_file()))
        shutil.rmtree(root)

    try:
        with staged(archive, remove=measure):
            pass
    except SubmissionError as exc:
        return seen[0], exc
    return seen[0], None


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_zip_size_limit_counts_the_real_bytes_of_all_members_together(tmp_path, monkeypatch, compression):
    monkeypatch.setattr(submission, "MAX_BYTES", 1000)
    over = {f"m{i}.py": "0" * 400 for i in range(4)}  # each member under the limit, 1600 bytes in all
    under = {f"m{i}.py": "0" * 300 for i in range(3)}

    written, error = _staged_bytes(_zip(tmp_path / "over.zip", over, compression))
    assert error is not None and "larger than" in str(error)
    assert written <= 1000, "bytes past the limit are never written"

    written, error = _staged_bytes(_zip(tmp_path / "under.zip", under, compression))
    assert error is None and written == 900

    # Headers that claim one byte per member: the archive is refused, not unpacked to 1600 bytes.
    forged = _zip(tmp_path / "forged-small.zip", over, compression)
    assert _forge_sizes(forged, 1) == 2 * len(over)
    written, error = _staged_bytes(forged)
    assert error is not None and written <= 1000

    # Headers that claim a megabyte per member do not count either: only the bytes that are written.
    forged = _zip(tmp_path / "forged-big.zip", under, compression)
    assert _forge_sizes(forged, 2**20) == 2 * len(under)
    written, error = _staged_bytes(forged)
    assert error is None and written == 900


def _converted(path):
    """A converter standing in for the grader's: `<stem>.ipynb` → a module naming where it came from."""
    return None if path.stem == "notes" else f"FROM = {path.read_text()!r}\n"


def test_notebooks_become_modules_that_win_over_a_py_of_the_same_name(tmp_path):
    source = tmp_path / "alice"
    (source / "sub").mkdir(parents=True)
    (source / "mlp.ipynb").write_text("mlp notebook")
    (source / "mlp.py").write_text("FROM = 'the .py'\n")
    (source / "views.ipynb").write_text("views notebook")
    (source / "notes.ipynb").write_text("left alone")
    (source / "sub" / "padding.ipynb").write_text("not at the top")
    with staged(source, notebooks=_converted) as copy:
        assert sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file()) == \
            ["mlp.py", "notes.ipynb", "sub/padding.ipynb", "views.py"]
        assert (copy / "mlp.py").read_text() == "FROM = 'mlp notebook'\n"
        assert (copy / "views.py").read_text() == "FROM = 'views notebook'\n"
    assert (source / "mlp.py").read_text() == "FROM = 'the .py'\n", "the student's files are never touched"


def test_a_single_notebook_a_zip_of_notebooks_and_no_converter(tmp_path):
    notebook = tmp_path / "mlp.ipynb"
    notebook.write_text("{}")
    with staged(notebook, notebooks=_converted) as copy:
        assert [p.name for p in copy.iterdir()] == ["mlp.py"]
    with staged(notebook) as copy:
        assert [p.name for p in copy.iterdir()] == ["mlp.ipynb"], "without a converter a notebook is a file"
    archive = _zip(tmp_path / "alice.zip", {"alice/mlp.ipynb": "{}", "alice/views.ipynb": "{}"})
    with staged(archive, notebooks=_converted) as copy:
        assert sorted(p.name for p in copy.iterdir()) == ["mlp.py", "views.py"]


def test_a_notebook_that_cannot_be_converted_fails_the_submission_and_the_copy_is_removed(tmp_path):
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "mlp.ipynb").write_text("")
    roots = []

    def refuse(path):
        roots.append(path.parents[1])
        raise SubmissionError(f"{path.name} is empty, not a notebook")

    with pytest.raises(SubmissionError, match=r"^mlp\.ipynb is empty"), staged(tmp_path / "alice", notebooks=refuse):
        pass
    assert roots and not roots[0].exists()


def test_modules_alone_never_call_the_converter(tmp_path):
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "mlp.py").write_text("x = 1\n")

    def never(path):
        raise AssertionError("called")

    with staged(tmp_path / "alice", notebooks=never) as copy:
        assert (copy / "mlp.py").read_text() == "x = 1\n"
