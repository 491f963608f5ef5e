"""`autograder batch --scheduler`: a real Dask `LocalCluster` (two worker processes under nannies)
grading this repository's course into a real gradebook; a worker SIGKILLed while it grades, with
the submission handed to the other worker or, once the scheduler gives up, recorded and graded
again on the next run: every submission recorded exactly once per run."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

distributed = pytest.importorskip("distributed")
psutil = pytest.importorskip("psutil")  # a dependency of distributed

from autograder.batch import GraderFailed, GradingOptions, Job, run_batch  # noqa: E402
from autograder.catalog import Course  # noqa: E402
from autograder.distributed import DaskWorkers, _pack  # noqa: E402
from autograder.errors import CourseError, UsageError  # noqa: E402
from autograder.gradebook import Gradebook  # noqa: E402
from autograder.submission import MAX_BYTES  # noqa: E402

#: One exercise: single-file submissions are gradable, and each submission takes a fraction of a second.
ONLY = ("mlp",)
#: A submission whose grading lasts long enough to kill its worker in the middle of it.
SLOW = "import time\ntime.sleep(1.0)\n"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    # GPU=1: a label only (the kit looks for CUDA itself), for the test of tasks that ask for it.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, resources={"GPU": 1}) as local:
        yield local


@pytest.fixture(scope="module")
def backend(cluster: Any) -> Iterator[DaskWorkers]:
    """One backend (so one warm grader per worker) for the whole module."""
    with DaskWorkers(GradingOptions(course=str(ROOT), only=ONLY), cluster.scheduler_address) as warm:
        yield warm


def _batch(folder: Path, gradebook: Path, backend: DaskWorkers) -> tuple[Any, Counter[str]]:
    recorded: Counter[str] = Counter()
    summary = run_batch(Course(ROOT), folder, gradebook=gradebook, backend=backend, only=ONLY,
                        on_recorded=lambda student, _: recorded.update([student]))
    return summary, recorded


def _slow_submissions(folder: Path, students: list[str]) -> None:
    folder.mkdir()
    for student in students:
        (folder / student).mkdir()
        (folder / student / "mlp.py").write_text(SLOW + (ROOT / "solutions" / "mlp.py").read_text())


def _kill_a_grading_worker(cluster: Any, done: threading.Event, killed: list[Any]) -> None:
    """SIGKILL the process of the first worker seen running a task (its nanny starts another);
    `killed` gets its processes (the worker's, then its children's: the grader's zygote)."""
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        while not done.is_set():
            busy = client.run(lambda dask_worker: (os.getpid(), len(dask_worker.state.executing)))
            for pid, executing in busy.values():
                if executing:
                    time.sleep(0.3)  # well into the grading
                    worker = psutil.Process(pid)
                    children = worker.children(recursive=True)
                    os.kill(pid, signal.SIGKILL)
                    killed.extend([worker, *children])
                    return
            time.sleep(0.05)


def _while_killing(cluster: Any, work: Any) -> tuple[Any, list[Any]]:
    done, killed = threading.Event(), []
    killer = threading.Thread(target=_kill_a_grading_worker, args=(cluster, done, killed), daemon=True)
    killer.start()
    try:
        return work(), killed
    finally:
        done.set()
        killer.join(timeout=30)


def test_a_class_is_graded_on_the_cluster_into_the_gradebook(tmp_path, backend, cluster):
    folder = tmp_path / "submissions"
    folder.mkdir()
    shutil.copytree(ROOT / "solutions", folder / "alice", ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "alice" / "__pycache__").mkdir()
    (folder / "alice" / "__pycache__" / "junk.pyc").write_bytes(b"\0" * 64)
    with zipfile.ZipFile(folder / "bob.zip", "w") as zf:  # a student's copy of the hand-out: graded as exercises/
        for path in (ROOT / "exercises").glob("*.py"):
            zf.write(path, f"handout/exercises/{path.name}")
        zf.writestr("handout/README.md", "hand-out")
    (folder / "carol.zip").write_bytes(b"PK\x03\x04 not really a zip")
    shutil.copy2(ROOT / "solutions" / "mlp.py", folder / "dave.py")  # one module, graded as mlp
    (folder / "erin.ipynb").write_text("{ not json")

    gradebook = tmp_path / "gradebook.sqlite"
    summary, recorded = _batch(folder, gradebook, backend)

    assert recorded == Counter(["alice", "bob", "carol", "dave", "erin"])
    with Gradebook(gradebook) as book:
        rows = {row.student: row for row in book.latest()}
        [run] = book.runs()
    for student in ("alice", "dave"):
        assert rows[student].status == "graded", rows[student].error
        assert rows[student].result is not None
        assert rows[student].result.score == rows[student].result.max_score > 0
        assert [ex.name for ex in rows[student].result.exercises] == list(ONLY)
    assert rows["bob"].status == "graded"
    assert rows["bob"].result is not None and rows["bob"].result.score == 0
    assert rows["carol"].status == "rejected"
    assert "carol.zip is not a readable zip file" in (rows["carol"].error or "")
    assert rows["erin"].status == "rejected" and "is not valid JSON" in (rows["erin"].error or "")
    assert summary.graded == 3 and sorted(student for student, _ in summary.rejected) == ["carol", "erin"]
    assert (run.workers, run.scheduler) == (2, cluster.scheduler_address)
    assert run.finished_at is not None and run.graded == 3

    # The same class again: nothing to grade; forced, the same grades from the same warm graders.
    assert _batch(folder, gradebook, backend)[1] == Counter()
    forced = run_batch(Course(ROOT), folder, gradebook=gradebook, backend=backend, only=ONLY, force=True)
    assert sorted(forced.scores) == sorted(summary.scores)


def test_a_worker_killed_while_grading_loses_nothing(tmp_path, backend, cluster):
    folder = tmp_path / "submissions"
    students = ["s1", "s2", "s3", "s4"]
    _slow_submissions(folder, students)
    gradebook = tmp_path / "gradebook.sqlite"

    (summary, recorded), killed = _while_killing(cluster, lambda: _batch(folder, gradebook, backend))

    assert len(killed) > 1, "the worker should have had its grader's zygote"
    _, alive = psutil.wait_procs(killed, timeout=10)
    assert not alive, f"left behind by the killed worker: {[p.cmdline() for p in alive]}"
    assert recorded == Counter(students)  # each yielded once, the killed one too
    with Gradebook(gradebook) as book:
        rows = book.all()
    assert sorted(row.student for row in rows) == students
    for row in rows:
        assert row.status == "graded", row.error
        assert row.result is not None and row.result.score == row.result.max_score > 0
    assert summary.graded == 4 and not summary.rejected
    # The nanny's new worker gets the plugin too (as it registers: before any task can reach it).
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=60)
        deadline = time.monotonic() + 30
        while True:
            have = client.run(lambda dask_worker, name: name in dask_worker.plugins, name=backend._plugin)
            if list(have.values()) == [True, True] or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert list(have.values()) == [True, True]


def test_a_submission_whose_workers_keep_dying_is_recorded_then_regraded(tmp_path, backend, cluster):
    folder = tmp_path / "submissions"
    students = ["t1", "t2", "t3"]
    _slow_submissions(folder, students)
    gradebook = tmp_path / "gradebook.sqlite"
    scheduler = cluster.scheduler
    allowed = scheduler.allowed_failures
    scheduler.allowed_failures = 0  # the first death is one too many (default: the fourth)
    try:
        (summary, recorded), killed = _while_killing(cluster, lambda: _batch(folder, gradebook, backend))
    finally:
        scheduler.allowed_failures = allowed

    assert killed
    assert recorded == Counter(students)
    given_up = dict(summary.rejected)
    assert given_up, "the killed worker's submission should have been given up"
    for why in given_up.values():
        assert isinstance(why, GraderFailed)
        assert "the Dask worker grading this submission died, 1 time in a row" in why
    with Gradebook(gradebook) as book:
        statuses = {row.student: row.status for row in book.all()}
    assert statuses == {student: "failed" if student in given_up else "graded" for student in students}
    # The next run grades exactly those, once each.
    summary, recorded = _batch(folder, gradebook, backend)
    assert recorded == Counter(list(given_up))
    with Gradebook(gradebook) as book:
        rows = book.all()
    assert sorted(row.student for row in rows) == students
    assert all(row.status == "graded" for row in rows)


def test_a_worker_without_the_course_stops_the_batch_naming_itself(tmp_path, cluster):
    folder = tmp_path / "submissions"
    folder.mkdir()
    shutil.copy2(ROOT / "solutions" / "mlp.py", folder / "alice.py")
    # The batch machine has the course; the workers have nothing at the path they are given (so
    # their graders fail at once, and cost this test nothing).
    options = GradingOptions(course="/nonexistent/course", only=ONLY)
    broken = DaskWorkers(options, cluster.scheduler_address)
    try:
        with pytest.raises(CourseError, match=r"Dask worker tcp://127\.0\.0\.1:\d+ cannot grade: "
                                              r"/nonexistent/course is not a course directory"):
            run_batch(Course(ROOT), folder, gradebook=tmp_path / "gradebook.sqlite", backend=broken, only=ONLY)
    finally:
        broken._client.close()  # as if the batch were killed: its graders stay on the workers …
    with DaskWorkers(options, cluster.scheduler_address) as later, \
            distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        plugins = client.run(lambda dask_worker: sorted(dask_worker.plugins))
        for names in plugins.values():  # … until the next batch on the cluster removes them
            assert later._plugin in names and broken._plugin not in names


def test_tasks_that_ask_for_resources_run_where_they_are(tmp_path, cluster):
    with pytest.raises(UsageError, match=r"no worker of the Dask cluster .* has the resources GPU=2 "
                                         r"\(start workers with --resources 'GPU=2'\)"):
        DaskWorkers(GradingOptions(course=str(ROOT)), cluster.scheduler_address, resources={"GPU": 2})
    folder = tmp_path / "submissions"
    folder.mkdir()
    shutil.copy2(ROOT / "solutions" / "mlp.py", folder / "alice.py")
    with DaskWorkers(GradingOptions(course=str(ROOT), only=ONLY), cluster.scheduler_address,
                     resources={"GPU": 1}) as gpu:
        summary, recorded = _batch(folder, tmp_path / "gradebook.sqlite", gpu)
    assert recorded == Counter(["alice"]) and summary.graded == 1


def test_submissions_travel_as_staging_would_copy_them(tmp_path):
    folder = tmp_path / "alice"
    (folder / "exercises" / "__pycache__").mkdir(parents=True)
    (folder / "exercises" / "mlp.py").write_text("x = 1\n")
    (folder / "exercises" / "__pycache__" / "mlp.pyc").write_bytes(b"\0")
    (folder / "data").mkdir()  # empty, but it decides how the folder unwraps
    (folder / "link.py").symlink_to(folder / "exercises" / "mlp.py")
    name, payload = _pack(Job(0, str(folder), None))
    assert name == "alice.zip"
    zip_path = tmp_path / name
    zip_path.write_bytes(payload)
    with zipfile.ZipFile(zip_path) as zf:
        assert sorted(zf.namelist()) == ["data/", "exercises/", "exercises/mlp.py"]
    big = tmp_path / "bob.py"
    with open(big, "wb") as stream:
        stream.truncate(MAX_BYTES + 1)
    assert _pack(Job(1, str(big), "mlp")) == "bob.py is larger than 50 MiB"
    assert _pack(Job(2, str(tmp_path / "gone.zip"), None)) == "gone.zip cannot be read (No such file or directory)"


def test_the_batch_and_the_command_line_do_not_import_dask():
    code = ("import sys, autograder.batch, autograder.cli\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
