"""`autograder release`: the students' hand-out holds no answers, and its local grader runs.

The hand-out is installed as its README tells students (`pip install .`, into a virtual
environment that borrows torch from this machine's site-packages), from the unpacked zip in a
fresh directory, and `autograder check` grades there: the stubs score 0, the reference full marks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, hidden_check_names, solution_lines

from autograder.catalog import Course
from autograder.cli import ExitCode, main
from autograder.handout import Handout, write_handout


@pytest.fixture(scope="module")
def handout(tmp_path_factory: pytest.TempPathFactory) -> Handout:
    return write_handout(Course(ROOT), tmp_path_factory.mktemp("release") / "pytorch-basics")


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_handout_holds_the_stubs_public_checks_kit_and_readme(handout):
    files = _files(handout.root)
    course = Course(ROOT)
    names = [ex.name for ex in course.exercises()]
    assert handout.exercises == tuple(names)
    assert sorted(p for p in files if p.startswith("exercises/")) == sorted(f"exercises/{n}.py" for n in names)
    assert sorted(p for p in files if p.startswith("tests/")) == sorted(
        f"tests/public/{p.name}" for p in course.public.glob("test_*.py"))
    for name in names:  # stubs made afresh from solutions/, as `autograder stubs` makes them
        assert files[f"exercises/{name}.py"] == (ROOT / "exercises" / f"{name}.py").read_bytes()
    assert "autograder/cli.py" in files and "autograder/templates/result.md.j2" in files
    assert not [p for p in files if "__pycache__" in p or p.endswith(".pyc")]
    readme = files["README.md"].decode()
    for step in ("python3 -m pip install .", "autograder check", "Hand in"):
        assert step in readme
    for exercise in course.exercises():
        assert f"`exercises/{exercise.name}.py`" in readme and exercise.title in readme


def test_the_zip_holds_the_same_files_under_one_folder(handout):
    with zipfile.ZipFile(handout.archive) as zf:
        zipped = {info.filename: zf.read(info) for info in zf.infolist()}
    assert zipped == {f"pytorch-basics/{name}": data for name, data in _files(handout.root).items()}


def test_the_zip_is_the_same_bytes_when_made_again(handout, tmp_path):
    again = write_handout(Course(ROOT), tmp_path / "pytorch-basics")
    assert again.archive.read_bytes() == handout.archive.read_bytes()


def test_the_handout_holds_no_solution_line_and_no_hidden_check(handout):
    text = "\n".join(data.decode("utf-8", "replace") for data in _files(handout.root).values())
    with zipfile.ZipFile(handout.archive) as zf:
        text += "\n".join(zf.read(info).decode("utf-8", "replace") for info in zf.infolist())
    lines = solution_lines(Course(ROOT))
    names = hidden_check_names(Course(ROOT))
    assert len(lines) > 50 and len(names) > 30, "the search must look for something"
    assert [line for line in lines if line in text] == []
    assert [name for name in names if name in text] == []


def test_release_refuses_to_write_over_a_directory(tmp_path, capsys):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    assert main(["release", str(tmp_path / "out"), "--course", str(ROOT)]) == ExitCode.USAGE_ERROR
    assert "already exists" in capsys.readouterr().err
    assert (tmp_path / "out" / "notes.txt").read_text() == "mine"
    assert not (tmp_path / "out.zip").exists()


def _run(command: list[str | Path], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


def test_the_unpacked_handout_installs_and_its_local_grader_runs(handout, tmp_path):
    fresh = tmp_path / "student"
    fresh.mkdir()
    with zipfile.ZipFile(handout.archive) as zf:
        zf.extractall(fresh)
    work = fresh / "pytorch-basics"
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AUTOGRADER_COURSE")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # torch and the other requirements come from this machine (no network): hence the system site
    # and --no-deps; --no-build-isolation builds with the setuptools already here (the system pip
    # and setuptools: the venv gets none of its own, whose setuptools may be too old to build wheels).
    _run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv], cwd=tmp_path, env=env)
    python, autograder = venv / "bin" / "python", venv / "bin" / "autograder"
    _run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "."], cwd=work, env=env)
    where = _run([python, "-c", "import autograder; print(autograder.__file__)"], cwd=tmp_path, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv), "the hand-out's kit is the one installed"

    stubs = json.loads(_run([autograder, "check", "--format", "json"], cwd=work, env=env).stdout)
    checks = [c for ex in stubs["exercises"] for c in ex["checks"]]
    assert stubs["score"] == 0 and stubs["max_score"] > 0 and len(checks) > 10
    assert {c["status"] for c in checks} == {"not_attempted"}
    assert {c["id"].split("/")[0] for c in checks} == {"public"}

    for solution in (ROOT / "solutions").glob("*.py"):  # the student finishes every exercise
        (work / "exercises" / solution.name).write_bytes(solution.read_bytes())
    done = json.loads(_run([autograder, "check", "--format", "json"], cwd=work, env=env).stdout)
    assert done["score"] == done["max_score"] == stubs["max_score"]
