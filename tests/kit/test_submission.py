"""Opening submissions safely: copies, zips, limits."""

from __future__ import annotations

import os
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
