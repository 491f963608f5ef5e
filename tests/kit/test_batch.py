"""`autograder batch`: a real folder of submissions graded by real worker processes into a real
SQLite gradebook; bad input as recorded rows; reruns, changes and --force; SIGKILL at random
moments, then a rerun: every submission graded exactly once."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from conftest import EXERCISES, MAX_SCORE, ROOT

from autograder.batch import GradingOptions, LocalWorkers, course_version, discover, run_batch
from autograder.catalog import Course
from autograder.gradebook import SCHEMA_VERSION, Gradebook
from autograder.result import Status
from autograder.submission import MAX_BYTES


def _zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def make_submissions(folder: Path) -> dict[str, str]:
    """A class: right, wrong and broken submissions; returns student → what each should become."""
    folder.mkdir()
    shutil.copytree(ROOT / "solutions", folder / "alice", ignore=shutil.ignore_patterns("__pycache__"))
    _zip(folder / "bob.zip", {f"exercises/{p.name}": p.read_bytes() for p in (ROOT / "exercises").glob("*.py")})
    shutil.copytree(ROOT / "solutions", folder / "carol", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "exercises" / "views.py", folder / "carol" / "views.py")  # one exercise left undone
    (folder / "dave").mkdir()
    (folder / "dave" / "mlp.py").write_bytes(bytes(range(256)) * 4)  # a binary where a module should be
    (folder / "corrupt.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    (folder / "empty.zip").write_bytes(b"")
    _zip(folder / "escape.zip", {"../../outside.py": b"x = 1\n"})
    with zipfile.ZipFile(folder / "bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mlp.py", b"\0" * (MAX_BYTES + 2**20))  # a few hundred KB packed
    (folder / "erin.py").write_text("")  # a single module, and six exercises are graded
    (folder / "frank smith").mkdir()
    shutil.copy2(ROOT / "solutions" / "mlp.py", folder / "frank smith" / "mlp.py")
    (folder / "notes.txt").write_text("not a submission")
    return {
        "alice": "full", "bob": "zero", "carol": "partial", "dave": "partial-or-zero",
        "corrupt": "not a readable zip file", "empty": "not a readable zip file", "escape": "unsafe path",
        "bomb": "larger than", "erin": f"is a single module, but {len(EXERCISES)} exercises are graded",
        "frank smith": "is not a valid student id", "notes": "is not a directory, a .zip, a .py or an .ipynb",
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str], object]:
    root = tmp_path_factory.mktemp("batch")
    folder = root / "submissions"
    expected = make_submissions(folder)
    gradebook = root / "gradebook.sqlite"
    backend = LocalWorkers(GradingOptions(course=str(ROOT)), workers=2)
    summary = run_batch(Course(ROOT), folder, gradebook=gradebook, backend=backend)
    return folder, gradebook, expected, summary


def _rows(gradebook: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(gradebook) as db:
        return db.execute("SELECT student_id, content_hash, status FROM submissions ORDER BY id").fetchall()


def test_every_submission_is_one_row_with_its_grade(graded):
    _, gradebook, expected, summary = graded
    with Gradebook(gradebook, create=False) as book:
        latest = {r.student: r for r in book.latest()}
    assert set(latest) == set(expected)
    assert sorted(s for s, _, _ in _rows(gradebook)) == sorted(expected), "one row per submission"
    alice, bob, carol, dave = (latest[s].result for s in ("alice", "bob", "carol", "dave"))
    assert alice is not None and alice.score == alice.max_score > 0
    assert bob is not None and bob.score == 0 and {c.status for c in bob.checks} == {Status.NOT_ATTEMPTED}
    assert carol is not None and 0 < carol.score < carol.max_score
    assert {c.status for ex in carol.exercises if ex.name == "views" for c in ex.checks} == {Status.NOT_ATTEMPTED}
    assert dave is not None and dave.score < dave.max_score
    mlp = [c for ex in dave.exercises if ex.name == "mlp" for c in ex.checks]
    assert mlp and all(c.status is Status.ERROR and c.score == 0 for c in mlp)
    assert summary.graded == 4 and summary.skipped == 0 and summary.total == len(expected)


def test_bad_input_is_a_recorded_row_with_a_clear_message(graded):
    folder, gradebook, expected, summary = graded
    with Gradebook(gradebook, create=False) as book:
        latest = {r.student: r for r in book.latest()}
    rejected = {s: why for s, why in expected.items() if " " in why}
    for student, fragment in rejected.items():
        row = latest[student]
        assert row.status == "rejected" and row.result is None, student
        assert row.error is not None and fragment in row.error, (student, row.error)
        assert "\n" not in row.error
    assert sorted(s for s, _ in summary.rejected) == sorted(rejected)
    assert not (folder.parent.parent / "outside.py").exists() and not (folder / "outside.py").exists()


def test_the_gradebook_has_the_documented_schema(graded):
    _, gradebook, _, _ = graded
    with sqlite3.connect(gradebook) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"runs", "students", "submissions", "check_results"} <= tables
        (run,) = db.execute("SELECT workers, machine, finished_at, submissions, graded, rejected FROM runs")
        assert run[0] == 2 and run[1] and run[2] and run[3] == 11 and run[4] == 4 and run[5] == 7
        checks = db.execute("SELECT count(*), count(DISTINCT submission_id) FROM check_results").fetchone()
        assert checks[1] == 4 and checks[0] > 4 * 20
        devices = {d for (d,) in db.execute("SELECT DISTINCT devices FROM check_results")}
        assert "cpu" in devices


def test_a_file_the_grader_cannot_read_is_a_row():
    """Found by an unprivileged process when the tests run as root (root reads any file)."""
    folder = Path(tempfile.mkdtemp(prefix="autograder-unreadable-"))  # in /tmp: open to that process
    folder.chmod(0o755)
    (folder / "gina.zip").write_bytes(b"PK")
    (folder / "gina.zip").chmod(0)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop root, look, report through the pipe, exit at once
        try:
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            found = [(e.student, e.problem) for e in discover(folder, EXERCISES)]
            os.write(write, repr(found).encode())
        except BaseException as exc:
            os.write(write, repr(exc).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as reader:
        report = reader.read()
    os.waitpid(pid, 0)
    shutil.rmtree(folder)
    assert report == repr([("gina", "gina.zip cannot be read (Permission denied)")])


def test_reruns_skip_what_is_graded_regrade_what_changed_and_force_regrades_in_place(graded, tmp_path):
    folder, gradebook, expected, _ = graded
    work = tmp_path / "submissions"
    shutil.copytree(folder, work, symlinks=True)
    book_path = tmp_path / "gradebook.sqlite"
    shutil.copy2(gradebook, book_path)  # the module's gradebook stays as the other tests read it
    before = _rows(book_path)
    backend = LocalWorkers(GradingOptions(course=str(ROOT)), workers=1)

    again = run_batch(Course(ROOT), work, gradebook=book_path, backend=backend)
    assert (again.graded, again.skipped, again.rejected) == (0, len(expected), [])
    assert _rows(book_path) == before, "nothing graded twice, nothing lost"

    shutil.copy2(ROOT / "solutions" / "views.py", work / "carol" / "views.py")  # carol finishes views
    changed = run_batch(Course(ROOT), work, gradebook=book_path, backend=backend)
    assert changed.graded == 1 and [s for s, _, _ in changed.scores] == ["carol"]
    with Gradebook(book_path, create=False) as book:
        carol = {r.student: r for r in book.latest()}["carol"].result
        assert carol is not None and carol.score == carol.max_score
    assert len(_rows(book_path)) == len(before) + 1, "the old grade stays as history"

    forced = run_batch(Course(ROOT), work, gradebook=book_path, backend=backend, force=True)
    assert forced.graded == 4 and len(forced.rejected) == 7
    rows = _rows(book_path)
    assert len(rows) == len(before) + 1 and len(set(rows)) == len(rows)
    with Gradebook(book_path, create=False) as book:
        assert [r.id for r in book.runs()] == [1, 2, 3, 4]


def test_the_course_version_changes_with_solutions_and_checks(tmp_path):
    copy = tmp_path / "course"
    for part in ("solutions", "tests/public", "tests/hidden"):
        shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    same = course_version(Course(copy), EXERCISES)
    assert same == course_version(Course(ROOT), EXERCISES)
    assert course_version(Course(copy), ["mlp"]) != same, "another selection of exercises"
    with open(copy / "tests" / "hidden" / "test_views.py", "a") as checks:
        checks.write("\n# a changed check file\n")
    assert course_version(Course(copy), EXERCISES) != same
    assert course_version(Course(copy), ["mlp"]) == course_version(Course(ROOT), ["mlp"])


def test_discover_names_students_by_entry(tmp_path):
    expected = make_submissions(tmp_path / "subs")
    (tmp_path / "subs" / ".DS_Store").write_bytes(b"junk")
    (tmp_path / "subs" / "gradebook.sqlite").write_bytes(b"")
    entries = discover(tmp_path / "subs", EXERCISES)
    assert sorted(e.student for e in entries) == sorted(expected), "one entry each; .DS_Store and the gradebook skipped"
    single = discover(tmp_path / "subs", ["mlp"])
    erin = next(e for e in single if e.student == "erin")
    assert erin.problem is None and erin.as_exercise == "mlp"


def _descendants(pid: int) -> set[int]:
    """Every process below `pid` (workers, their zygotes, students' processes)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = {int(c) for c in (task / "children").read_text().split()}
            except OSError:
                continue
            todo += children - found
            found |= children
    return found


def _alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


def test_sigkill_at_random_moments_then_a_rerun_grades_each_submission_exactly_once(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    students = [f"s{i:02d}" for i in range(40)]
    for i, student in enumerate(students):
        source = ROOT / ("solutions" if i % 2 == 0 else "exercises")
        shutil.copytree(source, folder / student, ignore=shutil.ignore_patterns("__pycache__"))
        (folder / student / "notes.txt").write_text(student)  # forty different contents
    gradebook = tmp_path / "gradebook.sqlite"
    command = [sys.executable, "-m", "autograder", "batch", str(folder), "--course", str(ROOT), "--workers", "2",
               "--gradebook", str(gradebook)]
    rng = random.Random(20261201)
    kills = 0
    for attempt in range(10):
        before = len(_rows(gradebook)) if gradebook.exists() else 0
        batch = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if attempt == 0:
            time.sleep(rng.uniform(0.5, 4.0))  # while it starts: nothing graded yet
        else:  # once it has committed something: a random moment among commits
            deadline = time.monotonic() + 120
            while batch.poll() is None and time.monotonic() < deadline and (
                    not gradebook.exists() or len(_rows(gradebook)) == before):
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 1.0))
        tree = _descendants(batch.pid)
        if batch.poll() is not None:
            break
        batch.send_signal(signal.SIGKILL)
        batch.wait()
        kills += 1
        deadline = time.monotonic() + 20
        while _alive(tree) and time.monotonic() < deadline:  # the workers die with the batch
            time.sleep(0.2)
        assert not _alive(tree), "the batch's workers (or their sandboxes) outlived it"
        if kills == 5:
            break
    assert kills == 5
    final = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    rows = _rows(gradebook)
    assert sorted(s for s, _, _ in rows) == students, "every submission graded exactly once"
    assert {status for _, _, status in rows} == {"graded"}
    with Gradebook(gradebook, create=False) as book:
        scores = {r.student: r.result.score for r in book.latest() if r.result is not None}
        runs = book.runs()
    assert all((scores[s] > 0) == (i % 2 == 0) for i, s in enumerate(students))
    assert len(runs) == kills + 1 and runs[-1].finished_at is not None
    assert [r.finished_at for r in runs[:-1]] == [None] * kills, "the killed runs say they did not finish"


def test_the_command_line_summary_lists_what_was_not_graded(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "corrupt.zip").write_bytes(b"nope")
    (folder / "bad id").mkdir()
    done = subprocess.run([sys.executable, "-m", "autograder", "batch", str(folder), "--course", str(ROOT),
                           "--workers", "1"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "corrupt: corrupt.zip is not a readable zip file" in " ".join(done.stdout.split())
    assert "'bad id' is not a valid student id" in " ".join(done.stdout.split())
    assert (tmp_path / "gradebook.sqlite").is_file(), "the default gradebook sits next to the submissions"
    assert "[1/2]" in done.stderr or "[2/2]" in done.stderr, "plain progress lines when not a terminal"


@pytest.mark.parametrize(("extra", "message"), [
    (["--resources", "GPU=1"], "--resources needs --scheduler"),
    (["--scheduler", "tcp://127.0.0.1:1", "--resources", "GPU"], "--resources takes NAME=N"),
    (["--scheduler", "tcp://127.0.0.1:1", "--resources", "GPU=0"], "with N > 0"),
    (["--workers", "0"], "--workers must be at least 1"),
])
def test_batch_usage_errors_are_one_line(tmp_path, capsys, extra, message):
    from autograder.cli import ExitCode, main

    (tmp_path / "subs").mkdir()
    assert main(["batch", str(tmp_path / "subs"), "--course", str(ROOT), *extra]) == ExitCode.USAGE_ERROR
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "gradebook.sqlite").exists()


def test_a_real_batch_exports_and_reports(graded, tmp_path, capsys):
    """The gradebook a real batch wrote, read back by `export` and `report`."""
    import csv
    import json

    from autograder.cli import ExitCode, main

    _, gradebook, expected, _ = graded
    assert main(["export", str(gradebook), "--format", "csv"]) == ExitCode.OK
    rows = {row["student"]: row for row in csv.DictReader(capsys.readouterr().out.splitlines())}
    assert set(rows) == set(expected)
    assert rows["alice"]["status"] == "graded" and rows["alice"]["total"] == rows["alice"]["max"] == str(MAX_SCORE)
    assert rows["bob"]["total"] == "0" and rows["corrupt"]["status"] == "not graded"
    assert "not a readable zip file" in rows["corrupt"]["error"]
    assert [e.name for e in Course(ROOT).exercises()] == [c for c in rows["alice"] if c in EXERCISES]
    assert main(["export", str(gradebook), "--format", "json", "--output", str(tmp_path / "g.json")]) == ExitCode.OK
    students = {s["student"]: s for s in json.loads((tmp_path / "g.json").read_text())["students"]}
    assert students["carol"]["result"]["score"] < students["carol"]["result"]["max_score"]
    assert main(["report", str(gradebook), str(tmp_path / "report.html")]) == ExitCode.OK
    page = (tmp_path / "report.html").read_text()
    assert "corrupt.zip is not a readable zip file" in page and page.count("data:image/png;base64,") >= 4
